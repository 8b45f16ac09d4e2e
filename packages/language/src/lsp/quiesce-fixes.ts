/**
 * Quick fixes for the stop-window rules (DESIGN §10), keyed on the diagnostic's code:
 *
 *   quiesce.conflict        remove `snapshot` (keep the dump), or remove `dump`/`load` (keep the snapshot)
 *   server.dump-incomplete  add the missing `load "…"` or `dump "…"` line
 *   restore.no-stop,
 *   backup.no-stop          add `stop "…"` / `start "…"` lines to the server
 *   exclude.invalid         an absolute pattern inside the data folder → relative to it
 *                           (any other absolute one: without its leading `/`)
 */
import { AstUtils, GrammarUtils, type AstNode, type LangiumDocument } from 'langium';
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { isServer, type Server } from '../generated/ast.js';
import { normalizePath, pathContains } from '../model/posix-path.js';
import { addBlockAttributes, removeAttribute, stringLiteral } from './source-edits.js';

/** What a stop-window fix needs: the document, the diagnostic, the node under its start. */
export interface QuiesceFixContext {
    readonly document: LangiumDocument;
    readonly diagnostic: Diagnostic;
    readonly node: AstNode;
}

/** A quick fix that applies `changes`. */
export function quickFix(title: string, diagnostic: Diagnostic, changes: Record<string, TextEdit[]>, isPreferred = false): CodeAction {
    return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred, edit: { changes } };
}

/** Adds skeleton `stop "…"` / `start "…"` lines (those missing) to a server, wherever it is declared. */
export function addStopStart(server: Server, diagnostic: Diagnostic): CodeAction[] {
    const missing = [
        server.stop.length === 0 ? 'stop "…"' : undefined,
        server.start.length === 0 ? 'start "…"' : undefined
    ].filter((a): a is string => a !== undefined);
    const serverDoc = AstUtils.getDocument(server);
    const edit = addBlockAttributes(serverDoc, server, missing);
    if (!edit) return [];
    const what = missing.map(m => `\`${m.split(' ')[0]}\``).join(' and ');
    return [quickFix(`Add ${what} commands to server ${server.name}`, diagnostic, { [serverDoc.uri.toString()]: [edit] }, true)];
}

/** `restore.no-stop`: the dump server under the diagnostic gets `stop`/`start` skeletons. */
export function fixRestoreNoStop(ctx: QuiesceFixContext): CodeAction[] {
    const server = AstUtils.getContainerOfType(ctx.node, isServer);
    return server ? addStopStart(server, ctx.diagnostic) : [];
}

/** `quiesce.conflict`: keep one of the two ways, removing the other's lines. */
export function fixQuiesceConflict(ctx: QuiesceFixContext): CodeAction[] {
    const server = AstUtils.getContainerOfType(ctx.node, isServer);
    const snapshot = server?.snapshot[0]?.$cstNode;
    if (!server || !snapshot) return [];
    const uri = ctx.document.uri.toString();
    const actions = [quickFix(`Keep the dump: remove \`snapshot\` from server ${server.name}`, ctx.diagnostic,
        { [uri]: [removeAttribute(ctx.document, snapshot, snapshot)] })];
    const dumpEdits = (['dump', 'load'] as const).flatMap(keyword => attributeEdits(ctx.document, server, keyword));
    if (dumpEdits.length > 0) {
        actions.push(quickFix(`Keep the snapshot: remove \`dump\`${server.load.length > 0 ? ' and `load`' : ''} from server ${server.name}`, ctx.diagnostic, { [uri]: dumpEdits }));
    }
    return actions;
}

/** `server.dump-incomplete`: add the missing half of the pair. */
export function fixDumpIncomplete(ctx: QuiesceFixContext): CodeAction[] {
    const server = AstUtils.getContainerOfType(ctx.node, isServer);
    if (!server) return [];
    const missing = server.load.length === 0 ? 'load' : server.dump.length === 0 ? 'dump' : undefined;
    const edit = missing && addBlockAttributes(ctx.document, server, [`${missing} "…"`]);
    return edit ? [quickFix(`Add a \`${missing}\` command to server ${server.name}`, ctx.diagnostic, { [ctx.document.uri.toString()]: [edit] }, true)] : [];
}

/** `exclude.invalid` on an absolute pattern: the same place, written relative to the data folder. */
export function fixExcludeInvalid(ctx: QuiesceFixContext): CodeAction[] {
    const server = AstUtils.getContainerOfType(ctx.node, isServer);
    if (!server) return [];
    const offset = ctx.document.textDocument.offsetAt(ctx.diagnostic.range.start);
    const nodes = GrammarUtils.findNodesForProperty(server.$cstNode, 'exclude');
    const index = nodes.findIndex(n => n.offset === offset);
    const pattern = server.exclude[index];
    if (pattern === undefined || !pattern.startsWith('/')) return [];
    const relative = relativeToData(pattern, server.data[0]);
    if (relative === '') return [];
    const edit: TextEdit = { range: nodes[index].range, newText: stringLiteral(relative) };
    return [quickFix(`Write the pattern relative to the data folder: "${relative}"`, ctx.diagnostic, { [ctx.document.uri.toString()]: [edit] }, true)];
}

/** `/srv/ldap/cache` with data `/srv/ldap` → `cache`; an absolute pattern elsewhere loses its leading slashes. */
function relativeToData(pattern: string, data: string | undefined): string {
    if (data?.startsWith('/')) {
        const root = normalizePath(data);
        const path = normalizePath(pattern);
        if (pathContains(root, path)) return path.slice(root === '/' ? 1 : root.length + 1);
    }
    return pattern.replace(/^\/+/, '');
}

/** Edits that remove every `keyword "…"` attribute of a server. */
function attributeEdits(document: LangiumDocument, server: Server, keyword: 'dump' | 'load'): TextEdit[] {
    const keywords = GrammarUtils.findNodesForKeyword(server.$cstNode, keyword);
    const values = GrammarUtils.findNodesForProperty(server.$cstNode, keyword);
    return keywords.map((k, i) => removeAttribute(document, k, values[i] ?? k));
}
