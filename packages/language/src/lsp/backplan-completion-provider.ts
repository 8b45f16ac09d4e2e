/**
 * Completion: Langium's grammar-driven keywords (roles, `local`, keep periods, `rolling` /
 * `parallel`, attribute keywords where they are valid) and names from the import-scoped
 * ScopeProvider (only what the file and its imports declare). On top of that, server names
 * are offered where they make sense: a folder's `on` list offers no mail server (that is
 * `folder.on-mail-server`) and no server already listed; a backup's `servers` list offers no
 * server it already backs up. Each name says what it is (`catalog server on ssh://…`).
 */
import { AstUtils, stream, type AstNodeDescription, type ReferenceInfo, type Stream } from 'langium';
import { DefaultCompletionProvider, type CompletionContext, type CompletionValueItem } from 'langium/lsp';
import { isBackup, isFolder, isServer, isServerList, isTape, type Server } from '../generated/ast.js';
import { first, serverRole } from '../model/declarations.js';
import { tapeWhere } from './coverage-text.js';

/** Grammar-driven completion with Backplan's filtering and details. */
export class BackplanCompletionProvider extends DefaultCompletionProvider {
    protected override getReferenceCandidates(refInfo: ReferenceInfo, context: CompletionContext): Stream<AstNodeDescription> {
        const candidates = super.getReferenceCandidates(refInfo, context);
        const container = refInfo.container;
        let listed: Set<string> | undefined;
        let mailAllowed = true;
        if (isFolder(container) && refInfo.property === 'servers') {
            listed = new Set(container.servers.map(r => r.$refText));
            mailAllowed = false;
        } else if (isServerList(container)) {
            const backup = AstUtils.getContainerOfType(container, isBackup);
            listed = new Set((backup?.servers ?? [container]).flatMap(l => l.refs.map(r => r.$refText)));
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
