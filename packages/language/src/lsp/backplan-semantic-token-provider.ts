/**
 * Semantic highlighting: declarations and references by kind (server, tape, folder, backup),
 * role and period keywords as enum members, counts as numbers. The TextMate grammar colours
 * keywords and strings; these tokens add what only the parser knows.
 *
 *   server, its references   class        tape, its references   struct
 *   folder                   namespace    backup, its references     function
 *   notify                   event        drill                  method
 *   mail, catalog, master,
 *   local, offsite, periods,
 *   notify events, pick      enumMember   N in `keep`/`parallel` number
 */
import type { AstNode } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import {
    isBackup, isConcurrency, isDrill, isFolder, isHost, isKeepRule, isNotify, isNotifyFor, isNotifyOn, isRole, isServer, isServerList, isTape
} from '../generated/ast.js';

const declaration = [SemanticTokenModifiers.declaration];

/** Token types by declaration kind. */
export const DECLARATION_TOKEN_TYPES = {
    Server: SemanticTokenTypes.class,
    Tape: SemanticTokenTypes.struct,
    Folder: SemanticTokenTypes.namespace,
    Backup: SemanticTokenTypes.function,
    Notify: SemanticTokenTypes.event,
    Drill: SemanticTokenTypes.method
} as const;

/** Highlights Backplan's names and values. */
export class BackplanSemanticTokenProvider extends AbstractSemanticTokenProvider {
    protected highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void {
        if (isServer(node)) {
            acceptor({ node, property: 'name', type: DECLARATION_TOKEN_TYPES.Server, modifier: declaration });
        } else if (isTape(node)) {
            acceptor({ node, property: 'name', type: DECLARATION_TOKEN_TYPES.Tape, modifier: declaration });
            if (node.offsite.length > 0) acceptor({ node, keyword: 'offsite', type: SemanticTokenTypes.enumMember });
        } else if (isFolder(node)) {
            acceptor({ node, property: 'name', type: DECLARATION_TOKEN_TYPES.Folder, modifier: declaration });
            node.servers.forEach((_, index) => acceptor({ node, property: 'servers', index, type: DECLARATION_TOKEN_TYPES.Server }));
        } else if (isBackup(node)) {
            acceptor({ node, property: 'name', type: DECLARATION_TOKEN_TYPES.Backup, modifier: declaration });
            node.to.forEach((_, index) => acceptor({ node, property: 'to', index, type: DECLARATION_TOKEN_TYPES.Tape }));
        } else if (isNotify(node)) {
            acceptor({ node, property: 'name', type: DECLARATION_TOKEN_TYPES.Notify, modifier: declaration });
        } else if (isDrill(node)) {
            acceptor({ node, property: 'name', type: DECLARATION_TOKEN_TYPES.Drill, modifier: declaration });
            node.from.forEach((_, index) => acceptor({ node, property: 'from', index, type: DECLARATION_TOKEN_TYPES.Tape }));
            node.pick.forEach((_, index) => acceptor({ node, property: 'pick', index, type: SemanticTokenTypes.enumMember }));
        } else if (isNotifyFor(node)) {
            node.refs.forEach((ref, index) => acceptor({ node, property: 'refs', index, type: isDrill(ref.ref) ? DECLARATION_TOKEN_TYPES.Drill : DECLARATION_TOKEN_TYPES.Backup }));
        } else if (isNotifyOn(node)) {
            node.events.forEach((_, index) => acceptor({ node, property: 'events', index, type: SemanticTokenTypes.enumMember }));
        } else if (isServerList(node)) {
            node.refs.forEach((_, index) => acceptor({ node, property: 'refs', index, type: DECLARATION_TOKEN_TYPES.Server }));
        } else if (isRole(node)) {
            acceptor({ node, property: 'kind', type: SemanticTokenTypes.enumMember });
            if (node.master) acceptor({ node, property: 'master', type: SemanticTokenTypes.enumMember });
        } else if (isHost(node) && node.local) {
            acceptor({ node, property: 'local', type: SemanticTokenTypes.enumMember });
        } else if (isKeepRule(node)) {
            acceptor({ node, property: 'period', type: SemanticTokenTypes.enumMember });
            acceptor({ node, property: 'count', type: SemanticTokenTypes.number });
        } else if (isConcurrency(node)) {
            if (node.rolling) acceptor({ node, property: 'rolling', type: SemanticTokenTypes.enumMember });
            else acceptor({ node, property: 'parallel', type: SemanticTokenTypes.number });
        }
    }
}
