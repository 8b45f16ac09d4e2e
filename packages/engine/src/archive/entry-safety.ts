/**
 * Entry safety: which archive entries may be written below a target folder. One check for
 * restore (manifest, stream, restored tree) and verify: an archive restore would refuse is
 * not verified. It lives in archive/ so verify needs nothing from restore/ (no folder cycle).
 *
 *   for each entry, in archive order (pure; the archive's namespace is rebuilt in memory):
 *     path absolute, empty component, `..` component, NUL          → refuse
 *     a parent of the path is a symlink of the archive             → refuse (written through a link)
 *     chardev / blockdev                                           → refuse (device file)
 *     the path is already a symlink of the archive                 → refuse (earlier links
 *                                                                     were resolved through it)
 *     symlink: resolve its target inside the archive's namespace, following the archive's
 *              own symlinks (at most 40), starting from its folder → refuse when it is
 *              absolute or climbs above the target at any point; remembered as a symlink
 *     hardlink: its target must be a path of the archive, reached without `..`, absolute
 *               parts or symlinked parents; a hard link to a symlink (or to a hard link
 *               that is one) IS a symlink with that target at the link's own path:
 *               resolved from there, then remembered as a symlink
 *     a new symlink where an earlier resolution walked             → resolve them all again
 *
 * Used three times, always this function: on the manifest before anything is touched
 * (restore, and `verify`), on every tar header `verify` reads, and on every tar header as
 * the stream passes (restore/archive-extract.ts), before the bytes holding it reach `tar -x`.
 * `escapingSymlinks` resolves a restored tree's listing the same way, before the swap-in.
 * A name with spaces, quotes or `$(…)` is data: nothing here, or later, puts it in a shell.
 * Interruption: none (pure).
 */
import type { ManifestEntry } from './manifest.js';
import { shownName } from '../schema/shown-name.js';

/** Thrown when an archive holds an entry that must not be extracted. */
export class UnsafeEntryError extends Error {
    constructor(readonly entry: string, readonly reason: string) {
        super(`refused entry ${shownName(entry)}: ${reason}`);
    }
}

const MAX_LINKS = 40;

/**
 * The symlinks of a tree being built (an archive's, or a restored folder's), resolved
 * lexically: nothing here reads the real filesystem.
 */
class LinkNamespace {
    readonly symlinks = new Map<string, string>();
    /** Paths that resolving a symlink walked through as plain folders: if one of them
     *  becomes a symlink later, every symlink is resolved again. */
    readonly traversed = new Set<string>();

    /** Why a symlink at folder `dir` with `target` leaves the tree (undefined: it stays inside). */
    escapes(dir: readonly string[], target: string): string | undefined {
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

    /** Every symlink that leaves the tree, as [path, target, why]. */
    *escaping(): Generator<[string, string, string]> {
        for (const [key, target] of this.symlinks) {
            const why = this.escapes(key.split('/').slice(0, -1), target);
            if (why) yield [key, target, why];
        }
    }
}

/** Checks entries one at a time, remembering the archive's symlinks and paths. */
export class SafeEntryChecker {
    private readonly links = new LinkNamespace();
    private readonly seen = new Set<string>(['.']);

    /** Throws UnsafeEntryError when the entry must not be written. */
    check(entry: Pick<ManifestEntry, 'path' | 'type' | 'linkTarget'>): void {
        const { symlinks } = this.links;
        const parts = splitEntryPath(entry.path);
        if (typeof parts === 'string') throw new UnsafeEntryError(entry.path, parts);
        for (let i = 1; i < parts.length; i++) {
            const parent = parts.slice(0, i).join('/');
            if (symlinks.has(parent)) {
                throw new UnsafeEntryError(entry.path, `it would be written through the symlink ${parent} (→ ${symlinks.get(parent)})`);
            }
        }
        const key = parts.length ? parts.join('/') : '.';
        if (key === '.' && entry.type !== 'dir') throw new UnsafeEntryError(entry.path, 'the top of the archive is not a folder');
        // Earlier symlinks may have been resolved through this one: replacing it would change
        // where they lead (GNU tar unlinks it and writes the new entry in its place).
        if (symlinks.has(key)) throw new UnsafeEntryError(entry.path, `it would replace the symlink ${key} (→ ${symlinks.get(key)}), an earlier entry of the same name`);
        switch (entry.type) {
            case 'chardev': case 'blockdev':
                throw new UnsafeEntryError(entry.path, 'device files are never restored');
            case 'socket':
                throw new UnsafeEntryError(entry.path, 'sockets cannot be restored');
            case 'symlink':
                this.addSymlink(entry.path, parts, entry.linkTarget ?? '', 'symlink to');
                break;
            case 'hardlink': {
                const target = this.hardlinkTarget(entry.path, entry.linkTarget ?? '');
                // A hard link to a symlink is that symlink at the link's own path: its target
                // is read again from there (`a/b/l → ../..` linked as `l` climbs two folders out).
                const linked = symlinks.get(target);
                if (linked !== undefined) this.addSymlink(entry.path, parts, linked, `hardlink to the symlink ${target}, whose target`);
                break;
            }
        }
        this.seen.add(key);
    }

    /** The archive path a hard link names (checked: an earlier entry, not through a symlink). */
    private hardlinkTarget(path: string, target: string): string {
        const tparts = splitEntryPath(target);
        if (typeof tparts === 'string' || tparts.length === 0) {
            throw new UnsafeEntryError(path, `hardlink to ${JSON.stringify(target)}: ${typeof tparts === 'string' ? tparts : 'the top folder'}`);
        }
        for (let i = 1; i < tparts.length; i++) {
            const prefix = tparts.slice(0, i).join('/');
            if (this.links.symlinks.has(prefix)) {
                throw new UnsafeEntryError(path, `hardlink to ${JSON.stringify(target)} goes through the symlink ${prefix}`);
            }
        }
        const key = tparts.join('/');
        if (!this.seen.has(key)) throw new UnsafeEntryError(path, `hardlink to ${JSON.stringify(target)}, which is not an earlier entry of the archive`);
        return key;
    }

    /** Remembers a symlink at `parts` once its target is known to stay inside. */
    private addSymlink(path: string, parts: readonly string[], target: string, what: string): void {
        const why = this.links.escapes(parts.slice(0, -1), target);
        if (why) throw new UnsafeEntryError(path, `${what} ${JSON.stringify(target)} ${why}`);
        const key = parts.join('/');
        this.links.symlinks.set(key, target);
        if (this.links.traversed.has(key)) {
            // A symlink appeared where an earlier resolution walked: resolve every symlink again.
            const bad = this.links.escaping().next().value;
            if (bad) throw new UnsafeEntryError(bad[0], `symlink to ${JSON.stringify(bad[1])} ${bad[2]} (through a later symlink)`);
        }
    }
}

/**
 * Symlinks of a restored tree (its listing: paths relative to the tree's top) that resolve
 * outside `root`, lexically against the tree's own symlinks. `within` is where the listed
 * folder lies below `root` (`.`: it is the root). At most 10, as "path → target: why".
 */
export function escapingSymlinks(listed: readonly Pick<ManifestEntry, 'path' | 'type' | 'linkTarget'>[], within = '.'): string[] {
    const ns = new LinkNamespace();
    const base = within === '.' || within === '' ? '' : `${within}/`;
    for (const e of listed) {
        if (e.type === 'symlink') ns.symlinks.set(e.path === '.' ? within : `${base}${e.path}`, e.linkTarget ?? '');
    }
    const problems: string[] = [];
    for (const [key, target, why] of ns.escaping()) {
        problems.push(`${key} → ${target}: ${why}`);
        if (problems.length >= 10) break;
    }
    return problems;
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
