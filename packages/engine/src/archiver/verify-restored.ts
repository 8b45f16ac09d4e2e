/**
 * Checking a restored (or copied) tree on its host against the entries it should hold:
 * every entry present with its type, size, mode, mtime, link target and SHA-256 (owner
 * too when the restore could set it), and nothing more.
 *
 * `content: false` (restores from tape) compares metadata only: the content of every file
 * was hashed on its way into `tar -x` and compared with the manifest (archive-extract.ts),
 * and reading it back would mostly re-read the page cache at the cost of a second pass.
 * Replication reads back (`content: true`): its hashes come from the same stream.
 *
 *   want = entries re-rooted at the folder checked (`Sales Dept/x` → `x`); a hardlink is
 *          checked as the file it links to (on disk the two are one inode); one whose
 *          file lies outside the folder comes back as a file of its own
 *   got  = host.listFiles(folder)  (lstat walk, SHA-256 of every file)
 *   escaping = every symlink of got resolved lexically against got's own symlinks, from
 *          where the folder lies in the tree it is swapped into: one that leaves it is
 *          refused (defence in depth: the tar headers were checked, this is what tar made)
 *   problems = escaping, missing, extra, and the first differing field of each entry (at most 10)
 * Read-only; interruption leaves nothing.
 */
import { entryName, type ManifestEntry } from '../archive/manifest.js';
import type { Host } from '../hosts/host.js';
import { escapingSymlinks } from '../archive/entry-safety.js';

/**
 * Entries below `prefix` (a folder path of the archive), re-rooted there (`.` = prefix).
 * A hard link to a file outside the folder becomes that file (the restored folder holds
 * it as a file of its own: the other name is not restored with it).
 */
export function entriesBelow(entries: readonly ManifestEntry[], prefix: string): ManifestEntry[] {
    if (prefix === '.' || prefix === '') return [...entries];
    let byPath: Map<string, ManifestEntry> | undefined;
    const out: ManifestEntry[] = [];
    for (const e of entries) {
        if (e.path === prefix) out.push({ ...e, path: '.' });
        else if (e.path.startsWith(`${prefix}/`)) {
            const path = e.path.slice(prefix.length + 1);
            if (e.type === 'hardlink' && e.linkTarget?.startsWith(`${prefix}/`)) {
                out.push({ ...e, path, linkTarget: e.linkTarget.slice(prefix.length + 1) });
            } else if (e.type === 'hardlink') {
                byPath ??= new Map(entries.map(x => [x.path, x]));
                const file = byPath.get(e.linkTarget ?? '');
                out.push(file ? { ...file, path } : { ...e, path });
            } else {
                out.push({ ...e, path });
            }
        }
    }
    return out;
}

const FIELDS = ['type', 'size', 'mode', 'mtime', 'linkTarget', 'sha256'] as const;

/** Differences between what a folder should hold and what it holds (empty: identical). */
export function compareTree(want: readonly ManifestEntry[], got: readonly ManifestEntry[], owners: boolean, content = true): string[] {
    const byPath = new Map(want.map(e => [e.path, e]));
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const g of got) {
        seen.add(g.path);
        let w = byPath.get(g.path);
        if (!w) { problems.push(`${entryName(g.path)}: present but not in the manifest`); continue; }
        if (w.type === 'hardlink') {
            const t = byPath.get(w.linkTarget ?? '');
            if (!t) { problems.push(`${entryName(g.path)}: hardlink to ${entryName(w.linkTarget ?? '')}, which is not restored here`); continue; }
            w = { ...t, path: w.path };
        }
        const fields: ReadonlyArray<keyof ManifestEntry> = owners ? [...FIELDS, 'uid', 'gid'] : FIELDS;
        for (const f of fields) {
            const a = w[f] ?? undefined;
            const b = g[f] ?? undefined;
            if (f === 'linkTarget' && w.type !== 'symlink') continue;
            if (f === 'sha256' && (w.type !== 'file' || !content)) continue;
            if (a !== b) { problems.push(`${entryName(g.path)}: ${f} is ${JSON.stringify(typeof b === 'string' ? entryName(b) : b)}, the manifest says ${JSON.stringify(typeof a === 'string' ? entryName(a) : a)}`); break; }
        }
        if (problems.length >= 10) return problems;
    }
    for (const w of want) {
        if (!seen.has(w.path)) problems.push(`${entryName(w.path)}: missing`);
        if (problems.length >= 10) break;
    }
    return problems;
}

/** Thrown when a restored tree holds a symlink that resolves outside the tree it goes into. */
export class EscapingLinkError extends Error {
    constructor(readonly folder: string, readonly links: string[]) {
        super(`refused: a restored symlink resolves outside the folder it is restored into: ${links.slice(0, 3).join('; ')}`);
    }
}

export interface VerifyTreeOptions {
    owners: boolean;
    content: boolean;
    /** Where the folder lies below the tree it is swapped into (`.`: it is that tree). */
    within: string;
    signal?: AbortSignal;
}

/**
 * Lists a folder on its host and compares it with the entries it should hold; throws
 * EscapingLinkError when one of its symlinks resolves outside the tree.
 */
export async function verifyTree(host: Host, folder: string, want: readonly ManifestEntry[], options: VerifyTreeOptions): Promise<string[]> {
    const got = await host.listFiles(folder, { signal: options.signal, hash: options.content });
    const escaping = escapingSymlinks(got, options.within);
    if (escaping.length) throw new EscapingLinkError(folder, escaping);
    return compareTree(want, got, options.owners, options.content);
}
