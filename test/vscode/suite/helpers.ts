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
export async function screenshot(name: string, options: { collapse?: string[]; keepNotifications?: boolean } = {}): Promise<void> {
    const dir = process.env.BACKPLAN_VSCODE_TEST_SCREENSHOTS;
    if (!dir) return;
    if (!options.keepNotifications) await vscode.commands.executeCommand('notifications.clearAll');
    const done = path.join(dir, `${name}.done`);
    rmSync(done, { force: true });
    writeFileSync(path.join(dir, `${name}.request`), JSON.stringify(options));
    await waitFor(`screenshot ${name}`, () => existsSync(done), 30_000);
}
