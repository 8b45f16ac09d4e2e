/**
 * Rules on the declarations of a runbook as a whole: `name.duplicate`,
 * `server.data-overlap`, `runbook.header-duplicate`. Names and overlaps are checked per
 * runbook, never across unrelated runbooks that share a folder.
 */
import { AstUtils, type AstNode } from 'langium';
import { machineKey, describeHost, type HostSpec } from '../model/host-spec.js';
import type { ServerModel } from '../model/runbook-model.js';
import { Code } from './rule-codes.js';
import type { RunbookRule } from './runbook-rule.js';

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

/** Two declarations of one kind with one name. */
export const checkUniqueNames: RunbookRule = (model, report) => {
    const kinds: Array<[string, ReadonlyArray<{ name: string; node: AstNode }>]> = [
        ['server', model.servers], ['tape', model.tapes], ['folder', model.folders], ['backup', model.backups]
    ];
    for (const [kind, items] of kinds) {
        const firstByName = new Map<string, AstNode>();
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

function normalize(path: string): string {
    const parts: string[] = [];
    for (const part of path.split('/')) {
        if (part === '' || part === '.') continue;
        if (part === '..') parts.pop(); else parts.push(part);
    }
    return '/' + parts.join('/');
}

/** Two servers on one machine whose data folders are equal or nested. */
export const checkDataOverlap: RunbookRule = (model, report) => {
    const byMachine = new Map<string, Array<{ server: ServerModel; path: string }>>();
    for (const server of model.servers) {
        if (!server.host || !server.data?.startsWith('/')) continue;
        const key = machineKey(server.host);
        if (!byMachine.has(key)) byMachine.set(key, []);
        byMachine.get(key)!.push({ server, path: normalize(server.data) });
    }
    for (const entries of byMachine.values()) {
        if (entries.length < 2) continue;
        // Sorted, a folder's ancestors come before it; a stack of open ancestors finds every
        // nesting in one pass.
        entries.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
        const stack: typeof entries = [];
        for (const entry of entries) {
            while (stack.length > 0 && !contains(stack[stack.length - 1].path, entry.path)) stack.pop();
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

function contains(outer: string, inner: string): boolean {
    return outer === inner || inner.startsWith(outer === '/' ? '/' : outer + '/');
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
