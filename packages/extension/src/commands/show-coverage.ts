/**
 * Backplan: Show Coverage — focuses the coverage view and expands the active runbook.
 */
import * as vscode from 'vscode';
import type { CoverageNode } from '../coverage/coverage-tree';
import type { CommandContext } from './command-context';

export async function showCoverage(ctx: CommandContext, uri?: vscode.Uri): Promise<CoverageNode | undefined> {
    ctx.tree.refresh();
    await vscode.commands.executeCommand('backplan.coverage.focus');
    const document = uri ?? (vscode.window.activeTextEditor?.document.languageId === 'backplan'
        ? vscode.window.activeTextEditor.document.uri : undefined);
    const roots = await ctx.tree.runbookNodes();
    const node = document
        ? roots.find(n => n.kind === 'runbook' && n.runbook.files.includes(document.toString()))
        : roots.length === 1 ? roots[0] : undefined;
    if (node) await ctx.view.reveal(node, { expand: 1, select: true, focus: false });
    return node;
}

/** Opens a declaration and selects its name (coverage view clicks; picture clicks, in the editor's column). */
export async function revealDeclaration(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, viewColumn?: vscode.ViewColumn): Promise<void> {
    const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    const editor = await vscode.window.showTextDocument(vscode.Uri.parse(uri), { selection, preserveFocus: false, preview: true, viewColumn });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
