/**
 * The Backplan manifest of a restic snapshot (DESIGN §9: "Each snapshot has a Backplan
 * manifest in the same repository").
 *
 * Storage: a second, one-file snapshot beside the data snapshot, made by
 *   restic backup --stdin --stdin-filename backplan-manifest.json
 *          --host SERVER --tag backplan-manifest --tag snapshot:DATA_ID --tag run:RUN
 * DATA_ID is the data snapshot's full ID when the backup listed the snapshot back, or the
 * short ID restic 0.14's summary prints when the manifest came from the walk of the
 * quiesced data (run/restic-archive-step.ts): a short one pairs with the one data snapshot
 * of the same server and run whose ID it begins, and is read back as that full ID.
 * and read back with `restic dump MANIFEST_ID /backplan-manifest.json`. So the manifest is
 * encrypted, deduplicated, checked by `restic check` and copied with the repository like
 * the data, and needs no other store (an S3 or REST repository has no folder to put a
 * file in).
 *
 * Commit order, as on folder tapes: the data snapshot first, its manifest snapshot LAST.
 *   data snapshot without manifest      → garbage: never listed, verified or restored;
 *                                         forgotten by `prune` (and by a failed backup)
 *   manifest snapshot without its data  → orphan: forgotten by `prune`
 *   manifest that does not parse, names another snapshot or server → refused
 * restic 0.14 saves a snapshot even when its --stdin input was cut short, so the writer
 * compares the bytes restic read with the manifest's size and forgets a short one.
 */
import type { Manifest, ManifestEntry } from '../archive/manifest.js';
import { checkShape, ShapeError } from '../schema/json-schemas.js';
import { BACKPLAN_TAG, isIdOf, MANIFEST_TAG, tagValue, type ResticSnapshot } from './restic-snapshot.js';

/** The manifest's file name inside its snapshot. */
export const MANIFEST_FILE = 'backplan-manifest.json';

/** What `restic backup --json` said in its summary. */
export interface ResticBackupSummary {
    readonly filesNew: number;
    readonly filesChanged: number;
    readonly filesUnmodified: number;
    readonly dirsNew: number;
    readonly dirsChanged: number;
    readonly dirsUnmodified: number;
    /** Bytes the repository grew by (after deduplication and compression). */
    readonly dataAdded: number;
    readonly totalFilesProcessed: number;
    readonly totalBytesProcessed: number;
}

/**
 * A restic snapshot's manifest (format version 1): the folder-tape manifest's description
 * of the server and run (server, role, policy, runId, runbook, tape, host — where restic
 * ran —, data, folders), with the snapshot in place of the archive.
 */
export interface ResticManifest extends Pick<Manifest, 'server' | 'role' | 'policy' | 'runId' | 'runbook' | 'tape' | 'host' | 'data' | 'folders'> {
    format: 'backplan-restic-manifest';
    version: 1;
    /** The data snapshot it describes: its full ID, or (stored from a walk) restic's short ID; read back, always the full one. */
    snapshot: string;
    /**
     * The folder restic read, when it is not `data` (a `snapshot` or `dump` sibling): the
     * data folder's content lies at this path in the snapshot.
     */
    source?: string;
    times: { stopStarted?: string; stopped?: string; backupStarted: string; backupFinished: string };
    tools: { restic?: string; backplan?: string };
    summary?: Partial<ResticBackupSummary>;
    files: number;
    /** Every entry below the data folder; no SHA-256 (restic's blob hashes cover content). */
    entries: ManifestEntry[];
}

/** A data snapshot that has its manifest: what `archives` lists and `restore` may use. */
export interface ResticArchive {
    readonly snapshot: ResticSnapshot;
    readonly manifestSnapshot: ResticSnapshot;
}

/** Data snapshots paired with their manifests, and what has no partner. */
export interface ManifestPairing {
    readonly archives: ResticArchive[];
    /** Data snapshots without a manifest (a backup that did not finish): garbage. */
    readonly unfinished: ResticSnapshot[];
    /** Manifest snapshots whose data snapshot is gone, or second manifests of one snapshot. */
    readonly orphans: ResticSnapshot[];
}

/** Pairs Backplan's snapshots by the manifest's `snapshot:ID` tag and the server (`--host`). */
export function pairManifests(snapshots: readonly ResticSnapshot[]): ManifestPairing {
    const data = snapshots.filter(s => s.tags.includes(BACKPLAN_TAG));
    const byId = new Map(data.map(s => [s.id, s]));
    const manifestOf = new Map<string, ResticSnapshot>();
    const orphans: ResticSnapshot[] = [];
    const manifests = snapshots.filter(s => s.tags.includes(MANIFEST_TAG)).sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
    for (const m of manifests) {
        const target = describedSnapshot(m, byId, data);
        if (!target || target.hostname !== m.hostname || manifestOf.has(target.id)) orphans.push(m);
        else manifestOf.set(target.id, m);
    }
    const archives: ResticArchive[] = [];
    const unfinished: ResticSnapshot[] = [];
    for (const s of data) {
        const m = manifestOf.get(s.id);
        if (m) archives.push({ snapshot: s, manifestSnapshot: m }); else unfinished.push(s);
    }
    return { archives, unfinished, orphans };
}

/** The data snapshot a manifest snapshot's `snapshot:ID` tag names, among those of its server (see `describes`). */
function describedSnapshot(m: ResticSnapshot, byId: ReadonlyMap<string, ResticSnapshot>, data: readonly ResticSnapshot[]): ResticSnapshot | undefined {
    const id = tagValue(m, 'snapshot') ?? '';
    if (id.length === 64) return byId.get(id);
    const named = data.filter(s => s.hostname === m.hostname && describes(id, tagValue(m, 'run'), s));
    return named.length === 1 ? named[0] : undefined;
}

/** Whether a manifest's snapshot ID (with its run) names this data snapshot: the full ID, or a short one of the same run (see the header). */
function describes(id: string, runId: string | undefined, snapshot: ResticSnapshot): boolean {
    return id === snapshot.id || (isIdOf(id, snapshot) && runId !== undefined && tagValue(snapshot, 'run') === runId);
}

/** The manifest's bytes as stored (one JSON document, newline-terminated). */
export function manifestBytes(manifest: ResticManifest): Buffer {
    return Buffer.from(`${JSON.stringify(manifest)}\n`, 'utf8');
}

/**
 * Parses a manifest read back from its snapshot and checks that it describes `snapshot`
 * (its ID and its server): a manifest copied onto another snapshot is refused.
 */
export function parseResticManifest(text: string, snapshot: ResticSnapshot): ResticManifest {
    const what = `the manifest of snapshot ${snapshot.shortId}`;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new ShapeError(what, `not JSON (${(err as Error).message.slice(0, 120)})`);
    }
    const manifest = checkShape<ResticManifest>('restic-manifest', value, what);
    if (!describes(manifest.snapshot, manifest.runId, snapshot)) throw new ShapeError(what, `it describes snapshot ${manifest.snapshot.slice(0, 8)}`);
    if (manifest.server !== snapshot.hostname) throw new ShapeError(what, `it names server ${manifest.server}, the snapshot is of ${snapshot.hostname}`);
    return { ...manifest, snapshot: snapshot.id };
}
