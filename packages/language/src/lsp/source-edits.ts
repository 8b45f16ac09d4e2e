/**
 * Text edits that quick fixes share: append a name to a comma-separated list, add attribute
 * lines to a `{ … }` block. Each edit keeps the layout of the text around it (the canonical
 * layout of the formatter, or a one-line block kept on one line), so a fixed file stays
 * formatted.
 */
import { CstUtils, GrammarUtils, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import type { TextEdit } from 'vscode-languageserver';

/** Inserts `, name` after the last item of a list that ends at `last`. */
export function appendToList(last: CstNode, name: string): TextEdit {
    return { range: { start: last.range.end, end: last.range.end }, newText: `, ${name}` };
}

/**
 * Adds attribute lines (`stop "…"`) at the end of a declaration's `{ … }` block, before `}`.
 * A block written on one line stays on one line; otherwise each attribute gets its own line,
 * indented like the block's other attributes (two spaces when it has none).
 */
export function addBlockAttributes(document: LangiumDocument, node: AstNode, attributes: readonly string[]): TextEdit | undefined {
    const cst = node.$cstNode;
    if (!cst || attributes.length === 0) return undefined;
    const open = GrammarUtils.findNodeForKeyword(cst, '{');
    const closes = GrammarUtils.findNodesForKeyword(cst, '}');
    const close = closes[closes.length - 1];
    if (!open || !close) return undefined;
    const text = document.textDocument.getText();
    if (open.range.start.line === close.range.start.line) {
        const before = text.slice(0, close.offset);
        const space = /\s$/.test(before) ? '' : ' ';
        return { range: { start: close.range.start, end: close.range.start }, newText: `${space}${attributes.join(' ')} ` };
    }
    const indent = attributeIndent(document, cst, open, close);
    const closeLineStart = { line: close.range.start.line, character: 0 };
    const beforeClose = text.slice(document.textDocument.offsetAt(closeLineStart), close.offset);
    const lines = attributes.map(a => `${indent}${a}\n`).join('');
    if (beforeClose.trim() === '') {
        return { range: { start: closeLineStart, end: closeLineStart }, newText: lines };
    }
    // Something shares the line with `}`: open a new line after it.
    const outer = (/^[ \t]*/.exec(text.slice(document.textDocument.offsetAt({ line: open.range.start.line, character: 0 })))?.[0]) ?? '';
    return { range: { start: close.range.start, end: close.range.start }, newText: `\n${lines}${outer}` };
}

/** The indentation of the first attribute line of a block, or the block's own plus two spaces. */
function attributeIndent(document: LangiumDocument, cst: CstNode, open: CstNode, close: CstNode): string {
    const text = document.textDocument.getText();
    for (const leaf of CstUtils.flattenCst(cst)) {
        if (leaf.offset <= open.offset || leaf.offset >= close.offset || leaf.hidden) continue;
        if (leaf.range.start.line === open.range.start.line) continue;
        const lineStart = document.textDocument.offsetAt({ line: leaf.range.start.line, character: 0 });
        const prefix = text.slice(lineStart, leaf.offset);
        if (prefix.trim() === '') return prefix;
    }
    const lineStart = document.textDocument.offsetAt({ line: open.range.start.line, character: 0 });
    return (/^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '') + '  ';
}

/**
 * Deletes an attribute written from `first` to `last` (and a `;` right after it): its whole
 * line when nothing else is on it, else the attribute and the spaces after it, so
 * `{ role catalog dump "x" }` becomes `{ role catalog }`.
 */
export function removeAttribute(document: LangiumDocument, first: CstNode, last: CstNode): TextEdit {
    const text = document.textDocument.getText();
    let start = first.offset;
    let end = last.end + (/^[ \t]*;/.exec(text.slice(last.end))?.[0].length ?? 0);
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const newline = text.indexOf('\n', end);
    const lineEnd = newline < 0 ? text.length : newline;
    if (text.slice(lineStart, start).trim() === '' && text.slice(end, lineEnd).trim() === '') {
        start = lineStart;
        end = newline < 0 ? text.length : newline + 1;
    } else {
        end += /^[ \t]*/.exec(text.slice(end))![0].length;
    }
    return { range: { start: document.textDocument.positionAt(start), end: document.textDocument.positionAt(end) }, newText: '' };
}

/** A string literal of the language for `value` (quotes and backslashes escaped). */
export function stringLiteral(value: string): string {
    return `"${value.replace(/["\\]/g, ch => `\\${ch}`)}"`;
}
