/**
 * The runbook model: one runbook (a root file plus everything it imports) as plain data with
 * its references resolved, and the coverage of every folder and mail server computed once.
 *
 *   servers, tapes, folders, backups  ← declarations of every document of the runbook
 *   tapesOf(server)                   ← one pass over every backup's server list
 *   coverage(folder)                  = holders ∪ ⋃ tapesOf(holder)
 *   coverage(mail server)             = {server} ∪ tapesOf(server)
 *
 * Linear in the size of the runbook: every backup reference and every folder holder is
 * visited once. Validators, the CLI and the engine all read coverage from here; there is
 * no second implementation.
 */
import type { URI } from 'langium';
import { isBackup, isFolder, isServer, isTape } from '../generated/ast.js';
import type { Backup, Document, Folder, RunbookHeader, Server, Tape } from '../generated/ast.js';
import { backupParallelism, first, folderPath, isMaster, isOffsite, serverRole } from './declarations.js';
import { parseSshUrl, type HostSpec } from './host-spec.js';
import { computeCoverage, type Coverage } from './coverage.js';
import { durationMs, MAX_TIMER_MS } from './duration.js';

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
}

/** Retention of a tape, restic-style `keep` counts (undefined: not given). */
export interface KeepPolicy {
    last?: number; hourly?: number; daily?: number; weekly?: number; monthly?: number; yearly?: number;
}

/** A backup destination. */
export interface TapeModel {
    readonly name: string;
    readonly node: Tape;
    readonly at?: string;
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
    /** `stale after D` in ms: `status` calls the block stale when its last success is older (DESIGN §8). */
    readonly staleAfterMs?: number;
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
}

/** Builds the model of a runbook from its documents (root first). */
export function buildRunbookModel(root: URI, documents: ReadonlyArray<{ uri: URI; ast: Document }>): RunbookModel {
    const serverOf = new Map<Server, ServerModel>();
    const tapeOf = new Map<Tape, TapeModel>();
    const servers: ServerModel[] = [];
    const tapes: TapeModel[] = [];
    const folderNodes: Folder[] = [];
    const backupNodes: Backup[] = [];
    const headers: RunbookHeader[] = [];
    let requireOffsite = false;

    for (const { ast } of documents) {
        for (const header of ast.headers) {
            headers.push(header);
            requireOffsite ||= header.requires.some(r => r.what === 'offsite');
        }
        for (const decl of ast.declarations) {
            if (!decl.name) continue; // a syntax error cut it short; the parser reports it
            if (isServer(decl)) {
                const model = toServerModel(decl);
                serverOf.set(decl, model);
                servers.push(model);
            } else if (isTape(decl)) {
                const model = toTapeModel(decl);
                tapeOf.set(decl, model);
                tapes.push(model);
            } else if (isFolder(decl)) {
                folderNodes.push(decl);
            } else if (isBackup(decl)) {
                backupNodes.push(decl);
            }
        }
    }

    const folders: FolderModel[] = folderNodes.map(node => ({
        name: node.name,
        node,
        path: folderPath(node),
        holders: unique(node.servers.map(ref => ref.ref && serverOf.get(ref.ref)))
    }));
    const backups: BackupModel[] = backupNodes.map(node => {
        const tapeNode = first(node.to)?.ref;
        return {
            name: node.name,
            node,
            servers: unique(node.servers.flatMap(list => list.refs.map(ref => ref.ref && serverOf.get(ref.ref)))),
            tape: tapeNode && tapeOf.get(tapeNode),
            schedule: first(node.schedule),
            parallel: backupParallelism(node)
        };
    });
    const folderOf = new Map(folders.map(f => [f.node, f]));
    const backupOf = new Map(backups.map(b => [b.node, b]));
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
        coverage: computeCoverage(servers, folders, backups),
        foldersOf,
        server: node => serverOf.get(node),
        tape: node => tapeOf.get(node),
        folder: node => folderOf.get(node),
        backup: node => backupOf.get(node)
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
        timeoutMs: validTimeout(first(node.timeout))
    };
}

function toTapeModel(node: Tape): TapeModel {
    const keep: KeepPolicy = {};
    for (const line of node.keep) {
        for (const rule of line.rules) {
            const period = rule.period as keyof KeepPolicy;
            keep[period] ??= rule.count;
        }
    }
    return { name: node.name, node, at: first(node.at), offsite: isOffsite(node), keyFile: first(node.keyFile), keep };
}

function unique<T>(items: ReadonlyArray<T | undefined>): T[] {
    return [...new Set(items.filter((i): i is T => i !== undefined))];
}

/** A server's `timeout` in ms, when it is a duration a timer can wait (else see `duration.invalid`). */
function validTimeout(text: string | undefined): number | undefined {
    const ms = durationMs(text);
    return ms !== undefined && ms > 0 && ms <= MAX_TIMER_MS ? ms : undefined;
}
