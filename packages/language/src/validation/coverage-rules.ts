/**
 * Coverage rules (seed rule 1: "Make sure that a copy of every folder exists on tape, another
 * server, or both"): `coverage.single-copy`, `coverage.no-offsite`, `tape.unused`,
 * `coverage.partial` (an `exclude` of a holder that leaves part of a folder off its tapes).
 * All read the one coverage model (`model/coverage.ts`); which folder is at risk, and the
 * words for it, come from `model/coverage-risk.ts`.
 */
import { coverageRisks, type CoverageRisk } from '../model/coverage-risk.js';
import { excludeReaches } from '../model/exclude-pattern.js';
import { listNames } from '../model/name-list.js';
import { Code } from './rule-codes.js';
import type { RunbookRule } from './runbook-rule.js';

/** Reports every risk of one code (the model says which, and in what words). */
function reportRisks(code: CoverageRisk['code']): RunbookRule {
    return (model, report) => {
        for (const coverage of model.coverage.values()) {
            for (const risk of coverageRisks(model, coverage)) {
                if (risk.code === code) report({ severity: 'error', message: risk.message, info: { node: coverage.subject.node, property: 'name', code } });
            }
        }
    };
}

/** Fewer than two copies of a folder or of a mail server's data. */
export const checkSingleCopy: RunbookRule = reportRisks(Code.SingleCopy);

/** `require offsite`, and a folder or mail data that reaches no off-site tape. */
export const checkOffsite: RunbookRule = reportRisks(Code.NoOffsite);

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
