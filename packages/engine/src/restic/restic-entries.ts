/**
 * A snapshot's entries in the manifest's shape (archive/manifest.ts ManifestEntry), from
 * restic's own listing: `restic find --json --snapshot ID '*'` (every node of every tree;
 * restic 0.14's `ls --json` leaves out symlink targets, `find` has them).
 *
 *   node.path  /srv/mail/cur/1   → path relative to the data folder ("." is the folder);
 *                                  the folder's ancestors (/srv) are left out
 *   node.type  file dir symlink dev chardev fifo socket → ManifestEntry types
 *                                  (`dev` is a block device; `irregular` is refused)
 *   node.mode  Go's os.FileMode  → permission bits + setuid/setgid/sticky (0o7777)
 *   node.mtime RFC 3339, ns      → decimal seconds, exact (manifest.ts mtimeFromNs)
 *   size, uid, gid, linktarget   → as they are (size 0 for all but files)
 *
 * Hardlinked files are listed once per name, as files: restic restores the links itself.
 * No SHA-256: content integrity rests on restic's blob hashes (`check --read-data`).
 */
import * as path from 'node:path';
import { mtimeFromNs, type EntryType, type ManifestEntry } from '../archive/manifest.js';

/** restic's node types → the manifest's. */
const TYPES: Readonly<Record<string, EntryType>> = {
    file: 'file', dir: 'dir', symlink: 'symlink', dev: 'blockdev', chardev: 'chardev', fifo: 'fifo', socket: 'socket'
};

/** Go's os.FileMode special bits → POSIX mode bits. */
const SPECIAL_BITS: ReadonlyArray<readonly [number, number]> = [[23, 0o4000], [22, 0o2000], [20, 0o1000]];

/** POSIX mode bits (0o7777) from a Go os.FileMode. */
export function posixMode(goMode: number): number {
    const mode = goMode >>> 0;
    let bits = mode & 0o777;
    for (const [bit, posix] of SPECIAL_BITS) if ((mode >>> bit) & 1) bits |= posix;
    return bits;
}

const RFC3339 = /^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** The manifest's mtime string from restic's RFC 3339 time (nanoseconds kept). */
export function mtimeFromRfc3339(text: string): string {
    const m = RFC3339.exec(text);
    if (!m) throw new Error(`"${text.slice(0, 60)}" is not an RFC 3339 time`);
    const [, y, mo, d, h, mi, s, frac = '', zone] = m;
    const date = new Date(0); // setUTCFullYear: Date.UTC would read years 0–99 as 1900–1999
    date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
    date.setUTCHours(Number(h), Number(mi), Number(s), 0);
    const utcMs = date.getTime();
    const offsetMin = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    const seconds = BigInt(utcMs / 1000 - offsetMin * 60);
    return mtimeFromNs(seconds * 1_000_000_000n + BigInt(frac.padEnd(9, '0')));
}

/** The data folder as restic records it: normalized, no trailing slash. */
export function snapshotRoot(data: string): string {
    const root = path.posix.normalize(data);
    return root.length > 1 ? root.replace(/\/+$/, '') : root;
}

/** One restic node as a manifest entry, or undefined for a node outside the data folder. */
export function toManifestEntry(node: unknown, data: string): ManifestEntry | undefined {
    const n = node as Record<string, unknown>;
    if (typeof n !== 'object' || n === null || typeof n.path !== 'string') throw new Error('a listed node without a path');
    const root = snapshotRoot(data);
    const rel = n.path === root ? '.' : n.path.startsWith(root === '/' ? '/' : `${root}/`) ? n.path.slice(root === '/' ? 1 : root.length + 1) : undefined;
    if (rel === undefined) return undefined;
    const type = typeof n.type === 'string' ? TYPES[n.type] : undefined;
    if (type === undefined) throw new Error(`${n.path} has a node type Backplan cannot restore (${String(n.type)})`);
    if (typeof n.mode !== 'number' || typeof n.uid !== 'number' || typeof n.gid !== 'number' || typeof n.mtime !== 'string') {
        throw new Error(`${n.path} lacks its mode, owner or mtime`);
    }
    const entry: ManifestEntry = {
        path: rel, type, size: type === 'file' && typeof n.size === 'number' ? n.size : 0,
        mode: posixMode(n.mode), uid: n.uid, gid: n.gid, mtime: mtimeFromRfc3339(n.mtime)
    };
    if (type === 'symlink') entry.linkTarget = typeof n.linktarget === 'string' ? n.linktarget : '';
    return entry;
}
