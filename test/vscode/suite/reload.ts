/**
 * A window reload in the middle of the suite, to see what survives one (a picture webview
 * comes back through its serializer). The harness names a file in
 * BACKPLAN_VSCODE_TEST_RELOAD; the suite runs twice in one window:
 *
 *   first load   the whole suite; a test that wants a reload leaves what it wants to see
 *                again open and calls `askForReload(what)`; when mocha ends, the failures
 *                so far and `what` go to the file, and the window reloads
 *                (workbench.action.reloadWindow: VS Code saves the open editors and the
 *                webviews' states, as when a user reloads)
 *   second load  the file exists: only the after-reload tests run, with `what`; the
 *                failures of both loads decide the exit code
 *
 * Without the variable (or in a mode that asks for nothing) the suite runs once.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';

interface ReloadFile { failures: number; what: Record<string, unknown> }

const file = (): string | undefined => process.env.BACKPLAN_VSCODE_TEST_RELOAD || undefined;
let asked: Record<string, unknown> | undefined;

/** Whether this load can ask for a reload (the harness gave a file). */
export function canReload(): boolean {
    return file() !== undefined;
}

/** On the second load: what the first load left to see again, and its failures. */
export function afterReload(): ReloadFile | undefined {
    const f = file();
    return f && existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) as ReloadFile : undefined;
}

/** Asks for a reload when the suite ends; `what` is handed to the after-reload tests. */
export function askForReload(what: Record<string, unknown>): void {
    asked = { ...asked, ...what };
}

/** When mocha ends: reloads the window (never resolving: the extension host goes away) if asked, else the total of failures. */
export async function finishLoad(failures: number): Promise<number> {
    const f = file();
    const previous = afterReload();
    if (previous) return previous.failures + failures;
    if (!f || !asked) return failures;
    writeFileSync(f, JSON.stringify({ failures, what: asked } satisfies ReloadFile));
    process.stdout.write(`reloading the window (${failures} failure(s) so far); the suite goes on after the reload\n`);
    await vscode.commands.executeCommand('workbench.action.reloadWindow');
    return new Promise<number>(() => { /* the extension host is stopped by the reload */ });
}
