/**
 * The import graph of the workspace, and the runbooks it forms.
 *
 * A runbook is a root file plus everything it imports, transitively. Roots are the loaded
 * files that no other loaded file imports; an import cycle that nothing outside imports
 * forms one runbook rooted at its first file. Names resolve in a file and its import
 * closure; runbook-wide rules (coverage, overlaps, duplicates) run per runbook.
 *
 * Everything here is derived from the parsed documents and cached until the next update.
 */
import { UriUtils, WorkspaceCache, type LangiumDocument, type LangiumDocuments, type LangiumSharedCoreServices, URI } from 'langium';
import type { Document, Import } from '../generated/ast.js';
import { buildRunbookModel, type RunbookModel } from '../model/runbook-model.js';

/** Import graph and runbook structure of the loaded documents. */
export interface RunbookGraph {
    /** The URI an `import` names, resolved against its file's folder. */
    resolveImport(node: Import): URI;
    /** The document an import names, when it is loaded. */
    importedDocument(node: Import): LangiumDocument<Document> | undefined;
    /** The document itself and every document it imports, transitively (URI strings). */
    closure(uri: URI | string): ReadonlySet<string>;
    /** Root URIs of the runbooks the document belongs to. */
    runbooksOf(uri: URI | string): readonly string[];
    /** Every runbook root of the loaded documents. */
    roots(): readonly string[];
    /** The model of the runbook rooted at `root`. */
    model(root: URI | string): RunbookModel;
    /** Models of every runbook the document belongs to. */
    modelsOf(uri: URI | string): RunbookModel[];
    /** Every document connected to the given ones by imports in either direction. */
    connected(uris: Iterable<string>): Set<string>;
}

/** Derives the runbook structure from the documents in `LangiumDocuments`. */
export class DefaultRunbookGraph implements RunbookGraph {
    protected readonly documents: LangiumDocuments;
    protected readonly closures: WorkspaceCache<string, ReadonlySet<string>>;
    protected readonly models: WorkspaceCache<string, RunbookModel>;
    protected readonly structure: WorkspaceCache<'roots', { roots: string[]; runbooksOf: Map<string, string[]> }>;

    constructor(shared: LangiumSharedCoreServices) {
        this.documents = shared.workspace.LangiumDocuments;
        this.closures = new WorkspaceCache(shared);
        this.models = new WorkspaceCache(shared);
        this.structure = new WorkspaceCache(shared);
    }

    resolveImport(node: Import): URI {
        const doc = this.documentOf(node);
        return UriUtils.resolvePath(UriUtils.dirname(doc), node.path);
    }

    importedDocument(node: Import): LangiumDocument<Document> | undefined {
        const target = this.resolveImport(node);
        return this.documents.hasDocument(target) ? this.documents.getDocument(target) as LangiumDocument<Document> : undefined;
    }

    closure(uri: URI | string): ReadonlySet<string> {
        const key = uri.toString();
        return this.closures.get(key, () => {
            const seen = new Set<string>([key]);
            const queue = [key];
            while (queue.length > 0) {
                for (const next of this.importsOf(queue.shift()!)) {
                    if (!seen.has(next)) {
                        seen.add(next);
                        queue.push(next);
                    }
                }
            }
            return seen;
        });
    }

    roots(): readonly string[] {
        return this.computeStructure().roots;
    }

    runbooksOf(uri: URI | string): readonly string[] {
        return this.computeStructure().runbooksOf.get(uri.toString()) ?? [];
    }

    model(root: URI | string): RunbookModel {
        const key = root.toString();
        return this.models.get(key, () => {
            const docs = [...this.closure(key)]
                .map(u => this.loaded(u))
                .filter((d): d is LangiumDocument<Document> => d !== undefined)
                .map(d => ({ uri: d.uri, ast: d.parseResult.value }));
            return buildRunbookModel(URI.parse(key), docs);
        });
    }

    modelsOf(uri: URI | string): RunbookModel[] {
        return this.runbooksOf(uri).map(root => this.model(root));
    }

    connected(uris: Iterable<string>): Set<string> {
        const neighbours = new Map<string, string[]>();
        const link = (a: string, b: string) => {
            if (!neighbours.has(a)) neighbours.set(a, []);
            neighbours.get(a)!.push(b);
        };
        for (const doc of this.documents.all) {
            const from = doc.uri.toString();
            for (const to of this.importsOf(from)) {
                link(from, to);
                link(to, from);
            }
        }
        const seen = new Set(uris);
        const queue = [...seen];
        while (queue.length > 0) {
            for (const next of neighbours.get(queue.shift()!) ?? []) {
                if (!seen.has(next)) {
                    seen.add(next);
                    queue.push(next);
                }
            }
        }
        return seen;
    }

    /** URIs of the loaded documents that a document imports. */
    protected importsOf(uri: string): string[] {
        const doc = this.loaded(uri);
        if (!doc) return [];
        const result: string[] = [];
        for (const imp of doc.parseResult.value.imports ?? []) {
            if (typeof imp.path !== 'string') continue;
            let target: string;
            try {
                target = UriUtils.resolvePath(UriUtils.dirname(doc.uri), imp.path).toString();
            } catch {
                continue; // a path no file can have (a lone surrogate typed in the editor)
            }
            if (this.documents.hasDocument(URI.parse(target))) result.push(target);
        }
        return result;
    }

    protected loaded(uri: string): LangiumDocument<Document> | undefined {
        const doc = this.documents.getDocument(URI.parse(uri));
        return doc?.parseResult?.value?.$type === 'Document' ? doc as LangiumDocument<Document> : undefined;
    }

    protected documentOf(node: Import): URI {
        let root: { $container?: unknown; $document?: LangiumDocument } = node;
        while (root.$container) root = root.$container as typeof root;
        return root.$document!.uri;
    }

    protected computeStructure() {
        return this.structure.get('roots', () => {
            const all = this.documents.all.map(d => d.uri.toString()).toArray().sort();
            const importers = new Map<string, string[]>();
            for (const from of all) {
                for (const to of this.importsOf(from)) {
                    if (!importers.has(to)) importers.set(to, []);
                    importers.get(to)!.push(from);
                }
            }
            const roots: string[] = [];
            const covered = new Set<string>();
            const addRoot = (root: string) => {
                roots.push(root);
                for (const u of this.closure(root)) covered.add(u);
            };
            all.filter(u => !importers.has(u)).forEach(addRoot);
            // Import cycles that nothing outside imports: a member whose importers all lie
            // in its own closure belongs to a root cycle.
            for (const u of all) {
                if (covered.has(u)) continue;
                const closure = this.closure(u);
                if ((importers.get(u) ?? []).every(i => closure.has(i))) addRoot(u);
            }
            const runbooksOf = new Map<string, string[]>();
            for (const root of roots) {
                for (const member of this.closure(root)) {
                    if (!runbooksOf.has(member)) runbooksOf.set(member, []);
                    runbooksOf.get(member)!.push(root);
                }
            }
            return { roots, runbooksOf };
        });
    }
}
