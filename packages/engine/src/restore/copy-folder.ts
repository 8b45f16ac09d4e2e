/**
 * One folder from a source host into a target's staging, through the gate, and the check
 * of what landed: what folder replication (replicator.ts) and a replica restore from a
 * peer's dump (dump-replica.ts) share.
 *
 *   copy:  mkdir STAGED (0700) → source tar --create PATH ─► gate (every header safe,
 *          SHA-256 of every file in passing) ─► target tar --extract into STAGED
 *   check: STAGED's own mode/owner as sent, then its files on disk against the hashes read
 *
 * Interruption: a killed copy leaves part of STAGED, inside the operation's journalled
 * staging folder (removed by the next command).
 */
import type { ManifestEntry } from '../archive/manifest.js';
import type { Host } from '../hosts/host.js';
import { pumpThroughGate } from './archive-extract.js';
import { makeFreshFolder, makeParents, parentOf, setFolderMeta } from '../hosts/host-folders.js';
import type { RestoreRunContext } from './restore-context.js';
import { verifyTree } from '../archiver/verify-restored.js';

/** Copies `sourcePath` on `sh` into a fresh `staged` on `th`; returns what was sent. Progress is reported for `target`. */
export async function copyFolder(sh: Host, sourcePath: string, th: Host, staged: string, ctx: RestoreRunContext, target: string): Promise<ManifestEntry[]> {
    await makeParents(th, parentOf(staged));
    await makeFreshFolder(th, staged);
    const abort = new AbortController();
    const onOuter = (): void => abort.abort();
    ctx.signal.addEventListener('abort', onOuter, { once: true });
    try {
        const out = sh.tarOut(sourcePath, { signal: abort.signal });
        const sink = th.tarIn(staged, { signal: abort.signal });
        return await pumpThroughGate(out.stream, out.done, sink, { abort, onProgress: bytes => ctx.reporter.bytes(target, bytes) });
    } finally {
        ctx.signal.removeEventListener('abort', onOuter);
    }
}

/** Checks a staged copy against what was sent (throws naming `what` and `from`). */
export async function checkCopy(th: Host, staged: string, entries: readonly ManifestEntry[],
    how: { owners: boolean; within: string; what: string; from: string }, ctx: RestoreRunContext): Promise<void> {
    const top = entries.find(e => e.path === '.');
    if (top) await setFolderMeta(th, staged, top.mode, how.owners ? { uid: top.uid, gid: top.gid } : undefined);
    const problems = await verifyTree(th, staged, entries, { owners: how.owners, content: true, within: how.within, signal: ctx.signal });
    if (problems.length) throw new Error(`${how.what} differs from what ${how.from} sent: ${problems.slice(0, 5).join('; ')}`);
}
