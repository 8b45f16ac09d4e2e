/**
 * The `schedule` of a backup or drill block as the editor's schedule CodeLens shows it:
 * where the line is, the expression in words and the next fire times — from the same
 * functions as `backplan schedule list` (model/cron-schedule.ts, the project's one cron
 * library), so the editor and the CLI never disagree about when a block runs.
 *
 * Computed per request: the times are "next after now" when the client asks, and the
 * client asks again once the first of them has passed.
 */
import { GrammarUtils, type AstNode } from 'langium';
import type { Range } from 'vscode-languageserver';
import { describeSchedule, nextFireTimes, scheduleProblem } from '../model/cron-schedule.js';

/** How many fire times a block's schedule carries (the lens shows the first, its tooltip all). */
export const NEXT_RUNS = 3;

/** A block's schedule, for the CodeLens on its `schedule` line. */
export interface ScheduleInfo {
    expression: string;
    /** The `schedule "…"` string's range (its line carries the lens). */
    range: Range;
    /** In words, as `schedule list` prints it: "At 02:00". */
    description: string;
    /** The next fire times after the request, ISO 8601 UTC; empty when the expression is invalid. */
    next: string[];
    /** Why the expression is unusable (`schedule.invalid`), when it is. */
    problem?: string;
}

/** The schedule of a block node whose `schedule` is `expression`; undefined when it has none. */
export function describeBlockSchedule(node: AstNode, expression: string | undefined, now = new Date()): ScheduleInfo | undefined {
    if (expression === undefined) return undefined;
    const cst = GrammarUtils.findNodeForProperty(node.$cstNode, 'schedule') ?? node.$cstNode;
    const range = cst?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const problem = scheduleProblem(expression);
    if (problem) return { expression, range, description: expression.trim(), next: [], problem };
    return {
        expression, range,
        description: describeSchedule(expression),
        next: nextFireTimes(expression, NEXT_RUNS, now).map(d => d.toISOString())
    };
}
