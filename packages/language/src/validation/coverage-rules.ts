/**
 * Coverage rules (seed rule 1: "Make sure that a copy of every folder exists on tape, another
 * server, or both"): `coverage.single-copy`, `coverage.no-offsite`, `tape.unused`,
 * `coverage.partial` (an `exclude` of a holder that leaves part of a folder off its tapes).
 * All read the one coverage model (`model/coverage.ts`).
 */
import type { Coverage } from '../model/coverage.js';
import { excludeReaches } from '../model/exclude-pattern.js';
import { Code } from './rule-codes.js';
import { listNames, type RunbookRule } from './runbook-rule.js';

function subjectText(coverage: Coverage): string {
    return coverage.kind === 'folder' ? `Folder '${coverage.subject.name}'` : `Mail data of '${coverage.subject.name}'`;
}

/** Fewer than two copies of a folder or of a mail server's data. */
export const checkSingleCopy: RunbookRule = (model, report) => {
    for (const coverage of model.coverage.values()) {
        if (coverage.copies >= 2) continue;
        const holders = coverage.servers.map(s => s.name);
        let message: string;
        if (coverage.kind === 'mail') {
            const name = coverage.subject.name;
            message = `Mail data of '${name}' exists only on ${name}, and no backup sends ${name} to a tape: add ${name} to a backup (mail is never replicated).`;
        } else if (holders.length === 0) {
            message = `Folder '${coverage.subject.name}' is on no known server: list at least two catalog servers after \`on\`, or one that a backup sends to a tape.`;
        } else if (coverage.tapes.length === 0) {
            message = `Folder '${coverage.subject.name}' exists only on ${holders[0]}, and no backup sends ${holders[0]} to a tape: add another server to \`on\`, or add ${holders[0]} to a backup.`;
        } else {
            message = `Folder '${coverage.subject.name}' exists only on tape ${coverage.tapes[0].tape.name}: list a catalog server that holds it after \`on\`.`;
        }
        report({ severity: 'error', message, info: { node: coverage.subject.node, property: 'name', code: Code.SingleCopy } });
    }
};

/** `require offsite`, and a folder or mail data that reaches no off-site tape. */
export const checkOffsite: RunbookRule = (model, report) => {
    if (!model.requireOffsite) return;
    const offsiteTapes = model.tapes.filter(t => t.offsite).map(t => t.name);
    for (const coverage of model.coverage.values()) {
        if (coverage.offsite) continue;
        const holders = coverage.servers.map(s => s.name);
        const who = holders.length > 0 ? listNames(holders, 'or') : 'a server that holds it';
        const fix = offsiteTapes.length > 0
            ? `add ${who} to a backup \`to\` ${listNames(offsiteTapes, 'or')}`
            : `mark a tape \`offsite\` (none is) and back up ${who} to it`;
        report({
            severity: 'error',
            message: `${subjectText(coverage)} reaches no off-site tape, and this runbook says \`require offsite\`: ${fix}.`,
            info: { node: coverage.subject.node, property: 'name', code: Code.NoOffsite }
        });
    }
};

/** A tape that no backup sends to. */
export const checkTapeUsed: RunbookRule = (model, report) => {
    const used = new Set(model.backups.map(b => b.tape).filter(t => t !== undefined));
    for (const tape of model.tapes) {
        if (!used.has(tape)) {
            report({
                severity: 'warning',
                message: `Tape '${tape.name}' is not used by any backup: add \`to ${tape.name}\` to a backup, or delete the tape.`,
                info: { node: tape.node, property: 'name', code: Code.TapeUnused }
            });
        }
    }
};

/**
 * An `exclude` pattern of a holder that matches the folder's path or something below it:
 * the copy that holder's archives carry to tape leaves part of the folder out. One finding
 * per folder and holder, naming its patterns; the copy still counts (a warning, not a loss).
 */
export const checkPartialCoverage: RunbookRule = (model, report) => {
    for (const folder of model.folders) {
        if (folder.path.startsWith('/') || folder.path.split('/').includes('..')) continue; // folder.path-invalid
        for (const holder of folder.holders) {
            const patterns = holder.exclude.filter(p => excludeReaches(p, folder.path));
            if (patterns.length === 0) continue;
            const one = patterns.length === 1;
            report({
                severity: 'warning',
                message: `Folder '${folder.name}' is only partly in ${holder.name}'s archives: ${holder.name}'s \`exclude\` ${listNames(patterns.map(p => `"${p}"`))} `
                    + `${one ? 'reaches' : 'reach'} into "${folder.path}", so its tape copy lacks what ${one ? 'the pattern matches' : 'they match'}. `
                    + `Narrow ${one ? 'the pattern' : 'them'} to leave "${folder.path}" whole, or accept that this part comes back only by replication.`,
                info: { node: folder.node, property: 'name', code: Code.CoveragePartial }
            });
        }
    }
};
