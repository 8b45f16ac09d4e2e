/**
 * Diagnostics as the editor gets them: each Backplan code links (`codeDescription.href`) to
 * its own section of docs/rules.md, so the code in a problem's hover opens that rule. The
 * CLI's validator (no language server) reports the same diagnostics without the link.
 */
import type { LangiumDocument, ValidationOptions } from 'langium';
import type { CancellationToken, Diagnostic } from 'vscode-languageserver';
import { BackplanDocumentValidator } from '../validation/backplan-document-validator.js';
import type { BackplanLspServices } from './backplan-lsp-module.js';
import type { RuleDocumentation } from './rule-documentation.js';

/** The core validator plus rule links. */
export class BackplanLspDocumentValidator extends BackplanDocumentValidator {
    protected readonly ruleDocs: RuleDocumentation;

    constructor(services: BackplanLspServices) {
        super(services);
        this.ruleDocs = services.shared.lsp.RuleDocumentation;
    }

    override async validateDocument(document: LangiumDocument, options?: ValidationOptions, cancelToken?: CancellationToken): Promise<Diagnostic[]> {
        const diagnostics = await super.validateDocument(document, options, cancelToken);
        for (const diagnostic of diagnostics) {
            const href = typeof diagnostic.code === 'string' ? this.ruleDocs.link(diagnostic.code) : undefined;
            if (href) diagnostic.codeDescription = { href };
        }
        return diagnostics;
    }
}
