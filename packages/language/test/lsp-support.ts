/**
 * The language services the server uses, on one document of text: hover, quick fixes and
 * edits, as the LSP tests of a construct (notify, drill) ask for them.
 */
import { EmptyFileSystem, type LangiumDocument } from 'langium';
import type { CodeAction, Diagnostic, Hover, TextEdit } from 'vscode-languageserver';
import { createBackplanLspServices } from '@backplan/language/lsp';
import { checkFiles, type Checked } from './helpers.js';

/** A checked workspace of one file, main.backplan, with the LSP services. */
export async function workspace(text: string): Promise<Checked & { doc: LangiumDocument; lsp: ReturnType<typeof createBackplanLspServices>['Backplan'] }> {
    const { Backplan } = createBackplanLspServices(EmptyFileSystem);
    const checked = await checkFiles({ 'main.backplan': text }, Backplan);
    return { ...checked, doc: checked.documents.get('main.backplan')!, lsp: Backplan };
}

/** The position of `needle` in `text`, `delta` characters on. */
export function position(text: string, needle: string, delta = 0): { line: number; character: number } {
    const offset = text.indexOf(needle) + delta;
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
}

/** The text with the edits applied. */
export function apply(text: string, edits: readonly TextEdit[]): string {
    const offsets = (p: { line: number; character: number }): number => text.split('\n').slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    return [...edits].sort((a, b) => offsets(b.range.start) - offsets(a.range.start))
        .reduce((t, e) => t.slice(0, offsets(e.range.start)) + e.newText + t.slice(offsets(e.range.end)), text);
}

/** The hover's Markdown at `needle`. */
export async function hover(text: string, needle: string): Promise<string> {
    const ws = await workspace(text);
    const result = await ws.lsp.lsp.HoverProvider!.getHoverContent(ws.doc, { textDocument: { uri: ws.doc.uri.toString() }, position: position(text, needle) }) as Hover | undefined;
    return (result?.contents as { value: string } | undefined)?.value ?? '';
}

/** The diagnostics of a code, and the code actions offered on the first of them. */
export async function fixes(text: string, code: string): Promise<{ diagnostics: Diagnostic[]; actions: CodeAction[] }> {
    const ws = await workspace(text);
    const diagnostics = ws.diagnostics('main.backplan').filter(d => d.code === code);
    const actions = await ws.lsp.lsp.CodeActionProvider!.getCodeActions(ws.doc, {
        textDocument: { uri: ws.doc.uri.toString() }, range: diagnostics[0].range, context: { diagnostics }
    }) as CodeAction[];
    return { diagnostics, actions };
}

/** The text after an action, and the codes it then gives. */
export async function codesAfter(text: string, action: CodeAction): Promise<{ text: string; codes: string[] }> {
    const fixed = apply(text, Object.values(action.edit!.changes!)[0]);
    const ws = await workspace(fixed);
    return { text: fixed, codes: ws.diagnostics('main.backplan').map(d => String(d.code)) };
}

/** The formatted text. */
export async function format(text: string): Promise<string> {
    const ws = await workspace(text);
    const edits = await ws.lsp.lsp.Formatter!.formatDocument(ws.doc, { textDocument: { uri: ws.doc.uri.toString() }, options: { tabSize: 2, insertSpaces: true } });
    return apply(text, edits);
}
