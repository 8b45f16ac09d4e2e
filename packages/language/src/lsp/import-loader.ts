/**
 * Loads the files that runbooks import from outside the workspace folders
 * (`import "../shared/servers.backplan"`), so their names resolve and their diagnostics show:
 * transitively at start-up, and after every build for imports that an edit just added.
 *
 *   queue ← given documents
 *   while queue: for each import of its head whose target is not loaded and exists:
 *                  load the target, queue it
 */
import { DocumentState, URI, UriUtils, type FileSystemProvider, type LangiumDocument, type LangiumDocuments, type WorkspaceLock } from 'langium';
import type { DocumentBuilder } from 'langium';
import { DidChangeWatchedFilesNotification } from 'vscode-languageserver';
import type { Document } from '../generated/ast.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import { isRunbookPath } from '../workspace/runbook-files.js';
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
    /** Folders outside the workspace whose `.backplan` files the client watches for us. */
    protected readonly watched = new Set<string>();
    protected canWatch = false;

    constructor(shared: BackplanSharedLspServices) {
        this.shared = shared;
        this.documents = shared.workspace.LangiumDocuments;
        this.fileSystem = shared.workspace.FileSystemProvider;
        this.builder = shared.workspace.DocumentBuilder;
        this.lock = shared.workspace.WorkspaceLock;
        // After each build: an edit may have added an import of a file nobody loaded yet.
        this.builder.onBuildPhase(DocumentState.Validated, docs => { void this.followNewImports(docs); });
        shared.lsp.LanguageServer.onInitialize(params => {
            const watch = params.capabilities.workspace?.didChangeWatchedFiles;
            this.canWatch = Boolean(watch?.dynamicRegistration && watch.relativePatternSupport);
        });
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
                    this.watch(target);
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
            // Another kind of file has no language to parse it: `import.unresolved` says so.
            if (!isRunbookPath(target.path)) continue;
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

    /**
     * Asks the client to report changes to `.backplan` files in the folder of an imported file
     * that lies outside the workspace folders (the client watches only those folders).
     */
    protected watch(uri: URI): void {
        const connection = this.shared.lsp.Connection;
        const folder = UriUtils.dirname(uri);
        const key = folder.toString();
        const inside = (this.shared.workspace.WorkspaceManager.workspaceFolders ?? [])
            .some(f => key === f.uri || key.startsWith(f.uri.endsWith('/') ? f.uri : f.uri + '/'));
        if (!connection || !this.canWatch || inside || this.watched.has(key)) return;
        this.watched.add(key);
        void connection.client.register(DidChangeWatchedFilesNotification.type, {
            watchers: [{ globPattern: { baseUri: key, pattern: '*.backplan' } }]
        }).catch(() => this.watched.delete(key));
    }

    /** Loads the targets of imports added by an edit, through a regular document update. */
    protected async followNewImports(built: readonly LangiumDocument[]): Promise<void> {
        const targets: URI[] = [];
        for (const doc of built) {
            for (const target of await this.missingTargets(doc)) {
                if (!targets.some(t => t.toString() === target.toString())) targets.push(target);
            }
        }
        targets.forEach(t => this.watch(t));
        if (targets.length > 0) {
            // `update` creates the missing documents and re-links the runbooks they join.
            void this.lock.write(token => this.builder.update(targets, [], token));
        }
    }
}
