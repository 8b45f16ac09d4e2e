/**
 * The canonical layout of a runbook:
 *
 *   import "a.backplan"              imports one per line, then a blank line
 *
 *   tape Vault {                     `{` on the declaration line, one attribute per line,
 *     at "/mnt/tape"                 indented by two spaces, `}` alone on its line
 *     offsite
 *   }
 *                                    a blank line between declarations, except that
 *   folder A on Cat1, Cat2           consecutive one-line folders may stay together
 *   folder B on Cat1, Cat2 { path "b" }
 *
 * Comments stay where they are: a comment at the end of a line stays there, a comment on
 * its own line is indented like the line that follows, and a comment before a declaration
 * (its documentation) stays attached to it. Only whitespace changes, so the AST never does,
 * and formatting twice gives the same text. Indentation is always two spaces, whatever the
 * editor's tab settings, so every editor and `git diff` agree.
 */
import { CstUtils, isCompositeCstNode, isLeafCstNode, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import { AbstractFormatter, Formatting, type FormattingAction, type FormattingContext } from 'langium/lsp';
import type { DocumentFormattingParams, DocumentRangeFormattingParams, FormattingOptions, TextEdit } from 'vscode-languageserver';
import { isDocument, isFolder, isRunbookHeader, type Document } from '../generated/ast.js';
import { isBackup, isDrill, isNotify, isServer, isTape } from '../generated/ast.js';

/** Keywords that start an attribute line inside a block. */
const ATTRIBUTE_KEYWORDS = new Set(['at', 'restic', 'password-file', 'offsite', 'key-file', 'timeout', 'data', 'stop', 'start', 'dump', 'load', 'exclude', 'ready', 'to', 'schedule', 'stale', 'path', 'require',
    'webhook', 'healthchecks', 'command', 'from', 'pick', 'test']);
/** Tokens written without a space before them. */
const NO_SPACE_BEFORE = new Set([',', ';']);
const COMMENTS = new Set(['ML_COMMENT', 'SL_COMMENT']);

/** Formats runbooks into the canonical layout. */
export class BackplanFormatter extends AbstractFormatter {
    override formatDocument(document: LangiumDocument, params: DocumentFormattingParams): TextEdit[] {
        const edits = super.formatDocument(document, { ...params, options: canonical(params.options) }) as TextEdit[];
        if (edits.length === 0 && (document.parseResult.lexerErrors.length > 0 || document.parseResult.parserErrors.length > 0)) {
            return edits;
        }
        return [...edits, ...this.finalNewline(document)];
    }

    override formatDocumentRange(document: LangiumDocument, params: DocumentRangeFormattingParams): TextEdit[] {
        return super.formatDocumentRange(document, { ...params, options: canonical(params.options) }) as TextEdit[];
    }

    protected format(node: AstNode): void {
        if (isDocument(node)) {
            this.formatTopLevel(node);
        } else if (isTape(node) || isServer(node) || isBackup(node) || isNotify(node) || isDrill(node) || isRunbookHeader(node)) {
            this.formatBlock(node, true);
        } else if (isFolder(node)) {
            this.formatBlock(node, node.path.length > 1 || this.hasComment(node.$cstNode));
        } else {
            // Import, Role, Host, Keep, Snapshot, ServerList, Concurrency, Requirement, NotifyOn, NotifyFor: one line.
            this.formatInline(node.$cstNode, 1);
        }
    }

    /** Blank lines between top-level elements; comments before one move with it. */
    protected formatTopLevel(root: Document): void {
        const formatter = this.getNodeFormatter(root);
        const content = isCompositeCstNode(root.$cstNode) ? root.$cstNode.content : [];
        let previous: CstNode | undefined;
        let leading: CstNode[] = [];
        for (const child of content) {
            if (child.hidden) {
                const trailing = previous && child.range.start.line === previous.range.end.line;
                if (!trailing && COMMENTS.has(leafType(child))) leading.push(child);
                continue;
            }
            const separation = previous ? this.separation(previous, child) : Formatting.newLines(0);
            if (leading.length > 0) {
                if (previous) formatter.cst([leading[0]]).prepend(separation);
                formatter.cst([child]).prepend(Formatting.fit(Formatting.newLines(1), Formatting.newLines(2)));
            } else {
                formatter.cst([child]).prepend(separation);
            }
            previous = child;
            leading = [];
        }
    }

    /** Lines between two top-level elements. */
    protected separation(previous: CstNode, next: CstNode): FormattingAction {
        const a = previous.astNode;
        const b = next.astNode;
        if (a.$type === 'Import' && b.$type === 'Import') return Formatting.newLine();
        if (isFolder(a) && isFolder(b) && this.isOneLine(a.$cstNode) && this.isOneLine(b.$cstNode)) {
            return Formatting.fit(Formatting.newLines(1), Formatting.newLines(2));
        }
        return Formatting.newLines(2);
    }

    /** A declaration with a `{ … }` block: header on one line, attributes one per line. */
    protected formatBlock(node: AstNode, multiline: boolean): void {
        const cst = ownContent(node.$cstNode);
        if (!isCompositeCstNode(cst)) return;
        const formatter = this.getNodeFormatter(node);
        const open = cst.content.findIndex(c => isKeywordLeaf(c, '{'));
        const close = cst.content.findIndex((c, i) => i > open && isKeywordLeaf(c, '}'));
        cst.content.forEach((child, index) => {
            const region = formatter.cst([child]);
            if (index === 0 || child.hidden && (open < 0 || index <= open || (close >= 0 && index > close))) {
                return;
            }
            if (open < 0 || index < open || (close >= 0 && index > close)) {
                region.prepend(spacing(child));
            } else if (index === open) {
                region.prepend(Formatting.oneSpace());
            } else if (index === close) {
                region.prepend(multiline ? Formatting.newLine() : Formatting.oneSpace());
            } else if (child.hidden) {
                if (multiline) region.prepend(Formatting.indent());
            } else if (isCompositeCstNode(child) && child.astNode !== node || isKeywordLeaf(child) && ATTRIBUTE_KEYWORDS.has(child.text)) {
                // A node of its own (Role, Keep, ServerList…) starts a line; a value such as a
                // drill's `pick` order (a datatype rule) stays after its keyword.
                region.prepend(multiline ? Formatting.indent() : Formatting.oneSpace());
            } else {
                region.prepend(spacing(child));
            }
        });
        // The part before `{` (e.g. `folder F on A, B`) and a block-less folder stay on one line.
        if (open < 0) this.formatInline(cst, 1);
    }

    /** One space between the tokens of a node (none before `,` and `;`), from its `from`-th token. */
    protected formatInline(cst: CstNode | undefined, from: number): void {
        if (!cst) return;
        const leaves = CstUtils.flattenCst(cst).filter(l => !l.hidden).toArray();
        const formatter = this.getNodeFormatter(cst.astNode);
        leaves.slice(from).forEach(leaf => formatter.cst([leaf]).prepend(spacing(leaf)));
    }

    protected isOneLine(cst: CstNode | undefined): boolean {
        if (!cst) return true;
        const folder = cst.astNode;
        return !isFolder(folder) || (folder.path.length <= 1 && !this.hasComment(cst));
    }

    protected hasComment(cst: CstNode | undefined): boolean {
        return Boolean(cst && CstUtils.streamCst(cst).some(n => n.hidden && COMMENTS.has(leafType(n))));
    }

    /**
     * A comment given a line formatting (the blank line before a declaration's documentation)
     * gets those lines; Langium's default only re-indents comments.
     */
    protected override createHiddenTextEdits(previous: CstNode | undefined, hidden: CstNode, formatting: FormattingAction | undefined,
        context: FormattingContext): TextEdit[] {
        const edits = super.createHiddenTextEdits(previous, hidden, formatting, context);
        const lines = formatting?.moves.find(m => m.lines !== undefined && m.tabs === undefined)?.lines;
        if (!previous || lines === undefined || previous.range.end.line === hidden.range.start.line) return edits;
        const lineStart = { line: hidden.range.start.line, character: 0 };
        const gap = { range: { start: previous.range.end, end: lineStart }, newText: '\n'.repeat(lines) };
        return [gap, ...edits];
    }

    /** Exactly one newline at the end of the file. */
    protected finalNewline(document: LangiumDocument): TextEdit[] {
        const text = document.textDocument.getText();
        const trimmed = text.replace(/\s+$/, '');
        if (trimmed === '' || text === trimmed + '\n') return [];
        const start = document.textDocument.positionAt(trimmed.length);
        const end = document.textDocument.positionAt(text.length);
        return [{ range: { start, end }, newText: '\n' }];
    }
}

/** The node that holds a declaration's tokens (`Declaration: Tape | …` wraps it in another node). */
function ownContent(cst: CstNode | undefined): CstNode | undefined {
    while (isCompositeCstNode(cst) && cst.content.length === 1 && isCompositeCstNode(cst.content[0])) cst = cst.content[0];
    return cst;
}

function canonical(options: FormattingOptions): FormattingOptions {
    return { ...options, tabSize: 2, insertSpaces: true };
}

function spacing(node: CstNode): FormattingAction {
    return isLeafCstNode(node) && NO_SPACE_BEFORE.has(node.text) ? Formatting.noSpace() : Formatting.oneSpace();
}

function isKeywordLeaf(node: CstNode, text?: string): boolean {
    return isLeafCstNode(node) && !node.hidden && node.grammarSource?.$type === 'Keyword' && (text === undefined || node.text === text);
}

function leafType(node: CstNode): string {
    return isLeafCstNode(node) ? node.tokenType.name : '';
}
