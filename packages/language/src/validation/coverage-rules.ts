/**
 * Coverage rules (seed rule 1: "Make sure that a copy of every folder exists on tape, another
 * server, or both"): `coverage.single-copy`, `coverage.no-offsite`, `tape.unused`.
 * All read the one coverage model (`model/coverage.ts`); which folder is at risk, and the
 * words for it, come from `model/coverage-risk.ts`.
 */
import { coverageRisks, type CoverageRisk } from '../model/coverage-risk.js';
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
