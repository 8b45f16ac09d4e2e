/**
 * Runbook-wide rules look at a whole runbook (a root file and its imports) at once. They are
 * pure functions of the runbook model, run once per runbook per update; each finding is then
 * reported in the file that holds its node.
 */
import type { AstNode, DiagnosticInfo } from 'langium';
import type { RunbookModel, ServerModel } from '../model/runbook-model.js';
import type { RuleCode } from './rule-codes.js';

/** One finding of a runbook-wide rule. */
export interface Finding {
    readonly severity: 'error' | 'warning';
    readonly message: string;
    readonly info: DiagnosticInfo<AstNode> & { code: RuleCode };
}

/** A rule over a whole runbook. */
export type RunbookRule = (model: RunbookModel, report: (finding: Finding) => void) => void;

export { listNames } from '../model/name-list.js';

/** Names of servers, quoted. */
export function serverNames(servers: readonly ServerModel[]): string[] {
    return servers.map(s => s.name);
}
