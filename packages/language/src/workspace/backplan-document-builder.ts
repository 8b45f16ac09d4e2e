/**
 * Re-validation that follows imports. Langium re-links a document only when a document it
 * references changes; Backplan's runbook-wide rules (coverage, overlaps, duplicates) can
 * change in any file connected by imports, so every document of an affected runbook is
 * re-linked and re-validated, including files that a new `import` line just connected.
 */
import { DefaultDocumentBuilder, DocumentState, URI, type LangiumDocument, type LangiumSharedCoreServices } from 'langium';
import { CancellationToken } from 'vscode-languageserver';
import type { RunbookGraph } from './runbook-graph.js';

/** Shared services with Backplan's runbook graph. */
export type BackplanSharedCoreServices = LangiumSharedCoreServices & { workspace: { RunbookGraph: RunbookGraph } };

/** A document builder that treats a runbook's files as one unit for re-validation. */
export class BackplanDocumentBuilder extends DefaultDocumentBuilder {
    protected readonly shared: BackplanSharedCoreServices;
    /** Documents connected by imports to the current update's changes, before re-parsing. */
    protected affected = new Set<string>();

    constructor(services: BackplanSharedCoreServices) {
        super(services);
        this.shared = services;
    }

    /** Resolved lazily: the graph's caches depend on this builder. */
    protected get graph(): RunbookGraph {
        return this.shared.workspace.RunbookGraph;
    }

    override async update(changed: URI[], deleted: URI[], cancelToken: CancellationToken = CancellationToken.None): Promise<void> {
        const touched = [...changed, ...deleted].map(u => u.toString());
        this.affected = this.graph.connected(touched);
        await super.update(changed, deleted, cancelToken);
        // A changed document may now import (or be imported by) files it was not connected
        // to before the edit: bring those up to date as well.
        const now = this.graph.connected(touched);
        const extra: LangiumDocument[] = [];
        for (const uri of now) {
            if (this.affected.has(uri)) continue;
            const doc = this.langiumDocuments.getDocument(URI.parse(uri));
            if (doc && doc.state >= DocumentState.ComputedScopes) {
                this.resetToState(doc, DocumentState.ComputedScopes);
                extra.push(doc);
            }
        }
        this.affected = new Set();
        if (extra.length > 0) {
            await this.buildDocuments(extra, this.updateBuildOptions, cancelToken);
        }
    }

    protected override shouldRelink(document: LangiumDocument, changedUris: Set<string>): boolean {
        return this.affected.has(document.uri.toString()) || super.shouldRelink(document, changedUris);
    }
}
