/**
 * Loads the files that runbooks import from outside the workspace folders
 * (`import "../shared/servers.backplan"`), so their names resolve and their diagnostics show:
 * transitively at start-up, and after every build for imports that an edit just added.
 *
 *   queue ← given documents
 *   while queue: for each import of its head whose target is not loaded and exists:
 *                  load the target, queue it
 */
import { DocumentState, URI, type FileSystemProvider, type LangiumDocument, type LangiumDocuments, type WorkspaceLock } from 'langium';
import type { DocumentBuilder } from 'langium';
import type { Document } from '../generated/ast.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import type { BackplanSharedLspServices } from './backplan-lsp-module.js';

/** Loads import targets that the workspace traversal did not find. */
export interface ImportLoader {
    /** Loads every file the given documents import, transitively; returns the new documents. */
    loadImports(documents: readonly LangiumDocument[]): Promise<LangiumDocument[]>;
}

/** Follows imports with the workspace's file system provider. */
export class DefaultImportLoader implements ImportLoader {
    protected readonly documents: LangiumDocuments;
    protected readonly fileSystem: FileSystemProvider;
    protected readonly builder: DocumentBuilder;
    protected readonly lock: WorkspaceLock;
    protected readonly shared: BackplanSharedLspServices;

    constructor(shared: BackplanSharedLspServices) {
        this.shared = shared;
        this.documents = shared.workspace.LangiumDocuments;
        this.fileSystem = shared.workspace.FileSystemProvider;
        this.builder = shared.workspace.DocumentBuilder;
        this.lock = shared.workspace.WorkspaceLock;
        // After each build: an edit may have added an import of a file nobody loaded yet.
        this.builder.onBuildPhase(DocumentState.Validated, docs => { void this.followNewImports(docs); });
    }

    protected get graph(): RunbookGraph {
        return this.shared.workspace.RunbookGraph;
    }

    async loadImports(documents: readonly LangiumDocument[]): Promise<LangiumDocument[]> {
        const loaded: LangiumDocument[] = [];
        const queue = [...documents];
        while (queue.length > 0) {
            for (const target of await this.missingTargets(queue.shift()!)) {
                if (this.documents.hasDocument(target)) continue;
                try {
                    const doc = await this.documents.getOrCreateDocument(target);
                    loaded.push(doc);
                    queue.push(doc);
                } catch {
                    // Unreadable: reported as `import.unresolved` on the import line.
                }
            }
        }
        return loaded;
    }

    /** Import targets of a document that are not loaded but exist on disk. */
    protected async missingTargets(document: LangiumDocument): Promise<URI[]> {
        const root = document.parseResult?.value as Document | undefined;
        const result: URI[] = [];
        for (const imp of root?.imports ?? []) {
            if (typeof imp.path !== 'string' || imp.path === '') continue;
            const target = this.graph.resolveImport(imp);
            if (this.documents.hasDocument(target) || result.some(u => u.toString() === target.toString())) continue;
            if (await this.isFile(target)) result.push(target);
        }
        return result;
    }

    protected async isFile(uri: URI): Promise<boolean> {
        try {
            return (await this.fileSystem.stat(uri)).isFile;
        } catch {
            return false;
        }
    }

    /** Loads the targets of imports added by an edit, through a regular document update. */
    protected async followNewImports(built: readonly LangiumDocument[]): Promise<void> {
        const targets: URI[] = [];
        for (const doc of built) {
            for (const target of await this.missingTargets(doc)) {
                if (!targets.some(t => t.toString() === target.toString())) targets.push(target);
            }
        }
        if (targets.length > 0) {
            // `update` creates the missing documents and re-links the runbooks they join.
            void this.lock.write(token => this.builder.update(targets, [], token));
        }
    }
}
