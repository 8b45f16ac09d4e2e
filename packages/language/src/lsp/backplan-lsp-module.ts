/**
 * The language server's services: Backplan's core module plus Langium's LSP module and the
 * Backplan LSP slots (quick fixes, hover, completion, formatting, inlay hints, the docs they
 * quote, diagnostics that link to their rule, …).
 */
import { inject, type Module } from 'langium';
import {
    createDefaultModule, createDefaultSharedModule,
    type DefaultSharedModuleContext, type LangiumServices, type LangiumSharedServices, type PartialLangiumServices,
    type PartialLangiumSharedServices
} from 'langium/lsp';
import { BackplanModule, BackplanSharedModule, type BackplanAddedServices } from '../backplan-module.js';
import { BackplanGeneratedModule, BackplanGeneratedSharedModule } from '../generated/module.js';
import { registerValidationChecks } from '../validation/backplan-validator.js';
import type { BackplanSharedCoreServices } from '../workspace/backplan-document-builder.js';
import { BackplanCodeActionProvider } from './backplan-code-action-provider.js';
import { BackplanCompletionProvider } from './backplan-completion-provider.js';
import { BackplanDocumentLinkProvider } from './backplan-document-link-provider.js';
import { BackplanFoldingRangeProvider } from './backplan-folding-range-provider.js';
import { BackplanFormatter } from './backplan-formatter.js';
import { BackplanHoverProvider } from './backplan-hover-provider.js';
import { BackplanInlayHintProvider } from './backplan-inlay-hint-provider.js';
import { BackplanNodeKindProvider } from './backplan-node-kind-provider.js';
import { BackplanRenameProvider } from './backplan-rename-provider.js';
import { BackplanSemanticTokenProvider } from './backplan-semantic-token-provider.js';
import { BackplanWorkspaceManager } from './backplan-workspace-manager.js';
import { BackplanLspDocumentValidator } from './backplan-lsp-document-validator.js';
import { DocLinks } from './doc-files.js';
import { DefaultImportLoader, type ImportLoader } from './import-loader.js';
import { DefaultKeywordDocumentation, type KeywordDocumentation } from './keyword-documentation.js';
import { DefaultRuleDocumentation, type RuleDocumentation } from './rule-documentation.js';

/** Services the language server adds to the shared ones. */
export type BackplanSharedLspAddedServices = {
    workspace: { ImportLoader: ImportLoader };
    lsp: { RuleDocumentation: RuleDocumentation; KeywordDocumentation: KeywordDocumentation; DocLinks: DocLinks };
};

/** Shared services of the language server. */
export type BackplanSharedLspServices = LangiumSharedServices & BackplanSharedCoreServices & BackplanSharedLspAddedServices;

/** Language services of the language server. */
export type BackplanLspServices = LangiumServices & BackplanAddedServices & { shared: BackplanSharedLspServices };

/** Backplan's LSP slots (each in its own file under `lsp/`). */
export const BackplanLspModule: Module<BackplanLspServices, PartialLangiumServices> = {
    validation: {
        DocumentValidator: services => new BackplanLspDocumentValidator(services)
    },
    lsp: {
        CodeActionProvider: services => new BackplanCodeActionProvider(services),
        CompletionProvider: services => new BackplanCompletionProvider(services),
        DocumentLinkProvider: services => new BackplanDocumentLinkProvider(services),
        RenameProvider: services => new BackplanRenameProvider(services),
        HoverProvider: services => new BackplanHoverProvider(services),
        Formatter: () => new BackplanFormatter(),
        InlayHintProvider: services => new BackplanInlayHintProvider(services),
        SemanticTokenProvider: services => new BackplanSemanticTokenProvider(services),
        FoldingRangeProvider: services => new BackplanFoldingRangeProvider(services)
    }
};

/** Backplan's shared LSP slots: workspace loading. */
export const BackplanSharedLspModule: Module<BackplanSharedLspServices, PartialLangiumSharedServices & BackplanSharedLspAddedServices> = {
    workspace: {
        WorkspaceManager: shared => new BackplanWorkspaceManager(shared),
        ImportLoader: shared => new DefaultImportLoader(shared)
    },
    lsp: {
        DocLinks: shared => new DocLinks(shared),
        RuleDocumentation: shared => new DefaultRuleDocumentation(shared),
        KeywordDocumentation: shared => new DefaultKeywordDocumentation(shared),
        NodeKindProvider: () => new BackplanNodeKindProvider()
    }
};

/** Creates the services of the language server. */
export function createBackplanLspServices(context: DefaultSharedModuleContext): {
    shared: BackplanSharedLspServices; Backplan: BackplanLspServices;
} {
    const shared = inject(
        createDefaultSharedModule(context),
        BackplanGeneratedSharedModule,
        BackplanSharedModule as Module<LangiumSharedServices, object>,
        BackplanSharedLspModule as Module<LangiumSharedServices, object>
    ) as BackplanSharedLspServices;
    const Backplan = inject(
        createDefaultModule({ shared }),
        BackplanGeneratedModule,
        BackplanModule as Module<LangiumServices, object>,
        BackplanLspModule as Module<LangiumServices, object>
    ) as BackplanLspServices;
    shared.ServiceRegistry.register(Backplan);
    registerValidationChecks(Backplan);
    // Eager: they listen to builds and to the initialize request from the start.
    void shared.workspace.ImportLoader;
    void shared.lsp.DocLinks;
    void shared.lsp.RuleDocumentation;
    void shared.lsp.KeywordDocumentation;
    if (!context.connection) {
        // Without a client there is no configuration request to wait for.
        shared.workspace.ConfigurationProvider.initialized({});
    }
    return { shared, Backplan };
}
