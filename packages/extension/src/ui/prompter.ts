/**
 * How the extension asks (a modal question before a run stops applications or replaces
 * data) and tells (notifications with buttons: run summaries, Restricted Mode refusals).
 * By default VS Code's own dialogs and notifications. The VS Code suite puts a recorder in
 * their place through `BackplanApi.setPrompter`: test profiles refuse modal dialogs, and no
 * API reads a notification back.
 */
import * as vscode from 'vscode';

/** A modal question. */
export interface Question {
    message: string;
    detail: string;
    /**
     * The answers, besides Cancel (always offered, and what Escape chooses). The first has
     * the keyboard focus, so that Enter chooses it: it must be the safe one wherever an
     * answer replaces data.
     */
    buttons: string[];
}

export type Severity = 'info' | 'warning' | 'error';

/** Asks and tells; resolves to the button chosen, undefined for Cancel, Escape or a dismissed notification. */
export interface Prompter {
    ask(question: Question): Thenable<string | undefined>;
    tell(severity: Severity, message: string, ...actions: string[]): Thenable<string | undefined>;
}

const CANCEL: vscode.MessageItem = { title: 'Cancel', isCloseAffordance: true };

const vscodePrompter: Prompter = {
    async ask(question) {
        const items = question.buttons.map(title => ({ title }));
        const chosen = await vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, ...items, CANCEL);
        return chosen === CANCEL ? undefined : chosen?.title;
    },
    tell(severity, message, ...actions) {
        const show = severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
        return show(message, ...actions);
    }
};

let current: Prompter = vscodePrompter;

/** The prompter in use. */
export function prompter(): Prompter {
    return current;
}

/** Replaces the prompter (undefined: VS Code's again). */
export function setPrompter(replacement: Prompter | undefined): void {
    current = replacement ?? vscodePrompter;
}
