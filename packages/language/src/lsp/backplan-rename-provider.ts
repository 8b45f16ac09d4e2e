/**
 * Rename across the files of a runbook (Langium's default: every reference that links to
 * the declaration, and references link only within a file and its imports, so unrelated
 * runbooks that reuse the name are untouched), refusing a new name that is not a valid
 * Backplan name or that is a keyword.
 */
import { AstUtils, GrammarAST, type LangiumDocument } from 'langium';
import { DefaultRenameProvider } from 'langium/lsp';
import { ResponseError, type CancellationToken, type RenameParams, type WorkspaceEdit } from 'vscode-languageserver';
import type { BackplanLspServices } from './backplan-lsp-module.js';

const NAME = /^[_a-zA-Z][\w-]*$/;

/** Langium's rename with a check of the new name. */
export class BackplanRenameProvider extends DefaultRenameProvider {
    protected readonly keywords: ReadonlySet<string>;

    constructor(services: BackplanLspServices) {
        super(services);
        this.keywords = new Set(AstUtils.streamAllContents(services.Grammar).filter(GrammarAST.isKeyword).map(k => k.value));
    }

    /**
     * @throws ResponseError (InvalidParams) when the new name is not a valid name; the editor
     * shows its message.
     */
    override async rename(document: LangiumDocument, params: RenameParams, cancelToken?: CancellationToken): Promise<WorkspaceEdit | undefined> {
        if (!NAME.test(params.newName) || this.keywords.has(params.newName)) {
            throw new ResponseError(-32602, `'${params.newName}' is not a valid name: use letters, digits, '_' and '-', starting with a letter or '_', and not a keyword.`);
        }
        return super.rename(document, params, cancelToken);
    }
}
