/**
 * The runbook model: one runbook (a root file plus everything it imports) as plain data with
 * its references resolved, and the coverage of every folder and mail server computed once.
 *
 *   servers, tapes, folders, backups  ← declarations of every document of the runbook
 *   tapesOf(server)                   ← one pass over every backup's server list
 *   coverage(folder)                  = holders ∪ ⋃ tapesOf(holder)
 *   coverage(mail server)             = {server} ∪ tapesOf(server)
 *   notifies                          ← `notify` blocks, `for` resolved to backups and drills
 *   drills                            ← `drill` blocks, servers defaulting to those of
 *                                       the backups that send to `from` (never a copy)
 *
 * Linear in the size of the runbook: every backup reference and every folder holder is
 * visited once. Validators, the CLI and the engine all read coverage from here; there is
 * no second implementation.
 */
import type { URI } from 'langium';
import { isBackup, isDrill, isFolder, isNotify, isServer, isTape } from '../generated/ast.js';
import type { Backup, Document, Drill, Folder, Notify, RunbookHeader, Server, Tape } from '../generated/ast.js';
import { backupParallelism, first, folderPath, isMaster, isOffsite, serverRole } from './declarations.js';
import { parseSshUrl, type HostSpec } from './host-spec.js';
import { computeCoverage, type Coverage } from './coverage.js';
import { durationMs, MAX_TIMER_MS } from './duration.js';
import { excludeProblem } from './exclude-pattern.js';
import { drillPick, drillServers, type ArchivePick } from './drill-model.js';

/**
 * `snapshot`: how a server's data is frozen while its application is stopped (DESIGN §10).
 * `command`: CREATE makes a frozen copy visible at `$BACKPLAN_SNAPSHOT`, DELETE removes it.
 */
export type SnapshotModel = { readonly kind: 'btrfs' } | { readonly kind: 'command'; readonly create: string; readonly delete: string };
import { notifyEvents, notifyTarget, type NotifyEventName, type NotifyTarget } from './notify-model.js';

/** A server as the runner sees it. */
export interface ServerModel {
    readonly name: string;
    readonly node: Server;
    readonly role?: 'mail' | 'catalog';
    readonly master: boolean;
    /** Parsed host; undefined when missing or invalid (see `host.invalid`). */
    readonly host?: HostSpec;
    readonly data?: string;
    readonly stop?: string;
    readonly start?: string;
    /** `timeout`: how long its stop and start commands may take, in ms (undefined: the run's default). */
    readonly timeoutMs?: number;
    /** `snapshot btrfs` / `snapshot "CREATE" "DELETE"`: archive a frozen copy, so the stop window is stop + snapshot + start. */
    readonly snapshot?: SnapshotModel;
    /** `dump`: backed up without a stop; this command's stdout is the archive's content. */
    readonly dump?: string;
    /** `load`: restores a dump, reading it on stdin (between stop and start). */
    readonly load?: string;
    /** `exclude` patterns of every `exclude` line, in order, relative to data (tar's anchored patterns); [] when none. Invalid ones (`exclude.invalid`) are left out. */
    readonly exclude: readonly string[];
    /** `ready`: after a start, retried until it exits 0; only then is the application up. */
    readonly ready?: string;
}

/** Retention of a tape, restic-style `keep` counts (undefined: not given). */
export interface KeepPolicy {
    last?: number; hourly?: number; daily?: number; weekly?: number; monthly?: number; yearly?: number;
}

/** A backup destination. */
export interface TapeModel {
    readonly name: string;
    readonly node: Tape;
    /** `at`: a folder tape's absolute folder (undefined on a restic tape). */
    readonly at?: string;
    /** `restic`: the restic repository string of a restic tape (any restic backend). */
    readonly restic?: string;
    /** `password-file`: the repository's password file, on every host that runs restic. */
    readonly passwordFile?: string;
    readonly offsite: boolean;
    /** `key-file`: manifests on this tape carry an HMAC-SHA256 under the key in this file. */
    readonly keyFile?: string;
    readonly keep: KeepPolicy;
}

/** A catalog folder and the servers it is declared on (deduplicated, in order). */
export interface FolderModel {
    readonly name: string;
    readonly node: Folder;
    /** Path below each holder's data folder. */
    readonly path: string;
    readonly holders: readonly ServerModel[];
}

/** A `backup` block. */
export interface BackupModel {
    readonly name: string;
    readonly node: Backup;
    readonly servers: readonly ServerModel[];
    readonly tape?: TapeModel;
    readonly schedule?: string;
    /** 1 for `rolling` (the default), N for `parallel N`. */
    readonly parallel: number;
    /** `stale after D` in ms (undefined: not given, or invalid, see `duration.invalid`). */
    readonly staleAfterMs?: number;
}

/** A `drill` block (DESIGN §11): restore archives of a tape into scratch and test them. */
export interface DrillModel {
    readonly name: string;
    readonly node: Drill;
    /** The servers drilled: the `servers` list, else every server some backup sends to `from`. */
    readonly servers: readonly ServerModel[];
    /** Whether the servers were listed (rather than taken from the backups). */
    readonly serversListed: boolean;
    /** `from`: the tape whose archives are restored. */
    readonly tape?: TapeModel;
    readonly schedule?: string;
    /** `pick`: newest (the default), oldest or random (reproducible from the run ID). */
    readonly pick: ArchivePick;
    /** `test`: the command run on the restored copy (BACKPLAN_DRILL_DIR, BACKPLAN_SERVER, BACKPLAN_ARCHIVE). */
    readonly test?: string;
}

/** A block that runs on its own and sends events: a backup or a drill. */
export type BlockModel = BackupModel | DrillModel;

/** A `notify` block. */
export interface NotifyModel {
    readonly name: string;
    readonly node: Notify;
    /** `on …`, else failure and stale. */
    readonly events: readonly NotifyEventName[];
    /** The one valid target; undefined when there is none or more than one (`notify.invalid`). */
    readonly target?: NotifyTarget;
    /** `for …`: the blocks it is about (backups and drills); undefined: every block. */
    readonly blocks?: readonly BlockModel[];
}

/** One runbook with its coverage. */
export interface RunbookModel {
    /** The root document's URI. */
    readonly root: URI;
    /** URIs (as strings) of every document of the runbook. */
    readonly uris: ReadonlySet<string>;
    readonly title?: string;
    /** Every `runbook` header (one is allowed). */
    readonly headers: readonly RunbookHeader[];
    readonly requireOffsite: boolean;
    readonly servers: readonly ServerModel[];
    readonly tapes: readonly TapeModel[];
    readonly folders: readonly FolderModel[];
    readonly backups: readonly BackupModel[];
    readonly notifies: readonly NotifyModel[];
    /** `drill` blocks, in file order. */
    readonly drills: readonly DrillModel[];
    /** Coverage of each folder, and of each mail server's data. */
    readonly coverage: ReadonlyMap<FolderModel | ServerModel, Coverage>;
    /** Folders held by each server. */
    readonly foldersOf: ReadonlyMap<ServerModel, readonly FolderModel[]>;
    /** The model of a server node of this runbook. */
    server(node: Server): ServerModel | undefined;
    /** The model of a tape node of this runbook. */
    tape(node: Tape): TapeModel | undefined;
    /** The model of a folder node of this runbook (constant time: LSP features ask once per folder). */
    folder(node: Folder): FolderModel | undefined;
    /** The model of a backup node of this runbook. */
    backup(node: Backup): BackupModel | undefined;
    /** The model of a drill node of this runbook. */
    drill(node: Drill): DrillModel | undefined;
    /** The notify blocks that want an event of a block, in file order. */
    notifiesFor(block: string, event: NotifyEventName): NotifyModel[];
}

/** A runbook's declarations by kind, in file order (root first). */
interface Declarations {
    readonly headers: RunbookHeader[];
    readonly servers: Server[];
    readonly tapes: Tape[];
    readonly folders: Folder[];
    readonly backups: Backup[];
    readonly notifies: Notify[];
    readonly drills: Drill[];
}

/** Sorts the documents' named declarations by kind (one cut short by a syntax error is left out: the parser reports it). */
function collectDeclarations(documents: ReadonlyArray<{ ast: Document }>): Declarations {
    const found: Declarations = { headers: [], servers: [], tapes: [], folders: [], backups: [], notifies: [], drills: [] };
    for (const { ast } of documents) {
        found.headers.push(...ast.headers);
        for (const decl of ast.declarations) {
            if (!decl.name) continue;
            if (isServer(decl)) found.servers.push(decl);
            else if (isTape(decl)) found.tapes.push(decl);
            else if (isFolder(decl)) found.folders.push(decl);
            else if (isBackup(decl)) found.backups.push(decl);
            else if (isNotify(decl)) found.notifies.push(decl);
            else if (isDrill(decl)) found.drills.push(decl);
        }
    }
    return found;
}

/** Builds the model of a runbook from its documents (root first). */
export function buildRunbookModel(root: URI, documents: ReadonlyArray<{ uri: URI; ast: Document }>): RunbookModel {
    const decls = collectDeclarations(documents);
    const servers = decls.servers.map(toServerModel);
    const tapes = decls.tapes.map(toTapeModel);
    const serverOf = new Map<Server, ServerModel>(decls.servers.map((node, i) => [node, servers[i]]));
    const tapeOf = new Map<Tape, TapeModel>(decls.tapes.map((node, i) => [node, tapes[i]]));
    const headers = decls.headers;
    const requireOffsite = headers.some(h => h.requires.some(r => r.what === 'offsite'));
    const folders: FolderModel[] = decls.folders.map(node => ({
        name: node.name,
        node,
        path: folderPath(node),
        holders: unique(node.servers.map(ref => ref.ref && serverOf.get(ref.ref)))
    }));
    const backups = decls.backups.map(node => toBackupModel(node, serverOf, tapeOf));
    const folderOf = new Map(folders.map(f => [f.node, f]));
    const backupOf = new Map(backups.map(b => [b.node, b]));
    const drills = decls.drills.map(node => toDrillModel(node, serverOf, tapeOf, backups));
    const drillOf = new Map(drills.map(d => [d.node, d]));
    const blockOf = new Map<Backup | Drill, BlockModel>([...backupOf, ...drillOf]);
    const notifies = decls.notifies.map(node => toNotifyModel(node, blockOf));
    const foldersOf = new Map<ServerModel, FolderModel[]>(servers.map(s => [s, []]));
    for (const folder of folders) {
        for (const holder of folder.holders) foldersOf.get(holder)?.push(folder);
    }

    return {
        root,
        uris: new Set(documents.map(d => d.uri.toString())),
        title: headers[0]?.title,
        headers,
        requireOffsite,
        servers,
        tapes,
        folders,
        backups,
        notifies,
        drills,
        coverage: computeCoverage(servers, folders, backups),
        foldersOf,
        server: node => serverOf.get(node),
        tape: node => tapeOf.get(node),
        folder: node => folderOf.get(node),
        backup: node => backupOf.get(node),
        drill: node => drillOf.get(node),
        notifiesFor: (block, event) => notifies.filter(n => n.events.includes(event) && (!n.blocks || n.blocks.some(b => b.name === block)))
    };
}

/** A backup block's model: its servers, its tape, its schedule. */
function toBackupModel(node: Backup, serverOf: ReadonlyMap<Server, ServerModel>, tapeOf: ReadonlyMap<Tape, TapeModel>): BackupModel {
    const tapeNode = first(node.to)?.ref;
    return {
        name: node.name,
        node,
        servers: unique(node.servers.flatMap(list => list.refs.map(ref => ref.ref && serverOf.get(ref.ref)))),
        tape: tapeNode && tapeOf.get(tapeNode),
        schedule: first(node.schedule),
        parallel: backupParallelism(node),
        staleAfterMs: validStaleAfter(first(node.staleAfter))
    };
}

function toServerModel(node: Server): ServerModel {
    const host = first(node.host);
    let spec: HostSpec | undefined;
    if (host?.local) {
        spec = { kind: 'local' };
    } else if (host?.url !== undefined) {
        const parsed = parseSshUrl(host.url);
        spec = parsed.ok ? parsed.spec : undefined;
    }
    return {
        name: node.name,
        node,
        role: serverRole(node),
        master: isMaster(node),
        host: spec,
        data: first(node.data),
        stop: first(node.stop),
        start: first(node.start),
        timeoutMs: validTimeout(first(node.timeout)),
        snapshot: snapshotOf(node),
        dump: first(node.dump),
        load: first(node.load),
        exclude: node.exclude.filter(p => excludeProblem(p) === undefined),
        ready: first(node.ready)
    };
}

/** The first `snapshot` of a server (a second is `attribute.duplicate`). */
function snapshotOf(node: Server): SnapshotModel | undefined {
    const snapshot = first(node.snapshot);
    if (!snapshot) return undefined;
    if (snapshot.btrfs) return { kind: 'btrfs' };
    // A half-written `snapshot "CREATE"` is a syntax error: nothing to run.
    return snapshot.create !== undefined && snapshot.delete !== undefined
        ? { kind: 'command', create: snapshot.create, delete: snapshot.delete } : undefined;
}

function toTapeModel(node: Tape): TapeModel {
    const keep: KeepPolicy = {};
    for (const line of node.keep) {
        for (const rule of line.rules) {
            const period = rule.period as keyof KeepPolicy;
            keep[period] ??= rule.count;
        }
    }
    return {
        name: node.name, node, at: first(node.at), restic: first(node.restic), passwordFile: first(node.passwordFile),
        offsite: isOffsite(node), keyFile: first(node.keyFile), keep
    };
}

function unique<T>(items: ReadonlyArray<T | undefined>): T[] {
    return [...new Set(items.filter((i): i is T => i !== undefined))];
}

/** A server's `timeout` in ms, when it is a duration a timer can wait (else see `duration.invalid`). */
function validTimeout(text: string | undefined): number | undefined {
    const ms = durationMs(text);
    return ms !== undefined && ms > 0 && ms <= MAX_TIMER_MS ? ms : undefined;
}

/** `stale after` in ms, when it is a positive duration (else see `duration.invalid`). */
function validStaleAfter(text: string | undefined): number | undefined {
    const ms = durationMs(text);
    return ms !== undefined && ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

function toNotifyModel(node: Notify, blockOf: ReadonlyMap<Backup | Drill, BlockModel>): NotifyModel {
    const list = first(node.for);
    return {
        name: node.name,
        node,
        events: notifyEvents(node),
        target: notifyTarget(node),
        blocks: list && unique(list.refs.map(ref => ref.ref && blockOf.get(ref.ref)))
    };
}

function toDrillModel(node: Drill, serverOf: ReadonlyMap<Server, ServerModel>, tapeOf: ReadonlyMap<Tape, TapeModel>, backups: readonly BackupModel[]): DrillModel {
    const tapeNode = first(node.from)?.ref;
    const tape = tapeNode && tapeOf.get(tapeNode);
    const listed = node.servers.length > 0 ? node.servers.flatMap(list => list.refs.map(ref => ref.ref && serverOf.get(ref.ref))) : undefined;
    return {
        name: node.name,
        node,
        servers: drillServers(listed, tape, backups),
        serversListed: listed !== undefined,
        tape,
        schedule: first(node.schedule),
        pick: drillPick(node),
        test: first(node.test)
    };
}
