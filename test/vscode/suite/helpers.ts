/** Shared helpers of the VS Code suite. */
import * as assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'backplan.backplan';

export type Mode = 'trusted' | 'restricted' | 'smoke';

export function testMode(): Mode {
    const mode = process.env.BACKPLAN_VSCODE_TEST_MODE;
    return mode === 'restricted' || mode === 'smoke' ? mode : 'trusted';
}

/** The examples folder opened as the workspace. */
export function examples(...segments: string[]): vscode.Uri {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the examples folder is open');
    return vscode.Uri.joinPath(folder.uri, ...segments);
}

/** The API the extension's activate() returns. */
export interface Api {
    coverageTree: {
        getChildren(node?: unknown): Promise<Array<{ kind: string; [key: string]: unknown }>>;
        getTreeItem(node: unknown): vscode.TreeItem;
        refresh(): void;
    };
    status: { text: string; update(): Promise<void> };
    coverage: { of(uri: vscode.Uri): Promise<unknown[]> };
    coverageView: vscode.TreeView<unknown>;
    client: { outputChannel: vscode.OutputChannel; traceOutputChannel: vscode.OutputChannel; sendRequest(method: string, params?: unknown): Promise<unknown> };
    startup: Promise<{ serverReady: number; firstDiagnostics: number; workspaceChecked: number; files: number }>;
    setPrompter(prompter: Prompter | undefined): void;
}

/** A modal question the extension asked (packages/extension/src/ui/prompter.ts). */
export interface Question { message: string; detail: string; buttons: string[] }
type Severity = 'info' | 'warning' | 'error';
interface Prompter {
    ask(question: Question): Thenable<string | undefined>;
    tell(severity: Severity, message: string, ...actions: string[]): Thenable<string | undefined>;
}

/** What the extension asked and told while a recorder was in place. */
export interface Prompts {
    questions: Question[];
    told: Array<{ severity: Severity; message: string; actions: string[] }>;
    /** Resolves with the first notification whose text matches. */
    toldMatching(pattern: RegExp): Promise<{ severity: Severity; message: string; actions: string[] }>;
    /** Puts VS Code's own dialogs and notifications back. */
    dispose(): void;
}

/**
 * Puts a recorder in the place of the extension's dialogs and notifications (test profiles
 * refuse modal dialogs, and no API reads notifications back). `answer` chooses a button
 * for each question (undefined: Cancel); `choose` for each notification (default: none).
 */
export function recordPrompts(api: Api, answer: (q: Question) => string | undefined = () => undefined,
    choose: (message: string, actions: string[]) => string | undefined = () => undefined): Prompts {
    const listeners: Array<() => boolean> = [];
    const prompts: Prompts = {
        questions: [],
        told: [],
        toldMatching: pattern => new Promise(resolve => {
            const check = () => {
                const found = prompts.told.find(t => pattern.test(t.message));
                if (found) resolve(found);
                return found !== undefined;
            };
            if (!check()) listeners.push(check);
        }),
        dispose: () => api.setPrompter(undefined)
    };
    api.setPrompter({
        ask: async question => {
            prompts.questions.push(question);
            return answer(question);
        },
        tell: async (severity, message, ...actions) => {
            prompts.told.push({ severity, message, actions });
            for (const listener of [...listeners]) if (listener()) listeners.splice(listeners.indexOf(listener), 1);
            return choose(message, actions);
        }
    });
    return prompts;
}

export async function activate(): Promise<{ extension: vscode.Extension<Api>; api: Api }> {
    const extension = vscode.extensions.getExtension<Api>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    const api = await extension.activate();
    return { extension, api };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const value = await probe();
            if (value) return value;
        } catch (err) {
            last = err;
        }
        await sleep(100);
    }
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}

/** The LSP code of a diagnostic, as a string. */
export function codeOf(diagnostic: vscode.Diagnostic): string {
    const code = diagnostic.code;
    return typeof code === 'object' && code !== null ? String(code.value) : String(code ?? '');
}

export function codesOf(uri: vscode.Uri): string[] {
    return vscode.languages.getDiagnostics(uri).map(codeOf);
}

/** Waits until a file's diagnostics include every given code. */
export function waitForCodes(uri: vscode.Uri, codes: string[], timeoutMs = 60_000): Promise<string[]> {
    return waitFor(`${codes.join(', ')} in ${path.basename(uri.fsPath)} (now: ${codesOf(uri).join(', ') || 'none'})`, () => {
        const now = codesOf(uri);
        return codes.every(c => now.includes(c)) && now;
    }, timeoutMs);
}

export async function open(uri: vscode.Uri): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { preview: false });
}

/** Discards unsaved edits of the active editor. */
export async function revertActive(): Promise<void> {
    await vscode.commands.executeCommand('workbench.action.files.revert');
}

/**
 * Asks the launcher for a screenshot (docs/images/NAME.png) and waits until it is taken.
 * Without a launcher that takes screenshots (desktop runs) it does nothing.
 */
export async function screenshot(name: string, options: {
    collapse?: string[];
    keepNotifications?: boolean;
    /** The launcher waits until an element matching this CSS selector (with this text) is visible. */
    waitFor?: { selector: string; text?: string };
} = {}): Promise<void> {
    const dir = process.env.BACKPLAN_VSCODE_TEST_SCREENSHOTS;
    if (!dir) return;
    if (!options.keepNotifications) await vscode.commands.executeCommand('notifications.clearAll');
    const done = path.join(dir, `${name}.done`);
    rmSync(done, { force: true });
    writeFileSync(path.join(dir, `${name}.request`), JSON.stringify(options));
    await waitFor(`screenshot ${name}`, () => existsSync(done), 30_000);
}
