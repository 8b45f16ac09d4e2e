/**
 * Workspace Trust. Runs execute a runbook's `stop`/`start` commands and reach the hosts it
 * names, so every run command needs a trusted workspace; checking and coverage do not.
 */
import * as vscode from 'vscode';

/** What a refused command returns to programmatic callers (and tests). */
export interface Refused {
    readonly refused: true;
    readonly reason: string;
}

/** The message shown when a run command is invoked in Restricted Mode. */
export function restrictedModeMessage(action: string): string {
    return `Backplan: ${action} is disabled in Restricted Mode. Runs execute the runbook's stop and start ` +
        'commands and connect to the hosts it names; trust this workspace to run them. Checking and coverage keep working.';
}

/**
 * Returns undefined when the workspace is trusted; otherwise tells the user why the action
 * is refused (with a way to manage trust) and returns the refusal.
 */
export function refuseUntrusted(action: string): Refused | undefined {
    if (vscode.workspace.isTrusted) return undefined;
    const reason = restrictedModeMessage(action);
    void vscode.window.showErrorMessage(reason, 'Manage Workspace Trust').then(choice => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { refused: true, reason };
}

export function isRefused(value: unknown): value is Refused {
    return typeof value === 'object' && value !== null && (value as Refused).refused === true;
}
