/**
 * Dependency injection for the Backplan language: the core services (parser, scoping,
 * validation; used by the CLI and the engine) and the slots Backplan adds or overrides.
 * The language server adds its LSP services on top (`lsp/backplan-lsp-module.ts`).
 */
import {
    createDefaultCoreModule, createDefaultSharedCoreModule, inject,
    type DefaultSharedCoreModuleContext, type LangiumCoreServices, type LangiumSharedCoreServices,
    type Module, type PartialLangiumCoreServices
} from 'langium';
import { BackplanGeneratedModule, BackplanGeneratedSharedModule } from './generated/module.js';
import { createBackplanParser } from './parser/backplan-parser.js';
import { BackplanLinker } from './references/backplan-linker.js';
import { BackplanScopeProvider } from './references/backplan-scope-provider.js';
import { BackplanDocumentValidator } from './validation/backplan-document-validator.js';
import { registerValidationChecks } from './validation/backplan-validator.js';
import { RunbookValidator } from './validation/runbook-validator.js';
import { BackplanDocumentBuilder, type BackplanSharedCoreServices } from './workspace/backplan-document-builder.js';
import { DefaultRunbookGraph, type RunbookGraph } from './workspace/runbook-graph.js';

/** Services Backplan adds to Langium's. */
export type BackplanAddedServices = {
    validation: { RunbookValidator: RunbookValidator };
    workspace: { RunbookGraph: RunbookGraph };
};

/** The core services of the Backplan language. */
export type BackplanServices = LangiumCoreServices & BackplanAddedServices & { shared: BackplanSharedCoreServices };

/** Backplan's language-level slots. */
export const BackplanModule: Module<BackplanServices, PartialLangiumCoreServices & BackplanAddedServices> = {
    parser: {
        LangiumParser: services => createBackplanParser(services)
    },
    references: {
        ScopeProvider: services => new BackplanScopeProvider(services),
        Linker: services => new BackplanLinker(services)
    },
    validation: {
        DocumentValidator: services => new BackplanDocumentValidator(services),
        RunbookValidator: services => new RunbookValidator(services.shared)
    },
    workspace: {
        RunbookGraph: services => services.shared.workspace.RunbookGraph
    }
};

/** Backplan's shared (workspace-level) slots. */
export const BackplanSharedModule: Module<BackplanSharedCoreServices, { workspace: Partial<BackplanSharedCoreServices['workspace']> & { RunbookGraph: RunbookGraph } }> = {
    workspace: {
        RunbookGraph: shared => new DefaultRunbookGraph(shared),
        DocumentBuilder: shared => new BackplanDocumentBuilder(shared)
    }
};

/** Creates the core services (no LSP): for the CLI, the engine and tests. */
export function createBackplanCoreServices(context: DefaultSharedCoreModuleContext): {
    shared: BackplanSharedCoreServices; Backplan: BackplanServices;
} {
    const shared = inject(
        createDefaultSharedCoreModule(context),
        BackplanGeneratedSharedModule,
        BackplanSharedModule as Module<LangiumSharedCoreServices, object>
    ) as BackplanSharedCoreServices;
    const Backplan = inject(
        createDefaultCoreModule({ shared }),
        BackplanGeneratedModule,
        BackplanModule as Module<LangiumCoreServices, object>
    ) as BackplanServices;
    shared.ServiceRegistry.register(Backplan);
    registerValidationChecks(Backplan);
    return { shared, Backplan };
}
