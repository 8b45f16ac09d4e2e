/**
 * Completion: Langium's grammar-driven keywords (roles, `local`, keep periods, `rolling` /
 * `parallel`, attribute keywords where they are valid) and names from the import-scoped
 * ScopeProvider (only what the file and its imports declare). On top of that, server names
 * are offered where they make sense: a folder's `on` list offers no mail server (that is
 * `folder.on-mail-server`) and no server already listed; a backup's `servers` list offers no
 * server it already backs up; a notify block's `for` list offers no backup it already names.
 * Each name says what it is (`catalog server on ssh://…`, `backup of Mail1 to Vault, 02:00`).
 */
import { AstUtils, stream, type AstNodeDescription, type ReferenceInfo, type Stream } from 'langium';
import { DefaultCompletionProvider, type CompletionContext, type CompletionValueItem } from 'langium/lsp';
import { isBackup, isFolder, isNotifyFor, isServer, isServerList, isTape, type Backup, type Server } from '../generated/ast.js';
import { first, serverRole } from '../model/declarations.js';

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
        else if (isTape(node)) item.detail = `tape${node.offsite.length > 0 ? ' (off-site)' : ''}${node.at.length > 0 ? ` at ${first(node.at)}` : ''}`;
        else if (isBackup(node)) item.detail = backupDetail(node);
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
