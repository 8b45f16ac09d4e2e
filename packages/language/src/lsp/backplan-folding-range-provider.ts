/**
 * Folding: declaration blocks and `/* … *\/` comments (Langium's default, limited to
 * declarations), plus runs of `//` comment lines and the block of `import` lines.
 */
import { CstUtils, type AstNode, type LangiumDocument } from 'langium';
import { DefaultFoldingRangeProvider, type FoldingRangeAcceptor } from 'langium/lsp';
import { FoldingRangeKind } from 'vscode-languageserver';
import { isDeclaration, isRunbookHeader, type Document } from '../generated/ast.js';

/** Folds blocks, comments and imports. */
export class BackplanFoldingRangeProvider extends DefaultFoldingRangeProvider {
    protected override shouldProcess(node: AstNode): boolean {
        return isDeclaration(node) || isRunbookHeader(node);
    }

    protected override shouldProcessContent(node: AstNode): boolean {
        return node.$container === undefined;
    }

    protected override collectFolding(document: LangiumDocument, acceptor: FoldingRangeAcceptor): void {
        super.collectFolding(document, acceptor);
        const root = document.parseResult.value as Document;
        const imports = root.imports ?? [];
        if (imports.length > 1) {
            const start = imports[0].$cstNode!.range.start.line;
            const end = imports[imports.length - 1].$cstNode!.range.end.line;
            if (end > start) acceptor({ startLine: start, endLine: end, kind: FoldingRangeKind.Imports });
        }
        this.commentRuns(root, acceptor);
    }

    /** Two or more consecutive lines that hold only a `//` comment. */
    protected commentRuns(root: AstNode, acceptor: FoldingRangeAcceptor): void {
        if (!root.$cstNode) return;
        let start = -1;
        let last = -1;
        let previousEnd = -1;
        const flush = () => {
            if (start >= 0 && last > start) acceptor({ startLine: start, endLine: last, kind: FoldingRangeKind.Comment });
            start = last = -1;
        };
        for (const leaf of CstUtils.flattenCst(root.$cstNode)) {
            const line = leaf.range.start.line;
            if (leaf.hidden && leaf.tokenType.name === 'SL_COMMENT' && line !== previousEnd) {
                if (start < 0 || line !== last + 1) {
                    flush();
                    start = line;
                }
                last = line;
            } else if (leaf.tokenType.name !== 'WS') {
                flush();
            }
            previousEnd = leaf.range.end.line;
        }
        flush();
    }
}
