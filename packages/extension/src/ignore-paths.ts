/**
 * `backplan.validation.ignorePaths`: glob patterns, relative to the workspace folder, of
 * runbook files whose problems are hidden and whose runbooks stay out of the coverage view.
 */
import * as vscode from 'vscode';

/** Converts a glob (`**`, `*`, `?`, `{a,b}`) into a regular expression over `/` paths. */
export function globToRegExp(glob: string): RegExp {
    let re = '';
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '*') {
            if (glob[i + 1] === '*') {
                i++;
                if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else { re += '.*'; }
            } else {
                re += '[^/]*';
            }
        } else if (c === '?') {
            re += '[^/]';
        } else if (c === '{') {
            const end = glob.indexOf('}', i);
            if (end < 0) { re += '\\{'; continue; }
            re += '(?:' + glob.slice(i + 1, end).split(',').map(p => p.replace(/[.+^$()|[\]\\]/g, '\\$&')).join('|') + ')';
            i = end;
        } else {
            re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
        }
    }
    return new RegExp(`^${re}(?:/.*)?$`);
}

/** Whether a file URI matches one of the `backplan.validation.ignorePaths` patterns. */
export function isIgnoredPath(uri: vscode.Uri): boolean {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return false;
    const patterns = vscode.workspace.getConfiguration('backplan', folder).get<string[]>('validation.ignorePaths', []);
    if (patterns.length === 0) return false;
    const relative = vscode.workspace.asRelativePath(uri, false).replace(/\\/g, '/');
    return patterns.some(p => globToRegExp(p.replace(/^\.\//, '')).test(relative));
}
