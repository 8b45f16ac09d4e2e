/**
 * The questions asked before a run (DESIGN §3: the CLI never prompts, the editor asks).
 * A backup names the servers it will stop. A restore or recover is asked after its plan is
 * shown; the answer with the focus (Enter) reviews that plan, never the one that replaces
 * data.
 */
import * as vscode from 'vscode';
import { prompter } from '../ui/prompter';
import type { PlanResult } from './show-plan';

/** The safe, focused answer of a restore or recover question. */
export const REVIEW_PLAN = 'Review the Plan';

/**
 * Asks whether to run what the shown plan describes; returns the run answer chosen, or
 * undefined (Cancel, Escape, or Review the Plan, which brings the plan's editor to the front).
 */
export async function confirmAfterPlan(plan: PlanResult, message: string, detail: string, runAnswers: string[]): Promise<string | undefined> {
    const answer = await prompter().ask({ message, detail, buttons: [REVIEW_PLAN, ...runAnswers] });
    if (answer === REVIEW_PLAN) {
        const shown = vscode.window.visibleTextEditors.find(e => e.document === plan.document);
        await vscode.window.showTextDocument(plan.document, { viewColumn: shown?.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: false });
    }
    return answer !== undefined && runAnswers.includes(answer) ? answer : undefined;
}
