/**
 * restic snapshots as Backplan reads and tags them.
 *
 *   data snapshot      --host SERVER --tag backplan --tag run:RUN --tag policy:POLICY
 *                      [--tag folder:NAME]… (the folders it holds, for planning
 *                      restores without reading every manifest)
 *                      (paths: the server's data folder)
 *   manifest snapshot  --host SERVER --tag backplan-manifest --tag snapshot:DATA_ID
 *                      --tag run:RUN (one file, the manifest: restic-manifest.ts)
 *
 * `forget --tag backplan` sees only data snapshots, so restic's keep rules count exactly
 * the snapshots a verb lists; a manifest snapshot follows its data snapshot out.
 */

/** The tag on every data snapshot Backplan makes. */
export const BACKPLAN_TAG = 'backplan';
/** The tag on every manifest snapshot. */
export const MANIFEST_TAG = 'backplan-manifest';

/** One snapshot as `restic snapshots --json` lists it. */
export interface ResticSnapshot {
    /** The full ID (64 hex digits). */
    readonly id: string;
    readonly shortId: string;
    /** ISO-8601 as restic wrote it (local offset, nanoseconds). */
    readonly time: string;
    /** restic's `--host`: the server's name for Backplan's snapshots. */
    readonly hostname: string;
    readonly paths: readonly string[];
    readonly tags: readonly string[];
    readonly parent?: string;
    readonly tree: string;
}

/** `run:RUN`. */
export function runTag(runId: string): string {
    return tagFor('run', runId);
}

/** `policy:POLICY`. */
export function policyTag(policy: string): string {
    return tagFor('policy', policy);
}

/** `folder:NAME`, on a data snapshot: a folder of the runbook it holds. */
export function folderTag(folder: string): string {
    return tagFor('folder', folder);
}

/** Every value of a snapshot's `key:value` tags, in order. */
export function tagValues(snapshot: ResticSnapshot, key: string): string[] {
    return snapshot.tags.filter(t => t.startsWith(`${key}:`)).map(t => t.slice(key.length + 1));
}

/** `snapshot:ID`, on a manifest snapshot: the data snapshot it describes. */
export function snapshotTag(id: string): string {
    return tagFor('snapshot', id);
}

/** A `key:value` tag; restic splits `--tag` values on commas, so none may hold one. */
function tagFor(key: string, value: string): string {
    if (value === '' || /[,\s]/.test(value)) throw new Error(`"${value}" cannot be a restic tag value (no commas or spaces)`);
    return `${key}:${value}`;
}

/** The value of a snapshot's `key:value` tag. */
export function tagValue(snapshot: ResticSnapshot, key: string): string | undefined {
    const tag = snapshot.tags.find(t => t.startsWith(`${key}:`));
    return tag?.slice(key.length + 1);
}

/** Whether an ID names a snapshot: its full ID, or a prefix of it of 8 hex digits (restic's short ID) or more. */
export function isIdOf(id: string, snapshot: ResticSnapshot): boolean {
    return id.length >= 8 && /^[0-9a-f]+$/.test(id) && snapshot.id.startsWith(id);
}

/** The snapshot's time as a Date (restic's nanoseconds cut to milliseconds). */
export function snapshotTime(snapshot: ResticSnapshot): Date {
    return new Date(snapshot.time);
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Reads one snapshot object of restic's JSON; throws with a one-line reason. */
export function toSnapshot(value: unknown): ResticSnapshot {
    const o = value as Record<string, unknown> | null;
    const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every(x => typeof x === 'string');
    if (typeof o !== 'object' || o === null || typeof o.id !== 'string' || !HEX64.test(o.id)) throw new Error('a snapshot without a valid id');
    if (typeof o.time !== 'string' || Number.isNaN(Date.parse(o.time))) throw new Error(`snapshot ${o.id.slice(0, 8)} has no valid time`);
    if (typeof o.hostname !== 'string' || !strings(o.paths) || (o.tags !== undefined && o.tags !== null && !strings(o.tags))) {
        throw new Error(`snapshot ${o.id.slice(0, 8)} lacks its host, paths or tags`);
    }
    return {
        id: o.id, shortId: typeof o.short_id === 'string' ? o.short_id : o.id.slice(0, 8), time: o.time, hostname: o.hostname,
        paths: o.paths, tags: (o.tags as string[] | null | undefined) ?? [], parent: typeof o.parent === 'string' ? o.parent : undefined,
        tree: typeof o.tree === 'string' ? o.tree : ''
    };
}

/** Parses `restic snapshots --json` (an array; `null` or nothing when there are none). */
export function parseSnapshots(text: string): ResticSnapshot[] {
    if (text.trim() === '' || text.trim() === 'null') return [];
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value)) throw new Error('the snapshot list is not a JSON array');
    return value.map(toSnapshot);
}
