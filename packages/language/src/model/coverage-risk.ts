/**
 * Why a folder or a mail server's data is at risk, read from the coverage model: the one
 * place that decides it, for the checker's diagnostics, the coverage view and the pictures.
 *
 *   copies < 2                              → coverage.single-copy ("only one copy" / "no copy")
 *   require offsite, and no off-site tape   → coverage.no-offsite  ("no off-site copy")
 *
 * Each risk comes with a short summary (a label) and the full sentence (what is wrong and
 * how to fix it) that the diagnostic shows.
 */
import { Code } from '../validation/rule-codes.js';
import type { Coverage } from './coverage.js';
import { listNames } from './name-list.js';
import type { RunbookModel } from './runbook-model.js';

/** One reason a folder or mail data is at risk. */
export interface CoverageRisk {
    readonly code: typeof Code.SingleCopy | typeof Code.NoOffsite;
    /** A few words: "only one copy", "no copy", "no off-site copy". */
    readonly summary: string;
    /** The whole sentence: what is wrong and how to fix it. */
    readonly message: string;
}

/** The risks of one coverage entry of a runbook (none when it is safe). */
export function coverageRisks(model: Pick<RunbookModel, 'requireOffsite' | 'tapes'>, coverage: Coverage): CoverageRisk[] {
    const risks: CoverageRisk[] = [];
    if (coverage.copies < 2) {
        risks.push({ code: Code.SingleCopy, summary: coverage.copies === 1 ? 'only one copy' : 'no copy', message: singleCopyMessage(coverage) });
    }
    if (model.requireOffsite && !coverage.offsite) {
        risks.push({ code: Code.NoOffsite, summary: 'no off-site copy', message: noOffsiteMessage(model, coverage) });
    }
    return risks;
}

/** "Folder 'X'" or "Mail data of 'M'". */
export function coverageSubjectText(coverage: Coverage): string {
    return coverage.kind === 'folder' ? `Folder '${coverage.subject.name}'` : `Mail data of '${coverage.subject.name}'`;
}

function singleCopyMessage(coverage: Coverage): string {
    const name = coverage.subject.name;
    const holders = coverage.servers.map(s => s.name);
    if (coverage.kind === 'mail') {
        return `Mail data of '${name}' exists only on ${name}, and no backup sends ${name} to a tape: add ${name} to a backup (mail is never replicated).`;
    }
    if (holders.length === 0) {
        return `Folder '${name}' is on no known server: list at least two catalog servers after \`on\`, or one that a backup sends to a tape.`;
    }
    if (coverage.tapes.length === 0) {
        return `Folder '${name}' exists only on ${holders[0]}, and no backup sends ${holders[0]} to a tape: add another server to \`on\`, or add ${holders[0]} to a backup.`;
    }
    return `Folder '${name}' exists only on tape ${coverage.tapes[0].tape.name}: list a catalog server that holds it after \`on\`.`;
}

function noOffsiteMessage(model: Pick<RunbookModel, 'tapes'>, coverage: Coverage): string {
    const offsiteTapes = model.tapes.filter(t => t.offsite).map(t => t.name);
    const holders = coverage.servers.map(s => s.name);
    const who = holders.length > 0 ? listNames(holders, 'or') : 'a server that holds it';
    const fix = offsiteTapes.length > 0
        ? `add ${who} to a backup \`to\` ${listNames(offsiteTapes, 'or')}`
        : `mark a tape \`offsite\` (none is) and back up ${who} to it`;
    return `${coverageSubjectText(coverage)} reaches no off-site tape, and this runbook says \`require offsite\`: ${fix}.`;
}
