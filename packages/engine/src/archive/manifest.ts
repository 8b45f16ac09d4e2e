/**
 * The manifest: a JSON file beside each archive, written LAST. It lists every entry of the
 * archive (as read from the tar stream while it was written) and the archive's own
 * SHA-256. An archive without a manifest is garbage; a manifest whose archive is missing
 * or differs is corruption.
 */
import { checkShape, ShapeError } from '../schema/json-schemas.js';

/** Entry types as tar records them. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket';

/** One entry of an archive. Paths are relative to the data folder (`.` is the folder). */
export interface ManifestEntry {
    path: string;
    type: EntryType;
    /** Content size in bytes (logical size for sparse files; 0 for non-files). */
    size: number;
    /** Permission bits (incl. setuid/setgid/sticky). */
    mode: number;
    uid: number;
    gid: number;
    /** Seconds since the epoch as a decimal string, exact to the nanosecond as tar records
     *  it (`1795610651.107633744`; no trailing zeros): see `mtimeString`. */
    mtime: string;
    /** Symlink target, or the path a hardlink points at. */
    linkTarget?: string;
    /** SHA-256 (hex) of a file's content. */
    sha256?: string;
    /** Present and true for files stored sparse. */
    sparse?: boolean;
}

/** The one file a dump archive holds (`content: 'dump'`; kernel/dump.ts writes it). */
export const DUMP_FILE = 'backplan.dump';

/** Compression of an archive. */
export type Compression = 'zstd' | 'gzip';

/** A manifest (format version 1). */
export interface Manifest {
    format: 'backplan-manifest';
    version: 1;
    id: string;
    server: string;
    role?: string;
    /** The `backup` block that made it. */
    policy: string;
    runId: string;
    runbook: string;
    tape: string;
    host: string;
    data: string;
    /** Catalog folders it holds (from the coverage model); empty for a mail server. */
    folders: Array<{ name: string; path: string }>;
    archive: {
        file: string;
        compression: Compression;
        /** Why compression is not zstd, when it is not. */
        fallbackReason?: string;
        size: number;
        sha256: string;
        /** Bytes of the uncompressed tar stream. */
        tarSize: number;
    };
    times: {
        stopStarted?: string;
        stopped?: string;
        archiveStarted: string;
        archiveFinished: string;
    };
    tools: { tar?: string; compressor?: string; backplan?: string };
    /** `dump`: the archive holds one file, {@link DUMP_FILE}, a `dump` command's output (restored by `load`); absent: the data folder. */
    content?: 'dump';
    files: number;
    entries: ManifestEntry[];
}

/** Parses a manifest's text and checks its shape (schema/json-schemas.ts); throws with a one-line reason. */
export function parseManifest(text: string): Manifest {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new ShapeError('the manifest', `not JSON (${(err as Error).message.slice(0, 120)})`);
    }
    return checkShape<Manifest>('manifest', value, 'the manifest');
}

/**
 * Entries whose name (or link target) was not valid UTF-8 in the tar stream: the manifest
 * holds U+FFFD in their place, so a restored tree cannot be checked against it by name.
 */
export function undecodableNames(entries: readonly ManifestEntry[]): ManifestEntry[] {
    return entries.filter(e => e.path.includes('\uFFFD') || (e.linkTarget?.includes('\uFFFD') ?? false));
}

/** The canonical mtime string from tar's decimal seconds (pax) or integer seconds. */
export function mtimeString(seconds: string | number): string {
    const text = String(seconds);
    const [whole, frac = ''] = text.split('.');
    const f = frac.slice(0, 9).replace(/0+$/, '');
    return f ? `${whole}.${f}` : whole;
}

/**
 * The canonical mtime string from a bigint `stat` (`fs.lstat(p, { bigint: true })`):
 * sign and magnitude, as tar writes it (-1.5 s is `-1.5`).
 */
export function mtimeFromNs(mtimeNs: bigint): string {
    const abs = mtimeNs < 0n ? -mtimeNs : mtimeNs;
    const frac = (abs % 1_000_000_000n).toString().padStart(9, '0');
    return mtimeString(`${mtimeNs < 0n ? '-' : ''}${abs / 1_000_000_000n}.${frac}`);
}

/** An entry's path for a message: as it is, or cut to 200 characters (a tape may hold 1 MB names). */
export function entryName(p: string): string {
    return p.length <= 200 ? p : `${p.slice(0, 200)}… (${p.length} characters)`;
}
