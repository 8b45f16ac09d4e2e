/**
 * Hover: a declaration's kind and `/** … *\/` documentation; for a folder or a mail server,
 * its copies and where they live (from the coverage model); for a diagnostic under the
 * cursor, the rule's explanation from docs/rules.md.
 */
import { AstUtils, DocumentState, type AstNode, type DocumentBuilder, type LangiumDocument } from 'langium';
import { MultilineCommentHoverProvider } from 'langium/lsp';
import type { CancellationToken, Hover, HoverParams } from 'vscode-languageserver';
import { isBackup, isFolder, isServer, isTape, type Backup, type Server, type Tape } from '../generated/ast.js';
import type { RunbookModel } from '../model/runbook-model.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import type { BackplanLspServices } from './backplan-lsp-module.js';
import { copiesMarkdown, copiesSummary, hostText, tapeWhere } from './coverage-text.js';
import type { RuleDocumentation } from './rule-documentation.js';

/** Hover with coverage and rule explanations. */
export class BackplanHoverProvider extends MultilineCommentHoverProvider {
    protected readonly graph: RunbookGraph;
    protected readonly ruleDocs: RuleDocumentation;
    protected readonly builder: DocumentBuilder;

    constructor(services: BackplanLspServices) {
        super(services);
        this.graph = services.workspace.RunbookGraph;
        this.ruleDocs = services.shared.lsp.RuleDocumentation;
        this.builder = services.shared.workspace.DocumentBuilder;
    }

    /**
     * Hover content. Waits until the document's diagnostics are computed (they explain the
     * rules under the cursor), unless the request is cancelled first.
     */
    override async getHoverContent(document: LangiumDocument, params: HoverParams, cancelToken?: CancellationToken): Promise<Hover | undefined> {
        if (document.state < DocumentState.Validated) {
            try {
                await this.builder.waitUntil(DocumentState.Validated, document.uri, cancelToken);
            } catch {
                // Cancelled: answer with what is known.
            }
        }
        const parts: string[] = [];
        const declaration = await super.getHoverContent(document, params);
        if (declaration && typeof declaration.contents === 'object' && 'value' in declaration.contents) {
            parts.push(declaration.contents.value);
        }
        parts.push(...this.diagnosticsAt(document, params));
        return parts.length > 0 ? { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') } } : undefined;
    }

    /** Explanations of the rules whose diagnostics cover the position. */
    protected diagnosticsAt(document: LangiumDocument, params: HoverParams): string[] {
        const offset = document.textDocument.offsetAt(params.position);
        const codes = new Set<string>();
        for (const d of document.diagnostics ?? []) {
            const start = document.textDocument.offsetAt(d.range.start);
            const end = document.textDocument.offsetAt(d.range.end);
            if (typeof d.code === 'string' && start <= offset && offset <= end) codes.add(d.code);
        }
        return [...codes].map(code => this.ruleDocs.explain(code)).filter((t): t is string => t !== undefined);
    }

    protected override getAstNodeHoverContent(node: AstNode): string | undefined {
        const doc = this.documentationProvider.getDocumentation(node);
        const lines = [this.signature(node), doc, this.coverage(node)].filter((l): l is string => Boolean(l));
        return lines.length > 0 ? lines.join('\n\n') : undefined;
    }

    /** `server Cat1` — catalog, master · ssh://admin@cat1 */
    protected signature(node: AstNode): string | undefined {
        const model = this.modelOf(node);
        if (isServer(node)) {
            const server = model?.server(node);
            const role = server?.role ? `${server.role}${server.master ? ', master' : ''}` : 'no role';
            return `**server** \`${node.name}\` — ${role} server on \`${hostText(server?.host)}\`${server?.data ? `, data in \`${server.data}\`` : ''}`;
        }
        if (isTape(node)) {
            const tape = model?.tape(node);
            return `**tape** \`${node.name}\`${tape?.offsite ? ' (off-site)' : ''}${tape ? tapeWhere(tape) : ''}`;
        }
        if (isFolder(node)) return `**folder** \`${node.name}\``;
        if (isBackup(node)) return this.backupSignature(node, model);
        return undefined;
    }

    protected backupSignature(node: Backup, model: RunbookModel | undefined): string {
        const backup = model?.backup(node);
        const mode = !backup || backup.parallel === 1 ? 'rolling' : `parallel ${backup.parallel}`;
        const servers = backup?.servers.map(s => s.name).join(', ') || 'no servers';
        return `**backup** \`${node.name}\` — ${servers} to ${backup?.tape ? `\`${backup.tape.name}\`` : 'no tape'}, ${mode}`;
    }

    /** Copies of a folder or of a mail server's data. */
    protected coverage(node: AstNode): string | undefined {
        const model = this.modelOf(node);
        if (!model) return undefined;
        if (isFolder(node)) {
            const folder = model.folder(node);
            const coverage = folder && model.coverage.get(folder);
            return coverage && `${copiesSummary(coverage, model.requireOffsite)}:\n${copiesMarkdown(coverage, folder.path)}`;
        }
        if (isServer(node)) return this.serverCoverage(node, model);
        if (isTape(node)) return this.tapeUse(node, model);
        return undefined;
    }

    /** A mail server's copies, or the folders a catalog server holds. */
    protected serverCoverage(node: Server, model: RunbookModel): string | undefined {
        const server = model.server(node);
        const coverage = server && model.coverage.get(server);
        if (coverage) return `Mail data: ${copiesSummary(coverage, model.requireOffsite)}:\n${copiesMarkdown(coverage)}`;
        const folders = (server && model.foldersOf.get(server)) ?? [];
        if (folders.length === 0) return undefined;
        const shown = folders.slice(0, 10).map(f => f.name).join(', ');
        return `Holds ${folders.length} folder${folders.length === 1 ? '' : 's'}: ${shown}${folders.length > 10 ? ', …' : ''}`;
    }

    protected tapeUse(node: Tape, model: RunbookModel): string | undefined {
        const backups = model.backups.filter(b => b.tape?.node === node).map(b => b.name);
        return backups.length > 0 ? `Written by backup ${backups.join(', ')}` : 'No backup writes to this tape';
    }

    /** The runbook model the declaration belongs to (the first, when its file is shared). */
    protected modelOf(node: AstNode): RunbookModel | undefined {
        const uri = AstUtils.getDocument(node).uri;
        return this.graph.modelsOf(uri)[0];
    }
}
