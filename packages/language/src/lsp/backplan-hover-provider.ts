/**
 * Hover: a declaration's kind and `/** … *\/` documentation (a backup's schedule in words, a
 * notify block's events, blocks and target, a drill's servers, tape, pick and schedule); for a folder or a mail server,
 * its copies and where they live (from the coverage model); for a keyword, what it means
 * (docs/language.md, as completion shows it); for a diagnostic under the cursor, its message,
 * code, why the rule exists and a link to the rule's section of docs/rules.md.
 */
import { AstUtils, CstUtils, DocumentState, GrammarAST, type AstNode, type DocumentBuilder, type LangiumDocument } from 'langium';
import { MultilineCommentHoverProvider } from 'langium/lsp';
import { DiagnosticSeverity, type CancellationToken, type Diagnostic, type Hover, type HoverParams } from 'vscode-languageserver';
import { isBackup, isDrill, isFolder, isNotify, isServer, isTape, type Backup, type Drill, type Notify, type Server, type Tape } from '../generated/ast.js';
import { describeSchedule, scheduleProblem } from '../model/cron-schedule.js';
import { first } from '../model/declarations.js';
import type { RunbookModel } from '../model/runbook-model.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import type { BackplanLspServices } from './backplan-lsp-module.js';
import { copiesMarkdown, copiesSummary, hostText, tapeWhere } from './coverage-text.js';
import { sectionOf } from './keyword-context.js';
import type { KeywordDocumentation } from './keyword-documentation.js';
import type { RuleDocumentation } from './rule-documentation.js';

/** Hover with coverage and rule explanations. */
export class BackplanHoverProvider extends MultilineCommentHoverProvider {
    protected readonly graph: RunbookGraph;
    protected readonly ruleDocs: RuleDocumentation;
    protected readonly keywordDocs: KeywordDocumentation;
    protected readonly builder: DocumentBuilder;

    constructor(services: BackplanLspServices) {
        super(services);
        this.graph = services.workspace.RunbookGraph;
        this.ruleDocs = services.shared.lsp.RuleDocumentation;
        this.keywordDocs = services.shared.lsp.KeywordDocumentation;
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
        const keyword = this.keywordAt(document, params);
        if (keyword) parts.push(keyword);
        parts.push(...this.diagnosticsAt(document, params));
        return parts.length > 0 ? { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') } } : undefined;
    }

    /** What the keyword under the cursor means where it is written (a tape's `offsite`, a header's). */
    protected keywordAt(document: LangiumDocument, params: HoverParams): string | undefined {
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(params.position));
        if (!leaf || !GrammarAST.isKeyword(leaf.grammarSource) || !/\p{L}/u.test(leaf.text)) return undefined;
        return this.keywordDocs.describe(leaf.text, sectionOf(leaf.astNode))?.markdown;
    }

    /** The diagnostics that cover the position: message, code, why, and a link to the rule. */
    protected diagnosticsAt(document: LangiumDocument, params: HoverParams): string[] {
        const offset = document.textDocument.offsetAt(params.position);
        const seen = new Set<string>();
        const parts: string[] = [];
        for (const d of document.diagnostics ?? []) {
            const start = document.textDocument.offsetAt(d.range.start);
            const end = document.textDocument.offsetAt(d.range.end);
            if (typeof d.code !== 'string' || offset < start || offset > end) continue;
            const key = `${d.code}\u0000${d.message}`;
            if (seen.has(key)) continue;
            seen.add(key);
            parts.push(this.diagnosticMarkdown(d, d.code));
        }
        return parts;
    }

    /** `**Error** \`coverage.single-copy\`: message`, why the rule exists, the link to it. */
    protected diagnosticMarkdown(diagnostic: Diagnostic, code: string): string {
        const severity = SEVERITY[diagnostic.severity ?? DiagnosticSeverity.Error];
        const lines = [`**${severity}** \`${code}\`: ${markdownMessage(diagnostic.message)}`];
        const why = this.ruleDocs.why(code);
        if (why) lines.push(`*Why:* ${why}`);
        const link = this.ruleDocs.link(code);
        if (link) lines.push(`[Rule \`${code}\`: when, why, how to fix](${link})`);
        return lines.join('\n\n');
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
        if (isNotify(node)) return this.notifySignature(node, model);
        if (isDrill(node)) return this.drillSignature(node, model);
        return undefined;
    }

    protected backupSignature(node: Backup, model: RunbookModel | undefined): string {
        const backup = model?.backup(node);
        const mode = !backup || backup.parallel === 1 ? 'rolling' : `parallel ${backup.parallel}`;
        const servers = backup?.servers.map(s => s.name).join(', ') || 'no servers';
        const when = scheduleText(first(node.schedule));
        const stale = node.staleAfter.length > 0 ? `, stale after ${node.staleAfter[0]}` : '';
        return `**backup** \`${node.name}\` — ${servers} to ${backup?.tape ? `\`${backup.tape.name}\`` : 'no tape'}, ${mode}${when}${stale}`;
    }

    /** `drill Weekly` — Mail1, Cat1 from `Vault`, newest archive; runs at 04:00 on Sunday (`0 4 * * 0`) */
    protected drillSignature(node: Drill, model: RunbookModel | undefined): string {
        const drill = model?.drill(node);
        const servers = drill?.servers.map(s => s.name).join(', ') || 'no servers';
        const from = drill?.tape ? `\`${drill.tape.name}\`` : 'no tape';
        const test = drill?.test ? ', then its `test`' : '';
        return `**drill** \`${node.name}\` — restores ${servers} from ${from}, ${drill?.pick ?? 'newest'} archive${test}${scheduleText(first(node.schedule))}`;
    }

    /** `notify Ops` — on failure, stale of every block · webhook `https://…` */
    protected notifySignature(node: Notify, model: RunbookModel | undefined): string {
        const notify = model?.notifies.find(n => n.node === node);
        const events = (notify?.events ?? []).join(', ');
        const blocks = notify?.blocks ? notify.blocks.map(b => b.name).join(', ') || 'no known block' : 'every block';
        const target = notify?.target;
        const to = !target ? 'no valid target'
            : target.kind === 'command' ? `runs \`${target.command}\`` : `${target.kind} \`${target.url}\``;
        return `**notify** \`${node.name}\` — on ${events} of ${blocks} · ${to}`;
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

const SEVERITY: Record<number, string> = {
    [DiagnosticSeverity.Error]: 'Error',
    [DiagnosticSeverity.Warning]: 'Warning',
    [DiagnosticSeverity.Information]: 'Info',
    [DiagnosticSeverity.Hint]: 'Hint'
};

/**
 * A diagnostic message as Markdown: `backtick` spans stay code, everything else is escaped
 * (a schedule's `*` or a path's `_` is shown as written, not as emphasis).
 */
export function markdownMessage(message: string): string {
    return message.split(/(`[^`]*`)/).map((part, i) => i % 2 === 1 ? part : part.replace(/[\\*_[\]<>#|~]/g, ch => `\\${ch}`)).join('');
}

/** "At 02:00" → "at 02:00", to continue a sentence. */
function lowerFirst(text: string): string {
    return text.charAt(0).toLowerCase() + text.slice(1);
}

/** `; runs at 02:00 (`0 2 * * *`)`, or that the schedule is invalid, or nothing without one. */
function scheduleText(schedule: string | undefined): string {
    if (schedule === undefined) return '';
    return scheduleProblem(schedule) ? `; schedule \`${schedule}\` is invalid` : `; runs ${lowerFirst(describeSchedule(schedule))} (\`${schedule}\`)`;
}
