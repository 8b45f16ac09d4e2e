/**
 * `backplan.validation.ignorePaths` on the client side: the language server does not load
 * matching files from the workspace folders, and the client hides the problems of one the
 * user opens anyway and keeps its runbook out of the coverage view. Same matcher as the
 * server (packages/language/src/lsp/ignore-paths.ts), bundled in.
 */
import * as vscode from 'vscode';
import { IgnorePaths } from '../../language/src/lsp/ignore-paths.js';

let cached: { key: string; paths: IgnorePaths } | undefined;

function ignorePaths(): IgnorePaths {
    const globs = vscode.workspace.getConfiguration('backplan').get<string[]>('validation.ignorePaths', []);
    const key = JSON.stringify(globs);
    if (cached?.key !== key) cached = { key, paths: new IgnorePaths(globs) };
    return cached.paths;
}

/** Whether a file URI matches one of the `backplan.validation.ignorePaths` patterns. */
export function isIgnoredPath(uri: vscode.Uri): boolean {
    const paths = ignorePaths();
    if (paths.empty || uri.scheme !== 'file') return false;
    const roots = (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.path);
    return paths.matches(uri.path, roots);
}
