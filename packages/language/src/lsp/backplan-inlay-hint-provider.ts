/**
 * Inlay hints: after each folder's name its copies (`3 copies · 1 off-site`), after each
 * mail server's name the copies of its mail data. Read from the runbook's coverage model,
 * built once per update, so hints over 10,000 folders cost one map lookup each.
 */
import { GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import { AbstractInlayHintProvider, type InlayHintAcceptor } from 'langium/lsp';
import type { CancellationToken, InlayHint, InlayHintParams } from 'vscode-languageserver';
import { isFolder, isServer } from '../generated/ast.js';
import type { Coverage } from '../model/coverage.js';
import type { RunbookModel } from '../model/runbook-model.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import type { BackplanLspServices } from './backplan-lsp-module.js';
import { copiesSummary } from './coverage-text.js';

/** Copies after folder and mail server names. */
export class BackplanInlayHintProvider extends AbstractInlayHintProvider {
    protected readonly graph: RunbookGraph;
    protected model?: RunbookModel;

    constructor(services: BackplanLspServices) {
        super();
        this.graph = services.workspace.RunbookGraph;
    }

    override async getInlayHints(document: LangiumDocument, params: InlayHintParams, cancelToken?: CancellationToken): Promise<InlayHint[] | undefined> {
        this.model = this.graph.modelsOf(document.uri)[0];
        if (!this.model) return [];
        try {
            return await super.getInlayHints(document, params, cancelToken);
        } finally {
            this.model = undefined;
        }
    }

    computeInlayHint(node: AstNode, acceptor: InlayHintAcceptor): void {
        const model = this.model;
        if (!model) return;
        let coverage: Coverage | undefined;
        let prefix = '';
        if (isFolder(node)) {
            const folder = model.folder(node);
            coverage = folder && model.coverage.get(folder);
        } else if (isServer(node)) {
            const server = model.server(node);
            coverage = server && model.coverage.get(server);
            prefix = 'mail: ';
        }
        const name = coverage && GrammarUtils.findNodeForProperty(node.$cstNode, 'name');
        if (!coverage || !name) return;
        acceptor({
            position: name.range.end,
            label: `${prefix}${copiesSummary(coverage, model.requireOffsite)}`,
            paddingLeft: true,
            paddingRight: true,
            tooltip: `${coverage.servers.map(s => s.name).concat(coverage.tapes.map(t => `tape ${t.tape.name}${t.tape.offsite ? ' (off-site)' : ''}`)).join(', ') || 'no copy'}`
        });
    }
}
