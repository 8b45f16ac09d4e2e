/**
 * Completion: Langium's grammar-driven keywords (roles, `local`, keep periods, `rolling` /
 * `parallel`, attribute keywords where they are valid) and names from the import-scoped
 * ScopeProvider (only what the file and its imports declare). On top of that:
 *
 *   - each keyword carries its documentation from docs/language.md (as its hover does);
 *   - an attribute a declaration already sets once (`data`, `to`, `rolling`…) is not offered
 *     again in it (the attributes of `SINGLE_ATTRIBUTES`, attribute.duplicate's table);
 *   - where a declaration may start, its keyword comes with the declaration's snippets;
 *   - a space is a trigger character: typed right after `on`, `servers`, `to` or `role` it
 *     opens the list of what may follow; anywhere else it yields nothing;
 *   - server names are offered where they make sense: a folder's `on` list offers no mail
 *     server (that is `folder.on-mail-server`) and no server already listed; a backup's
 *     `servers` list (or a drill's) offers no server it already names; a notify block's `for`
 *     list offers no block it already names. Each name says what it is (`catalog server on ssh://…`,
 *     `backup of Mail1 to Vault, 0 2 * * *`, `drill of Mail1 from Vault`).
 */
import { AstUtils, GrammarAST, GrammarUtils, stream, type AstNodeDescription, type LangiumDocument, type ReferenceInfo, type Stream } from 'langium';
import {
    DefaultCompletionProvider, type CompletionAcceptor, type CompletionContext, type CompletionProviderOptions, type CompletionValueItem
} from 'langium/lsp';
import {
    CompletionItemKind, CompletionList, CompletionTriggerKind, InsertTextFormat, type CancellationToken, type CompletionParams
} from 'vscode-languageserver';
import { isBackup, isDrill, isFolder, isNotifyFor, isServer, isServerList, isTape, type Backup, type Drill, type Server } from '../generated/ast.js';
import { first, serverRole } from '../model/declarations.js';
import { SINGLE_ATTRIBUTES } from '../validation/attribute-rules.js';
import type { BackplanLspServices } from './backplan-lsp-module.js';
import { DECLARATION_SNIPPETS } from './declaration-snippets.js';
import { attributeOf, declarationOf, sectionOf } from './keyword-context.js';
import type { KeywordDocumentation } from './keyword-documentation.js';

/** Keywords after which a typed space opens completion: a name or a role follows them. */
export const OPENS_COMPLETION: ReadonlySet<string> = new Set(['on', 'servers', 'to', 'role']);
import { tapeWhere } from './coverage-text.js';

/** Grammar-driven completion with Backplan's filtering and details. */
export class BackplanCompletionProvider extends DefaultCompletionProvider {
    override readonly completionOptions: CompletionProviderOptions = { triggerCharacters: [' '] };
    protected readonly keywordDocs: KeywordDocumentation;

    constructor(services: BackplanLspServices) {
        super(services);
        this.keywordDocs = services.shared.lsp.KeywordDocumentation;
    }

    /** Completion; for a typed space, only right after a keyword of {@link OPENS_COMPLETION}. */
    override async getCompletion(document: LangiumDocument, params: CompletionParams, cancelToken?: CancellationToken): Promise<CompletionList | undefined> {
        const trigger = params.context;
        if (trigger?.triggerKind === CompletionTriggerKind.TriggerCharacter && trigger.triggerCharacter === ' '
            && !this.opensAfterSpace(document, document.textDocument.offsetAt(params.position))) {
            return CompletionList.create([], false);
        }
        return super.getCompletion(document, params, cancelToken);
    }

    /** Whether the text before `offset` is one of the keywords that open completion, then blanks (not in a string or comment). */
    protected opensAfterSpace(document: LangiumDocument, offset: number): boolean {
        const text = document.textDocument.getText();
        const lexed = this.lexer.tokenize(text);
        const end = (t: { startOffset: number; image: string }) => t.startOffset + t.image.length;
        if ([...lexed.tokens, ...lexed.hidden].some(t => t.startOffset < offset && offset < end(t))) return false;
        const before = lexed.tokens.filter(t => end(t) <= offset).pop();
        return before !== undefined && OPENS_COMPLETION.has(before.image) && before.tokenType.name === before.image
            && text.slice(end(before), offset).trim() === '';
    }

    protected override completionForKeyword(context: CompletionContext, keyword: GrammarAST.Keyword, acceptor: CompletionAcceptor): void {
        if (!this.filterKeyword(context, keyword) || this.alreadySet(context, keyword)) return;
        const doc = this.keywordDocs.describe(keyword.value, sectionOf(context.node));
        const documentation = doc && { kind: 'markdown' as const, value: doc.markdown };
        acceptor(context, {
            label: keyword.value, kind: CompletionItemKind.Keyword, detail: doc?.detail ?? 'Keyword', documentation, sortText: '1'
        });
        if (declarationOf(context.node) && this.insideDeclaration(context)) return;
        for (const snippet of DECLARATION_SNIPPETS[keyword.value] ?? []) {
            acceptor(context, {
                label: keyword.value, labelDetails: { description: snippet.description }, kind: CompletionItemKind.Snippet,
                detail: snippet.description, documentation, insertText: snippet.body, insertTextFormat: InsertTextFormat.Snippet, sortText: '2'
            });
        }
    }

    /** Whether the cursor is inside the declaration of the context node (not after it). */
    protected insideDeclaration(context: CompletionContext): boolean {
        const cst = declarationOf(context.node)?.$cstNode;
        return cst !== undefined && cst.offset < context.offset && context.offset < cst.end;
    }

    /** A single attribute the declaration around the cursor already sets, somewhere other than at the cursor. */
    protected alreadySet(context: CompletionContext, keyword: GrammarAST.Keyword): boolean {
        const declaration = declarationOf(context.node);
        if (!declaration?.$cstNode || !this.insideDeclaration(context)) return false;
        const rule = this.grammar.rules.find(r => GrammarAST.isParserRule(r) && r.name === declaration.$type);
        const property = rule && GrammarAST.isParserRule(rule) ? attributeOf(keyword, rule) : undefined;
        if (!property || !SINGLE_ATTRIBUTES[declaration.$type]?.includes(property)) return false;
        return GrammarUtils.findNodesForProperty(declaration.$cstNode, property)
            .some(n => context.offset < n.offset || context.offset > n.end);
    }

    protected override getReferenceCandidates(refInfo: ReferenceInfo, context: CompletionContext): Stream<AstNodeDescription> {
        const candidates = super.getReferenceCandidates(refInfo, context);
        const container = refInfo.container;
        let listed: Set<string> | undefined;
        let mailAllowed = true;
        if (isFolder(container) && refInfo.property === 'servers') {
            listed = new Set(container.servers.map(r => r.$refText));
            mailAllowed = false;
        } else if (isServerList(container)) {
            const block = AstUtils.getContainerOfType(container, (n): n is Backup | Drill => isBackup(n) || isDrill(n));
            listed = new Set((block?.servers ?? [container]).flatMap(l => l.refs.map(r => r.$refText)));
        } else if (isNotifyFor(container)) {
            listed = new Set(container.refs.map(r => r.$refText));
        }
        if (!listed) return candidates;
        const current = refInfo.reference.$refText;
        return stream(candidates.filter(d => {
            if (d.name !== current && listed!.has(d.name)) return false;
            return mailAllowed || !isServer(d.node) || serverRole(d.node) !== 'mail';
        }).toArray());
    }

    protected override createReferenceCompletionItem(description: AstNodeDescription, refInfo: ReferenceInfo,
        context: CompletionContext): CompletionValueItem {
        const item = super.createReferenceCompletionItem(description, refInfo, context);
        const node = description.node;
        if (isServer(node)) item.detail = serverDetail(node);
        else if (isTape(node)) item.detail = `tape${node.offsite.length > 0 ? ' (off-site)' : ''}${tapeWhere({ at: first(node.at), restic: first(node.restic) }, false)}`;
        else if (isBackup(node)) item.detail = backupDetail(node);
        else if (isDrill(node)) item.detail = drillDetail(node);
        return item;
    }
}

function serverDetail(server: Server): string {
    const role = serverRole(server);
    const master = first(server.role)?.master ? ' master' : '';
    const host = first(server.host);
    const where = host?.local ? ' on local' : host?.url ? ` on ${host.url}` : '';
    return `${role ?? ''}${master} server${where}`.trim();
}

/** `backup of Mail1, Cat1 to Vault, 0 2 * * *` */
function backupDetail(backup: Backup): string {
    const servers = backup.servers.flatMap(l => l.refs.map(r => r.$refText)).join(', ');
    const tape = first(backup.to)?.$refText;
    const schedule = first(backup.schedule);
    return `backup${servers ? ` of ${servers}` : ''}${tape ? ` to ${tape}` : ''}${schedule ? `, ${schedule}` : ''}`;
}

/** `drill of Mail1 from Vault, 0 4 * * 0` */
function drillDetail(drill: Drill): string {
    const servers = drill.servers.flatMap(l => l.refs.map(r => r.$refText)).join(', ');
    const tape = first(drill.from)?.$refText;
    const schedule = first(drill.schedule);
    return `drill${servers ? ` of ${servers}` : ''}${tape ? ` from ${tape}` : ''}${schedule ? `, ${schedule}` : ''}`;
}
