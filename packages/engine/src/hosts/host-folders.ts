/**
 * Folder operations on a server's host for restores: rename (never copy), make, remove,
 * flush, set a folder's own mode/owner. Everything goes through `Host.run` with the
 * paths in environment variables — a name with spaces, quotes or `$(…)` is data, never
 * shell — so an SSH host works unchanged.
 *
 * Removal only accepts Backplan's own sibling folders (hosts/sibling-names.ts:
 * `.NAME.backplan-KIND-RUN`) or paths below them: nothing else can be deleted from here.
 * Interruption: each operation is one rename/mkdir/rm; a killed `rm -rf` leaves part of a
 * set-aside copy (the restored data is already in place by then).
 */
import type { ManifestEntry } from '../archive/manifest.js';
import type { Host } from './host.js';
import { isWithinOurSibling } from './sibling-names.js';

/** Thrown when a folder operation fails; the message says which and why. */
export class FolderOpError extends Error {}


async function sh(host: Host, what: string, script: string, env: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const r = await host.run(script, { env, timeoutMs: 30 * 60 * 1000, signal });
    if (!r.ok) throw new FolderOpError(`${what} failed on ${host.label}: ${r.output.trim().split('\n').slice(-2).join(' | ') || `exit ${r.code ?? r.signal}`}`);
    return r.output;
}

/** Renames FROM to TO on the same file system; fails when TO exists (never copies). */
export function renameFolder(host: Host, from: string, to: string): Promise<string> {
    return sh(host, `moving ${from} to ${to}`,
        'if [ -e "$BP_TO" ] || [ -L "$BP_TO" ]; then echo "$BP_TO already exists" >&2; exit 1; fi; '
        + 'd1=$(stat -c %d -- "$BP_FROM") && d2=$(stat -c %d -- "$(dirname -- "$BP_TO")") || exit 1; '
        + 'if [ "$d1" != "$d2" ]; then echo "$BP_FROM and $BP_TO are on different file systems" >&2; exit 1; fi; '
        + 'exec mv -T -- "$BP_FROM" "$BP_TO"', { BP_FROM: from, BP_TO: to });
}

/** Makes a fresh folder (mode 0700: nobody sees a half-restored tree); fails if it exists. */
export function makeFreshFolder(host: Host, path: string): Promise<string> {
    return sh(host, `creating ${path}`, 'exec mkdir -m 700 -- "$BP_P"', { BP_P: path });
}

/** Makes a folder and its parents when missing. */
export function makeParents(host: Host, path: string): Promise<string> {
    return sh(host, `creating ${path}`, 'exec mkdir -p -- "$BP_P"', { BP_P: path });
}

/** Removes one of Backplan's own staging or set-aside folders (refuses anything else); whether it was there. */
export async function removeOwnFolder(host: Host, path: string): Promise<boolean> {
    if (!isWithinOurSibling(path)) throw new FolderOpError(`refusing to remove ${path}: not a Backplan staging or set-aside folder`);
    const out = await sh(host, `removing ${path}`, 'if [ -e "$BP_P" ] || [ -L "$BP_P" ]; then rm -rf -- "$BP_P" && echo removed; fi', { BP_P: path });
    return out.trim().endsWith('removed');
}

/** Whether a path exists (as anything, symlinks included). */
export async function pathExists(host: Host, path: string): Promise<boolean> {
    const r = await host.run('[ -e "$BP_P" ] || [ -L "$BP_P" ]', { env: { BP_P: path }, timeoutMs: 60_000 });
    if (r.code !== 0 && r.code !== 1) throw new FolderOpError(`cannot reach ${host.label}: ${r.output.trim()}`);
    return r.ok;
}

/** Flushes the file system holding a path to disk (every restored file at once: syncfs). */
export function syncFolder(host: Host, path: string): Promise<string> {
    return sh(host, `syncing ${path}`, 'sync -f -- "$BP_P" 2>/dev/null || sync', { BP_P: path });
}

/** fsyncs one folder, so that renames in it survive a crash (GNU `sync FILE`; else a full sync). */
export function fsyncFolder(host: Host, path: string): Promise<string> {
    return sh(host, `syncing ${path}`, 'sync -- "$BP_P" 2>/dev/null || sync', { BP_P: path });
}

/** Sets a folder's own mode (and owner, when `owner` is given): tar leaves the top folder's as created. */
export function setFolderMeta(host: Host, path: string, mode: number, owner?: { uid: number; gid: number }): Promise<string> {
    const env: Record<string, string> = { BP_P: path, BP_MODE: mode.toString(8) };
    let script = 'chmod -- "$BP_MODE" "$BP_P"';
    if (owner) {
        env.BP_OWNER = `${owner.uid}:${owner.gid}`;
        script = `chown -- "$BP_OWNER" "$BP_P" && ${script}`;
    }
    return sh(host, `setting the mode of ${path}`, script, env);
}

/** A folder's own mode and numeric owner (to make its successor alike). */
export async function folderMeta(host: Host, path: string): Promise<{ mode: number; uid: number; gid: number }> {
    const out = await sh(host, `reading the mode of ${path}`, 'exec stat -c "%a %u %g" -- "$BP_P"', { BP_P: path });
    const [mode, uid, gid] = out.trim().split(/\s+/);
    return { mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid) };
}

/** Creates an empty file (a marker) and flushes its folder, so that it survives a crash. */
export function makeMarker(host: Host, path: string): Promise<string> {
    return sh(host, `creating ${path}`, ': > "$BP_P" && { sync -- "$(dirname -- "$BP_P")" 2>/dev/null || sync; }', { BP_P: path });
}

/** Bytes free to an unprivileged writer on the file system holding `path` (undefined when `df` cannot say). */
export async function freeBytes(host: Host, path: string): Promise<number | undefined> {
    const r = await host.run('exec df -Pk -- "$BP_P"', { env: { BP_P: path }, timeoutMs: 60_000 });
    const fields = r.ok ? r.output.trim().split('\n').at(-1)?.trim().split(/\s+/) : undefined;
    const kib = Number(fields?.[3]);
    return fields && Number.isFinite(kib) ? kib * 1024 : undefined;
}

/**
 * Whether the files of `entries` (not sparse files' holes) fit in `folder` on `host`: the
 * bytes they need and what is free when they do not; undefined when they fit or `df`
 * cannot say (the write then fails on its own, with the disk's words).
 */
export async function roomShortfall(host: Host, folder: string, entries: Iterable<ManifestEntry>): Promise<{ needed: number; free: number } | undefined> {
    let needed = 0;
    for (const e of entries) if (e.type === 'file' && !e.sparse) needed += e.size;
    const free = await freeBytes(host, folder).catch(() => undefined);
    return free !== undefined && needed > free ? { needed, free } : undefined;
}

/** The parent of an absolute path. */
export function parentOf(p: string): string {
    const t = p.replace(/\/+$/, '');
    const i = t.lastIndexOf('/');
    return i <= 0 ? '/' : t.slice(0, i);
}
