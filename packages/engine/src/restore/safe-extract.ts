/**
 * Safe extraction: which archive entries may be written below a target folder.
 *
 *   for each entry, in archive order (pure; the archive's namespace is rebuilt in memory):
 *     path absolute, empty component, `..` component, NUL          → refuse
 *     a parent of the path is a symlink of the archive             → refuse (written through a link)
 *     chardev / blockdev                                           → refuse (device file)
 *     symlink: resolve its target inside the archive's namespace, following the archive's
 *              own symlinks (at most 40), starting from its folder → refuse when it is
 *              absolute or climbs above the target at any point
 *     hardlink: its target must be a path of the archive, reached without `..`, absolute
 *               parts or symlinked parents
 *
 * Used twice: on the manifest before anything is touched, and on every tar header as the
 * stream passes (restore/archive-extract.ts), before the bytes holding it reach `tar -x`.
 * A name with spaces, quotes or `$(…)` is data: nothing here, or later, puts it in a shell.
 * Interruption: none (pure).
 */
import type { ManifestEntry } from '../archive/manifest.js';
import { shownName } from '../archive/tar-header.js';

/** Thrown when an archive holds an entry that must not be extracted. */
export class UnsafeEntryError extends Error {
    constructor(readonly entry: string, readonly reason: string) {
        super(`refused entry ${shownName(entry)}: ${reason}`);
    }
}

const MAX_LINKS = 40;

/** Checks entries one at a time, remembering the archive's symlinks and paths. */
export class SafeEntryChecker {
    private readonly symlinks = new Map<string, string>();
    private readonly seen = new Set<string>(['.']);
    /** Paths that resolving a symlink walked through as plain folders: if one of them
     *  becomes a symlink later, every symlink is resolved again. */
    private readonly traversed = new Set<string>();

    /** Throws UnsafeEntryError when the entry must not be written. */
    check(entry: Pick<ManifestEntry, 'path' | 'type' | 'linkTarget'>): void {
        const parts = splitEntryPath(entry.path);
        if (typeof parts === 'string') throw new UnsafeEntryError(entry.path, parts);
        for (let i = 1; i < parts.length; i++) {
            const parent = parts.slice(0, i).join('/');
            if (this.symlinks.has(parent)) {
                throw new UnsafeEntryError(entry.path, `it would be written through the symlink ${parent} (→ ${this.symlinks.get(parent)})`);
            }
        }
        const key = parts.length ? parts.join('/') : '.';
        if (key === '.' && entry.type !== 'dir') throw new UnsafeEntryError(entry.path, 'the top of the archive is not a folder');
        switch (entry.type) {
            case 'chardev': case 'blockdev':
                throw new UnsafeEntryError(entry.path, 'device files are never restored');
            case 'socket':
                throw new UnsafeEntryError(entry.path, 'sockets cannot be restored');
            case 'symlink': {
                const target = entry.linkTarget ?? '';
                const why = this.escapes(parts.slice(0, -1), target);
                if (why) throw new UnsafeEntryError(entry.path, `symlink to ${JSON.stringify(target)} ${why}`);
                this.symlinks.set(key, target);
                if (this.traversed.has(key)) this.recheckSymlinks();
                break;
            }
            case 'hardlink': {
                const target = entry.linkTarget ?? '';
                const tparts = splitEntryPath(target);
                if (typeof tparts === 'string' || tparts.length === 0) {
                    throw new UnsafeEntryError(entry.path, `hardlink to ${JSON.stringify(target)}: ${typeof tparts === 'string' ? tparts : 'the top folder'}`);
                }
                for (let i = 1; i <= tparts.length; i++) {
                    const prefix = tparts.slice(0, i).join('/');
                    if (i < tparts.length && this.symlinks.has(prefix)) {
                        throw new UnsafeEntryError(entry.path, `hardlink to ${JSON.stringify(target)} goes through the symlink ${prefix}`);
                    }
                }
                if (!this.seen.has(tparts.join('/'))) {
                    throw new UnsafeEntryError(entry.path, `hardlink to ${JSON.stringify(target)}, which is not an earlier entry of the archive`);
                }
                this.symlinks.delete(key);
                break;
            }
            default:
                this.symlinks.delete(key);
        }
        this.seen.add(key);
    }

    /** Why a symlink at folder `dir` with `target` leaves the tree (undefined: it stays inside). */
    private escapes(dir: string[], target: string): string | undefined {
        if (target === '') return 'is empty';
        if (target.startsWith('/')) return 'is absolute (outside the restored folder)';
        if (target.includes('\0')) return 'holds a NUL byte';
        const pos = [...dir];
        const pending = target.split('/');
        let follows = 0;
        while (pending.length) {
            const part = pending.shift()!;
            if (part === '' || part === '.') continue;
            if (part === '..') {
                if (pos.length === 0) return 'points outside the restored folder';
                pos.pop();
                continue;
            }
            pos.push(part);
            const here = pos.join('/');
            const link = this.symlinks.get(here);
            if (link === undefined) this.traversed.add(here);
            else {
                if (++follows > MAX_LINKS) return 'is a symlink loop';
                if (link.startsWith('/')) return `goes through ${pos.join('/')}, an absolute symlink`;
                pos.pop();
                pending.unshift(...link.split('/'));
            }
        }
        return undefined;
    }

    /** A symlink appeared where an earlier resolution walked: resolve every symlink again. */
    private recheckSymlinks(): void {
        for (const [key, target] of this.symlinks) {
            const why = this.escapes(key.split('/').slice(0, -1), target);
            if (why) throw new UnsafeEntryError(key, `symlink to ${JSON.stringify(target)} ${why} (through a later symlink)`);
        }
    }
}

/** An entry path's components (`.` → []), or why the path is refused. */
export function splitEntryPath(p: string): string[] | string {
    if (p.includes('\0')) return 'the name holds a NUL byte';
    if (p.startsWith('/')) return 'absolute path';
    if (p === '.' || p === '') return [];
    const parts = p.replace(/^\.\//, '').split('/');
    for (const part of parts) {
        if (part === '..') return 'the path climbs out with ".."';
        if (part === '' || part === '.') return 'the path has an empty or "." component';
    }
    return parts;
}

/** Checks every entry of a manifest; returns the problems (empty: safe). At most 10. */
export function unsafeEntries(entries: readonly ManifestEntry[]): string[] {
    const checker = new SafeEntryChecker();
    const problems: string[] = [];
    for (const e of entries) {
        try {
            checker.check(e);
        } catch (err) {
            problems.push((err as Error).message);
            if (problems.length >= 10) break;
        }
    }
    return problems;
}
