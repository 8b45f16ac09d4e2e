/**
 * Scoping: a name resolves within its file and the files that file imports, transitively.
 * Two unrelated runbooks in one folder never see each other's declarations.
 *
 * One scope per (document, reference type), cached until the next workspace update, so a
 * runbook of 10,000 folders builds one name map, not one per reference.
 */
import { AstUtils, DefaultScopeProvider, MultiMapScope, WorkspaceCache, type ReferenceInfo, type Scope } from 'langium';
import type { BackplanServices } from '../backplan-module.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';

/** Restricts Langium's global scope to the import closure of the referencing document. */
export class BackplanScopeProvider extends DefaultScopeProvider {
    protected readonly graph: RunbookGraph;
    protected readonly closureScopes: WorkspaceCache<string, Scope>;

    constructor(services: BackplanServices) {
        super(services);
        this.graph = services.workspace.RunbookGraph;
        this.closureScopes = new WorkspaceCache(services.shared);
    }

    protected override getGlobalScope(referenceType: string, context: ReferenceInfo): Scope {
        const uri = AstUtils.getDocument(context.container).uri.toString();
        return this.closureScopes.get(`${referenceType}\u0000${uri}`, () =>
            new MultiMapScope(this.indexManager.allElements(referenceType, new Set(this.graph.closure(uri)))));
    }
}
