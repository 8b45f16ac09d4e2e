/**
 * Document links: the path of each `import "…"` opens the imported file (Ctrl+click), whether
 * or not it lies inside the workspace folders. An import whose file is not loaded gets no
 * link; `import.unresolved` reports it.
 */
import { GrammarUtils, type LangiumDocument } from 'langium';
import type { DocumentLinkProvider } from 'langium/lsp';
import type { DocumentLink } from 'vscode-languageserver';
import type { Document } from '../generated/ast.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import type { BackplanLspServices } from './backplan-lsp-module.js';

/** Links import paths to their files. */
export class BackplanDocumentLinkProvider implements DocumentLinkProvider {
    protected readonly graph: RunbookGraph;

    constructor(services: BackplanLspServices) {
        this.graph = services.workspace.RunbookGraph;
    }

    getDocumentLinks(document: LangiumDocument): DocumentLink[] {
        const links: DocumentLink[] = [];
        for (const imp of (document.parseResult.value as Document).imports ?? []) {
            const path = GrammarUtils.findNodeForProperty(imp.$cstNode, 'path');
            const target = this.graph.importedDocument(imp);
            if (!path || !target) continue;
            const { start, end } = path.range;
            // Inside the quotes.
            const range = { start: { line: start.line, character: start.character + 1 }, end: { line: end.line, character: end.character - 1 } };
            links.push({ range, target: target.uri.toString(), tooltip: target.uri.scheme === 'file' ? target.uri.fsPath : target.uri.toString() });
        }
        return links;
    }
}
