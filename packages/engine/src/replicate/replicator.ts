/**
 * `--from replica` (DESIGN §4, the seed's "use replication"): folders copied onto a
 * server from other servers that hold them, written against the Host interface only (so
 * SSH hosts work unchanged: tar out on the source, tar in on the target).
 *
 *   mkdir .NAME.backplan-new-RUN (0700) beside the target's DATA
 *   for each source, one at a time (the target keeps running):
 *     stop the source (journalled: recovery starts it again)
 *     try   source tar --create DATA/<folder> ─► gate (every header safe, SHA-256 of every
 *           file in passing) ─► target tar --extract into staging/<folder>
 *     finally START THE SOURCE, ALWAYS
 *     staged folder's own mode/owner, then its files on disk against the hashes read
 *   any failure so far: remove staging; the target was never stopped
 *   sync; then swap-in.ts (as a restore from tape does):
 *   stop the target (journalled with a guarded restart, see restore-context.ts)
 *   try   per folder: DATA/<folder> → .NAME.backplan-old-RUN/<folder>; then per folder
 *         staging/<folder> → DATA/<folder>
 *   fail: undo the folders already swapped, put the originals back
 *   finally START THE TARGET, ALWAYS; then remove the set-aside copies (--keep-old keeps
 *   them; a failed start keeps them)
 * Data in DATA outside the copied folders is never touched.
 * Interruption: staging is journalled before it is made (a `stage` record), so the next
 * command removes it even when the run was killed during the copy, before any stop of
 * the target; a swap killed between its per-folder renames is finished or rolled back
 * whole by the next command (journal/swap-recovery.ts) before the guarded restart.
 */
import type { ManifestEntry } from '../archive/manifest.js';
import { siblingPaths, type ReplicaRestoreOp } from '../plan/restore-plan.js';
import { pumpThroughGate } from '../restore/archive-extract.js';
import { makeFreshFolder, makeParents, parentOf, setFolderMeta, syncFolder } from '../restore/host-folders.js';
import { commandFailure, commandTimeoutMs } from '../hosts/host.js';
import {
    canSetOwners, journalledStart, journalledStop, journalStep, makeStaging, type OpOutcome, type RestoreRunContext
} from '../restore/restore-context.js';
import { dropStaging, swapIn } from '../restore/swap-in.js';
import { verifyTree } from '../restore/verify-restored.js';

/** Copies the op's folders onto its server; never throws for failures (see the outcome). */
export async function replicateFolders(op: ReplicaRestoreOp, ctx: RestoreRunContext): Promise<OpOutcome> {
    const target = op.server;
    const th = ctx.hostFor(target);
    const { aside, staging } = siblingPaths(target.data!, ctx.runId);
    const folders = op.sources.flatMap(g => g.folders);
    const outcome: OpOutcome = {
        server: target.name, kind: 'replica', ok: false, swapped: false, kept: [],
        sources: op.sources.map(g => g.source.name), folders: folders.map(f => f.name)
    };
    const parts = folders.map(f => ({
        folder: f, data: `${target.data}/${f.path}`, aside: `${aside}/${f.path}`, staged: `${staging}/${f.path}`, moved: false, swapped: false
    }));
    const owners = await canSetOwners(th);
    const say = (server: string, text: string): void => ctx.reporter.step(server, text);

    // 1. Copy every folder into staging, sources one at a time, the target still running.
    try {
        await makeStaging(target.name, th, staging, ctx);
        for (const { source, folders: fs } of op.sources) {
            const sh = ctx.hostFor(source);
            say(source.name, `quiescing for a consistent copy of ${fs.map(f => f.name).join(', ')}`);
            const copied = new Map<string, ManifestEntry[]>();
            let failure: Error | undefined;
            try {
                const stop = await journalledStop(source, sh, ctx, { pairs: [] });
                if (!stop.ok) throw new Error(`source ${source.name}: ${commandFailure(`stop command \`${source.stop}\``, stop, commandTimeoutMs(source, ctx.timeoutMs))}`);
                for (const f of fs) {
                    if (ctx.signal.aborted) throw new Error('interrupted');
                    say(target.name, `copying ${f.name} from ${source.name}`);
                    const part = parts.find(p => p.folder === f)!;
                    await makeParents(th, parentOf(part.staged));
                    await makeFreshFolder(th, part.staged);
                    const abort = new AbortController();
                    const onOuter = (): void => abort.abort();
                    ctx.signal.addEventListener('abort', onOuter, { once: true });
                    try {
                        const out = sh.tarOut(`${source.data}/${f.path}`, { signal: abort.signal });
                        const sink = th.tarIn(part.staged, { signal: abort.signal });
                        copied.set(f.name, await pumpThroughGate(out.stream, out.done, sink, {
                            abort, onProgress: bytes => ctx.reporter.bytes(target.name, bytes)
                        }));
                    } finally {
                        ctx.signal.removeEventListener('abort', onOuter);
                    }
                    await journalStep(ctx, target.name, 'copy', true);
                }
            } catch (err) {
                failure = err as Error;
            } finally {
                say(source.name, 'starting the source again');
                const start = await journalledStart(source, sh, ctx);
                if (!start.ok) {
                    const msg = `source ${source.name}: ${commandFailure(`start command \`${source.start}\``, start, commandTimeoutMs(source, ctx.timeoutMs))}: ${source.name} is NOT running`;
                    failure = failure ? new Error(`${failure.message}; ${msg}`) : new Error(msg);
                }
                ctx.reporter.end(source.name, failure ? 'started again after a failed copy' : 'started again');
            }
            if (failure) throw failure;
            say(target.name, `verifying ${fs.map(f => f.name).join(', ')} against the hashes read from ${source.name}`);
            for (const f of fs) {
                const part = parts.find(p => p.folder === f)!;
                const entries = copied.get(f.name)!;
                const top = entries.find(e => e.path === '.');
                if (top) await setFolderMeta(th, part.staged, top.mode, owners ? { uid: top.uid, gid: top.gid } : undefined);
                const problems = await verifyTree(th, part.staged, entries, { owners, content: true, within: f.path, signal: ctx.signal });
                if (problems.length) throw new Error(`the copy of ${f.name} differs from what ${source.name} sent: ${problems.slice(0, 5).join('; ')}`);
                outcome.files = (outcome.files ?? 0) + entries.filter(e => e.type === 'file' || e.type === 'hardlink').length;
            }
            await journalStep(ctx, target.name, 'verify', true);
        }
        await syncFolder(th, staging);
    } catch (err) {
        outcome.error = `${(err as Error).message}; ${target.name} was not touched`;
        await dropStaging(th, staging, ctx);
        ctx.reporter.end(target.name, `FAILED: ${outcome.error}`);
        return outcome;
    }

    // 2. Stop the target, swap the folders in, start it.
    await swapIn({ server: target, host: th, ctx, outcome, parts, staging, aside });
    if (outcome.ok) ctx.reporter.end(target.name, `replicated ${folders.map(f => f.name).join(', ')} (${outcome.files} files) from ${outcome.sources!.join(', ')}`);
    else ctx.reporter.end(target.name, `FAILED: ${outcome.error}`);
    return outcome;
}
