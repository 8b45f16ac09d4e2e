/**
 * Rules on the declarations of a runbook as a whole: `name.duplicate`,
 * `server.data-overlap`, `tape.inside-data`, `runbook.header-duplicate`. Names and overlaps are checked per
 * runbook, never across unrelated runbooks that share a folder.
 */
import { AstUtils, type AstNode } from 'langium';
import { machineKey, describeHost, type HostSpec } from '../model/host-spec.js';
import { normalizePath, pathContains } from '../model/posix-path.js';
import { parseResticRepository } from '../model/restic-repository.js';
import type { ServerModel, TapeModel } from '../model/runbook-model.js';
import { Code } from './rule-codes.js';
import type { Finding, RunbookRule } from './runbook-rule.js';

/**
 * `FILE:LINE` of a declaration, FILE relative to the folder of the file that reports it
 * (`servers.backplan`, `../shared/servers.backplan`): a base name alone is ambiguous when
 * two imported files share it.
 */
function where(node: AstNode, from: AstNode): string {
    const line = (node.$cstNode?.range.start.line ?? 0) + 1;
    const target = AstUtils.getDocument(node).uri.path.split('/');
    const base = AstUtils.getDocument(from).uri.path.split('/').slice(0, -1);
    let common = 0;
    while (common < base.length && common < target.length - 1 && base[common] === target[common]) common++;
    const rel = [...base.slice(common).map(() => '..'), ...target.slice(common)].join('/');
    return `${rel}:${line}`;
}

/**
 * Two declarations of one kind with one name. Backups and drills are one kind of name: both
 * are blocks that `notify … for`, `schedule` and `status` name.
 */
export const checkUniqueNames: RunbookRule = (model, report) => {
    type Named = ReadonlyArray<{ name: string; node: AstNode }>;
    const kinds: Array<[string, Named, Named?]> = [
        ['server', model.servers], ['tape', model.tapes], ['folder', model.folders], ['backup', model.backups], ['notify block', model.notifies],
        ['backup or drill', model.drills, model.backups]
    ];
    for (const [kind, items, taken = []] of kinds) {
        const firstByName = new Map<string, AstNode>(taken.map(t => [t.name, t.node]));
        for (const item of items) {
            const earlier = firstByName.get(item.name);
            if (earlier) {
                report({
                    severity: 'error',
                    message: `A ${kind} named '${item.name}' is already declared at ${where(earlier, item.node)}: rename one of them.`,
                    info: { node: item.node, property: 'name', code: Code.NameDuplicate }
                });
            } else {
                firstByName.set(item.name, item.node);
            }
        }
    }
};

/** Two servers on one machine whose data folders are equal or nested. */
export const checkDataOverlap: RunbookRule = (model, report) => {
    const byMachine = new Map<string, Array<{ server: ServerModel; path: string }>>();
    for (const server of model.servers) {
        if (!server.host || !server.data?.startsWith('/')) continue;
        const key = machineKey(server.host);
        if (!byMachine.has(key)) byMachine.set(key, []);
        byMachine.get(key)!.push({ server, path: normalizePath(server.data) });
    }
    for (const entries of byMachine.values()) {
        if (entries.length < 2) continue;
        // Sorted, a folder's ancestors come before it; a stack of open ancestors finds every
        // nesting in one pass.
        entries.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
        const stack: typeof entries = [];
        for (const entry of entries) {
            while (stack.length > 0 && !pathContains(stack[stack.length - 1].path, entry.path)) stack.pop();
            const outer = stack[stack.length - 1];
            if (outer) {
                const how = outer.path === entry.path ? 'is the same as' : 'lies inside';
                report({
                    severity: 'error',
                    message: `Data folder "${entry.server.data}" of '${entry.server.name}' ${how} "${outer.server.data}" of '${outer.server.name}' on host ${describeHost({ ...entry.server.host!, user: undefined } as HostSpec)}: a backup or restore of one would copy or wipe the other; give each server its own folder.`,
                    info: { node: entry.server.node, property: 'data', index: 0, code: Code.ServerDataOverlap }
                });
            }
            stack.push(entry);
        }
    }
};

/**
 * A tape folder equal to or inside a server's data folder, or a data folder inside a tape:
 * a backup would archive its own tape, a restore wipe it. A folder tape's `at` is on the
 * runner's machine, so only `local` servers can share it; a restic tape's local repository
 * is on the host of each server restic backs up into it, so those servers are compared.
 */
export const checkTapeInsideData: RunbookRule = (model, report) => {
    const local = model.servers.filter(s => s.host?.kind === 'local');
    for (const tape of model.tapes) {
        if (tape.at?.startsWith('/')) {
            reportNesting(tape, tape.at, local, report, (how, server) =>
                `Tape folder "${tape.at}" of '${tape.name}' ${how} data folder "${server.data}" of '${server.name}' on this machine`);
            continue;
        }
        const parsed = tape.restic === undefined ? undefined : parseResticRepository(tape.restic);
        const repo = parsed?.ok ? parsed.spec.localPath : undefined;
        if (repo === undefined) continue;
        const writers = [...new Set(model.backups.filter(b => b.tape === tape).flatMap(b => b.servers))];
        reportNesting(tape, repo, writers, report, (how, server) =>
            `Restic repository "${repo}" of tape '${tape.name}' ${how} data folder "${server.data}" of '${server.name}', on the host where restic backs it up`);
    }
};

/** One `tape.inside-data` per server whose data folder and the tape's folder are equal or nested. */
function reportNesting(tape: TapeModel, folder: string, servers: readonly ServerModel[], report: (finding: Finding) => void,
    what: (how: string, server: ServerModel) => string): void {
    const at = normalizePath(folder);
    for (const server of servers) {
        if (!server.data?.startsWith('/')) continue;
        const data = normalizePath(server.data);
        const how = at === data ? 'is the same as' : pathContains(data, at) ? 'lies inside' : pathContains(at, data) ? 'holds' : undefined;
        if (!how) continue;
        report({
            severity: 'error',
            message: `${what(how, server)}: a backup would archive the tape into itself and a restore would wipe it; keep tapes and data folders apart.`,
            info: { node: tape.node, property: tape.at !== undefined ? 'at' : 'restic', index: 0, code: Code.TapeInsideData }
        });
    }
}

/** More than one `runbook` header in one runbook. */
export const checkSingleHeader: RunbookRule = (model, report) => {
    const headers = model.headers;
    for (const extra of headers.slice(1)) {
        report({
            severity: 'error',
            message: `This runbook already has a \`runbook\` header ("${headers[0].title}" at ${where(headers[0], extra)}): keep one header and merge their \`require\` lines.`,
            info: { node: extra, keyword: 'runbook', code: Code.HeaderDuplicate }
        });
    }
};
