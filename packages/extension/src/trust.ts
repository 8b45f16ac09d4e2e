/**
 * Workspace Trust. Runs execute a runbook's `stop`/`start` commands and reach the hosts it
 * names, so every run command needs a trusted workspace; checking and coverage do not. In
 * Restricted Mode the run commands stay in the palette, the keybindings, the CodeLens and
 * the title bars: invoked, each says why it does not run and offers to manage trust.
 */
import * as vscode from 'vscode';
import { prompter } from './ui/prompter';

/** The button of a refusal; it runs VS Code's `workbench.trust.manage`. */
export const MANAGE_TRUST = 'Manage Workspace Trust';

/** What a refused command returns to programmatic callers (and tests). */
export interface Refused {
    readonly refused: true;
    readonly reason: string;
    /** Settles when the user has answered the notification (a button, or dismissed). */
    readonly answered: Thenable<void>;
}

/** The message shown when a run command is invoked in Restricted Mode. */
export function restrictedModeMessage(action: string): string {
    return `Backplan: ${action} does not run in Restricted Mode: this workspace is not trusted. Runs execute the runbook's stop and start ` +
        'commands and connect to the hosts it names; trust this workspace to run them. Checking and coverage keep working.';
}

/**
 * Returns undefined when the workspace is trusted; otherwise tells the user why the action
 * is refused (with a way to manage trust) and returns the refusal.
 */
export function refuseUntrusted(action: string): Refused | undefined {
    if (vscode.workspace.isTrusted) return undefined;
    const reason = restrictedModeMessage(action);
    const answered = prompter().tell('warning', reason, MANAGE_TRUST).then(async choice => {
        if (choice === MANAGE_TRUST) await vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { refused: true, reason, answered };
}

export function isRefused(value: unknown): value is Refused {
    return typeof value === 'object' && value !== null && (value as Refused).refused === true;
}
