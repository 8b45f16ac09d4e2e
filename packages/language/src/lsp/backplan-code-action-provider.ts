/**
 * Quick fixes, keyed on the diagnostic's `code` (DESIGN.md §2: "where a fix is mechanical it
 * comes with a quick fix"):
 *
 *   coverage.single-copy      add another catalog server to the folder's `on` (one action per
 *                             server), or add the holder to a backup (one per backup)
 *   coverage.no-offsite       add a holder to a backup whose tape is `offsite`
 *   backup.no-stop            add `stop "…"` / `start "…"` lines to the server, wherever it is
 *   quiesce.conflict, server.dump-incomplete, restore.no-stop, exclude.invalid
 *                             see quiesce-fixes.ts
 *   backup.all-copies-down,
 *   backup.all-catalogs-down  replace `parallel N` with `rolling`
 *   master.incomplete         add the master to the folder's `on`
 *   notify.invalid            no target: add a `webhook`, `healthchecks` or `command` skeleton;
 *                             an extra target: delete it; an unknown `for` name: one of the
 *                             backups or drills it may have meant (closest names first)
 *   drill.invalid             no `from`: one per tape that a backup writes; an unknown `from`:
 *                             the tapes it may have meant; a bad `pick`: newest, oldest, random
 *
 * A fix only names a server that is visible where the name is written (its file or the
 * files that file imports), so the edit never introduces a linking error.
 *
 * Two diagnostics may be fixed by one edit (`parallel 3` → `rolling` clears both
 * `backup.all-copies-down` and `backup.all-catalogs-down`; adding the master to a folder's
 * `on` clears `master.incomplete` and `coverage.single-copy`): such actions are merged into
 * one entry that lists both diagnostics, so no two entries make the same edit.
 *
 * `source.fixAll.backplan` (*Fix all Backplan problems*) applies every mechanical fix of the
 * file: for each of its diagnostics, the preferred fix (the one that needs no choice), edits
 * that overlap an earlier one left for the next run.
 */
import { AstUtils, CstUtils, GrammarUtils, type AstNode, type LangiumDocument, type LangiumDocuments, type MaybePromise } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Command, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { mergeSameEdits, nonOverlapping } from './code-action-edits.js';
import { isConcurrency, isDrill, isFolder, isNotify, isNotifyFor, isServer, isServerList, type Backup, type Folder } from '../generated/ast.js';
import { PICK_ORDERS } from '../model/drill-model.js';
import type { BackupModel, RunbookModel, ServerModel } from '../model/runbook-model.js';
import type { DrillProblem } from '../validation/drill-rules.js';
import type { NotifyProblemData } from '../validation/notify-rules.js';
import { Code } from '../validation/rule-codes.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import type { BackplanLspServices } from './backplan-lsp-module.js';
import { addStopStart, fixDumpIncomplete, fixExcludeInvalid, fixQuiesceConflict, fixRestoreNoStop, quickFix } from './quiesce-fixes.js';
import { addBlockAttributes, appendToList } from './source-edits.js';

/** What a fix needs to know about the diagnostic it fixes. */
interface FixContext {
    readonly document: LangiumDocument;
    readonly diagnostic: Diagnostic;
    /** The AST node under the diagnostic's start. */
    readonly node: AstNode;
    /** Runbooks of the document. */
    readonly models: readonly RunbookModel[];
}

type Fix = (context: FixContext) => CodeAction[];

/** The kind of the source action that applies every mechanical fix of a file. */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.backplan`;

/** Quick fixes for Backplan's rules. */
export class BackplanCodeActionProvider implements CodeActionProvider {
    protected readonly graph: RunbookGraph;
    protected readonly documents: LangiumDocuments;
    protected readonly fixes: Record<string, Fix> = {
        [Code.SingleCopy]: ctx => this.fixSingleCopy(ctx),
        [Code.NoOffsite]: ctx => this.fixNoOffsite(ctx),
        [Code.NoStop]: ctx => this.fixNoStop(ctx),
        [Code.AllCopiesDown]: ctx => this.fixParallel(ctx),
        [Code.AllCatalogsDown]: ctx => this.fixParallel(ctx),
        [Code.MasterIncomplete]: ctx => this.fixMasterIncomplete(ctx),
        [Code.RestoreNoStop]: fixRestoreNoStop,
        [Code.QuiesceConflict]: fixQuiesceConflict,
        [Code.DumpIncomplete]: fixDumpIncomplete,
        [Code.ExcludeInvalid]: fixExcludeInvalid,
        [Code.NotifyInvalid]: ctx => this.fixNotify(ctx),
        [Code.DrillInvalid]: ctx => this.fixDrill(ctx)
    };

    constructor(services: BackplanLspServices) {
        this.graph = services.workspace.RunbookGraph;
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    getCodeActions(document: LangiumDocument, params: CodeActionParams): MaybePromise<Array<Command | CodeAction>> {
        const only = params.context.only;
        const wants = (kind: string) => !only || only.some(o => kind === o || kind.startsWith(`${o}.`));
        const actions: CodeAction[] = [];
        if (wants(CodeActionKind.QuickFix)) actions.push(...this.quickFixes(document, params.context.diagnostics));
        // Only when asked: a source action is not a fix of the diagnostic under the cursor.
        if (only && wants(FIX_ALL_KIND)) {
            const fixAll = this.fixAll(document);
            if (fixAll) actions.push(fixAll);
        }
        return actions;
    }

    /** The quick fixes of the given diagnostics, one entry per distinct edit. */
    protected quickFixes(document: LangiumDocument, diagnostics: readonly Diagnostic[]): CodeAction[] {
        const root = document.parseResult.value.$cstNode;
        if (!root) return [];
        const actions: CodeAction[] = [];
        const models = this.graph.modelsOf(document.uri);
        for (const diagnostic of diagnostics) {
            const fix = typeof diagnostic.code === 'string' ? this.fixes[diagnostic.code] : undefined;
            if (!fix) continue;
            const leaf = CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(diagnostic.range.start));
            if (!leaf) continue;
            actions.push(...fix({ document, diagnostic, node: leaf.astNode, models }));
        }
        return mergeSameEdits(actions);
    }

    /** Every preferred fix of the document's diagnostics, as one action; undefined when there is none. */
    protected fixAll(document: LangiumDocument): CodeAction | undefined {
        const preferred = this.quickFixes(document, document.diagnostics ?? []).filter(a => a.isPreferred && a.edit?.changes);
        const changes = nonOverlapping(preferred.map(a => a.edit!.changes!));
        if (Object.keys(changes).length === 0) return undefined;
        return {
            title: 'Fix all Backplan problems', kind: FIX_ALL_KIND,
            diagnostics: preferred.flatMap(a => a.diagnostics ?? []), edit: { changes }
        };
    }

    /** Folder or mail data with one copy: another holder, or a backup of the holder. */
    protected fixSingleCopy(ctx: FixContext): CodeAction[] {
        const actions: CodeAction[] = [];
        const folder = AstUtils.getContainerOfType(ctx.node, isFolder);
        if (folder) {
            for (const model of ctx.models) {
                const folderModel = model.folder(folder);
                if (!folderModel) continue;
                for (const server of model.servers) {
                    if (server.role !== 'catalog' || folderModel.holders.includes(server)) continue;
                    const action = this.addHolder(ctx, folder, server, `Add ${server.name} to the servers of folder '${folder.name}'`);
                    if (action) actions.push(action);
                }
                for (const holder of folderModel.holders) {
                    for (const backup of model.backups) {
                        const action = this.addToBackup(ctx, backup, holder);
                        if (action) actions.push(action);
                    }
                }
            }
        } else {
            const server = AstUtils.getContainerOfType(ctx.node, isServer);
            const model = ctx.models.find(m => server && m.server(server));
            const serverModel = server && model?.server(server);
            for (const backup of serverModel ? model!.backups : []) {
                const action = this.addToBackup(ctx, backup, serverModel!);
                if (action) actions.push(action);
            }
        }
        return unique(actions);
    }

    /** No copy off-site: back a holder up to an off-site tape. */
    protected fixNoOffsite(ctx: FixContext): CodeAction[] {
        const actions: CodeAction[] = [];
        const folder = AstUtils.getContainerOfType(ctx.node, isFolder);
        const server = folder ? undefined : AstUtils.getContainerOfType(ctx.node, isServer);
        for (const model of ctx.models) {
            const holders: readonly ServerModel[] = folder
                ? model.folder(folder)?.holders ?? []
                : [server && model.server(server)].filter((s): s is ServerModel => s !== undefined);
            for (const backup of model.backups.filter(b => b.tape?.offsite)) {
                for (const holder of holders) {
                    const action = this.addToBackup(ctx, backup, holder, ` (off-site tape ${backup.tape!.name})`);
                    if (action) actions.push(action);
                }
            }
        }
        return unique(actions);
    }

    /** A backed-up server without `stop`/`start`: add skeleton lines to its declaration. */
    protected fixNoStop(ctx: FixContext): CodeAction[] {
        const list = AstUtils.getContainerOfType(ctx.node, isServerList);
        const ref = list?.refs.find(r => r.$refNode && r.$refNode.offset === ctx.document.textDocument.offsetAt(ctx.diagnostic.range.start));
        const server = ref?.ref ?? (list?.refs.length === 1 ? list.refs[0].ref : undefined);
        return server ? addStopStart(server, ctx.diagnostic) : [];
    }

    /** `parallel N` that may stop every copy: `rolling`. */
    protected fixParallel(ctx: FixContext): CodeAction[] {
        const mode = AstUtils.getContainerOfType(ctx.node, isConcurrency);
        const cst = mode?.$cstNode;
        const keyword = cst && GrammarUtils.findNodeForKeyword(cst, 'parallel');
        const count = cst && GrammarUtils.findNodeForProperty(cst, 'parallel');
        if (!keyword || !count) return [];
        const edit: TextEdit = { range: { start: keyword.range.start, end: count.range.end }, newText: 'rolling' };
        return [this.action('Back up one server at a time (`rolling`)', ctx.diagnostic, { [ctx.document.uri.toString()]: [edit] }, true)];
    }

    /** A folder the master lacks: add the master to its `on`. */
    protected fixMasterIncomplete(ctx: FixContext): CodeAction[] {
        const folder = AstUtils.getContainerOfType(ctx.node, isFolder);
        if (!folder) return [];
        const actions: CodeAction[] = [];
        for (const model of ctx.models) {
            const master = model.servers.find(s => s.master && s.role === 'catalog');
            if (!master) continue;
            const action = this.addHolder(ctx, folder, master, `Add master ${master.name} to the servers of folder '${folder.name}'`, true);
            if (action) actions.push(action);
        }
        return unique(actions);
    }

    /** A notify block's problem, by the diagnostic's `data.problem`. */
    protected fixNotify(ctx: FixContext): CodeAction[] {
        const notify = AstUtils.getContainerOfType(ctx.node, isNotify);
        const problem = (ctx.diagnostic.data as Partial<NotifyProblemData> | undefined)?.problem;
        if (!notify) return [];
        const uri = ctx.document.uri.toString();
        if (problem === 'no-target') {
            return NOTIFY_SKELETONS.flatMap(([title, line]) => {
                const edit = addBlockAttributes(ctx.document, notify, [line]);
                return edit ? [this.action(title, ctx.diagnostic, { [uri]: [edit] })] : [];
            });
        }
        if (problem === 'extra-target') {
            const range = targetAttributeRange(ctx.document, ctx.diagnostic.range);
            return range ? [this.action('Delete this target (a block has one)', ctx.diagnostic, { [uri]: [{ range, newText: '' }] }, true)] : [];
        }
        if (problem === 'unknown-for') return this.fixUnknownFor(ctx);
        return [];
    }

    /** `for Nigthly` → `for Nightly`: the backups and drills of the runbook, closest names first. */
    protected fixUnknownFor(ctx: FixContext): CodeAction[] {
        const list = AstUtils.getContainerOfType(ctx.node, isNotifyFor);
        if (!list) return [];
        const taken = new Set(list.refs.map(r => r.$refText));
        const blocks = ctx.models.flatMap(m => [...m.backups, ...m.drills]).filter(b => this.visible(list, b.node) && !taken.has(b.name));
        return this.closestNames(ctx, blocks.map(b => [isDrill(b.node) ? 'drill' : 'backup', b.name] as const));
    }

    /** A drill's problem, by the diagnostic's `data.problem`. */
    protected fixDrill(ctx: FixContext): CodeAction[] {
        const drill = AstUtils.getContainerOfType(ctx.node, isDrill);
        const problem = (ctx.diagnostic.data as { problem?: DrillProblem } | undefined)?.problem;
        if (!drill) return [];
        const uri = ctx.document.uri.toString();
        const tapes = ctx.models.flatMap(m => m.tapes).filter(t => this.visible(drill, t.node));
        if (problem === 'bad-pick') {
            return PICK_ORDERS.map((order, i) => this.action(`Pick the ${order} archive`, ctx.diagnostic, { [uri]: [{ range: ctx.diagnostic.range, newText: order }] }, i === 0));
        }
        if (problem === 'unknown-from') return this.closestNames(ctx, tapes.map(t => ['tape', t.name] as const));
        if (problem !== 'no-from') return [];
        const written = new Set(ctx.models.flatMap(m => m.backups.flatMap(b => b.tape ? [b.tape.name] : [])));
        return [...new Set(tapes.filter(t => written.has(t.name)).map(t => t.name))].flatMap((name, i) => {
            const edit = addBlockAttributes(ctx.document, drill, [`from ${name}`]);
            return edit ? [this.action(`Restore from tape ${name}`, ctx.diagnostic, { [uri]: [edit] }, i === 0)] : [];
        });
    }

    /** Replaces the name under the diagnostic by one of these (kind, name), closest first, at most 3. */
    protected closestNames(ctx: FixContext, candidates: ReadonlyArray<readonly [string, string]>): CodeAction[] {
        const written = ctx.document.textDocument.getText(ctx.diagnostic.range);
        const seen = new Set<string>();
        return candidates.filter(([, name]) => !seen.has(name) && Boolean(seen.add(name)))
            .sort(([, a], [, b]) => editDistance(written, a) - editDistance(written, b) || a.localeCompare(b))
            .slice(0, 3)
            .map(([kind, name], i) => this.action(`Change to ${kind} ${name}`, ctx.diagnostic,
                { [ctx.document.uri.toString()]: [{ range: ctx.diagnostic.range, newText: name }] }, i === 0));
    }

    /** `folder F on A` → `folder F on A, S`. */
    protected addHolder(ctx: FixContext, folder: Folder, server: ServerModel, title: string, preferred = false): CodeAction | undefined {
        const last = folder.servers[folder.servers.length - 1]?.$refNode;
        if (!last || !this.visible(folder, server.node)) return undefined;
        return this.action(title, ctx.diagnostic, { [ctx.document.uri.toString()]: [appendToList(last, server.name)] }, preferred);
    }

    /** `servers A` → `servers A, S` in a backup that does not back S up yet. */
    protected addToBackup(ctx: FixContext, backup: BackupModel, server: ServerModel, note = ''): CodeAction | undefined {
        if (backup.servers.includes(server) || !this.visible(backup.node, server.node)) return undefined;
        const doc = AstUtils.getDocument(backup.node);
        const edit = this.appendServer(doc, backup.node, server.name);
        if (!edit) return undefined;
        return this.action(`Add ${server.name} to backup ${backup.name}${note}`, ctx.diagnostic, { [doc.uri.toString()]: [edit] });
    }

    protected appendServer(doc: LangiumDocument, backup: Backup, name: string): TextEdit | undefined {
        const lists = backup.servers;
        const lastList = lists[lists.length - 1];
        const last = lastList?.refs[lastList.refs.length - 1]?.$refNode;
        if (last) return appendToList(last, name);
        return addBlockAttributes(doc, backup, [`servers ${name}`]);
    }

    /** Whether a declaration's name resolves where `from` is written: its file or the files it imports. */
    protected visible(from: AstNode, declaration: AstNode): boolean {
        const here = AstUtils.getDocument(from).uri.toString();
        return this.graph.closure(here).has(AstUtils.getDocument(declaration).uri.toString());
    }

    protected action(title: string, diagnostic: Diagnostic, changes: Record<string, TextEdit[]>, isPreferred = false): CodeAction {
        return quickFix(title, diagnostic, changes, isPreferred);
    }
}

function unique(actions: CodeAction[]): CodeAction[] {
    const seen = new Set<string>();
    return actions.filter(a => !seen.has(a.title) && Boolean(seen.add(a.title)));
}


/** The targets a notify block without one may get, as titles and skeleton lines. */
const NOTIFY_SKELETONS: ReadonlyArray<readonly [string, string]> = [
    ['Add a `webhook` target (JSON POST of each event)', 'webhook "https://hooks.example.com/backplan"'],
    ['Add a `healthchecks` target (healthchecks.io pings)', 'healthchecks "https://hc-ping.com/UUID"'],
    ['Add a `command` target (runs on the runner)', 'command "/usr/local/bin/page-ops"']
];

/**
 * The text to delete for a target whose value is at `value`: from the end of what precedes
 * its keyword (a comment stays) to the end of the value and of a `;` after it.
 */
function targetAttributeRange(document: LangiumDocument, value: Diagnostic['range']): Diagnostic['range'] | undefined {
    const root = document.parseResult.value.$cstNode;
    const leaf = root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(value.start));
    const keyword = leaf && CstUtils.getPreviousNode(leaf, false);
    const before = keyword && CstUtils.getPreviousNode(keyword, true);
    const after = leaf && CstUtils.getNextNode(leaf, false);
    if (!leaf || !keyword || !before) return undefined;
    const end = after?.text === ';' ? after : leaf;
    return { start: before.range.end, end: end.range.end };
}

/** Levenshtein distance, for "did you mean" (names are short). */
function editDistance(a: string, b: string): number {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) {
            next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        row = next;
    }
    return row[b.length];
}
