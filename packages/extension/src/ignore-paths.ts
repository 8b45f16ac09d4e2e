/**
 * `backplan.validation.ignorePaths` on the client side: the language server does not load
 * matching files from the workspace folders, and the client hides the problems of one the
 * user opens anyway and keeps its runbook out of the coverage view. Same matcher as the
 * server (packages/language/src/lsp/ignore-paths.ts), bundled in. The setting is resource
 * scoped: it is read for the file's own workspace folder.
 */
import * as vscode from 'vscode';
import { IgnorePaths } from '../../language/src/lsp/ignore-paths.js';

const cached = new Map<string, IgnorePaths>();

function ignorePaths(uri: vscode.Uri): IgnorePaths {
    const globs = vscode.workspace.getConfiguration('backplan', uri).get<string[]>('validation.ignorePaths', []);
    const key = JSON.stringify(globs);
    let paths = cached.get(key);
    if (!paths) cached.set(key, paths = new IgnorePaths(globs));
    return paths;
}

/** Whether a file URI matches one of the `backplan.validation.ignorePaths` patterns. */
export function isIgnoredPath(uri: vscode.Uri): boolean {
    if (uri.scheme !== 'file') return false;
    const paths = ignorePaths(uri);
    if (paths.empty) return false;
    const roots = (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.path);
    return paths.matches(uri.path, roots);
}
