/**
 * `--from replica` (DESIGN §4, the seed's "use replication"): folders copied onto a
 * server from other servers that hold them, written against the Host interface only (so
 * SSH hosts work unchanged: tar out on the source, tar in on the target).
 *
 *   mkdir .NAME.backplan-new-RUN (0700) beside the target's DATA
 *   for each source, one at a time (the target keeps running):
 *     stop the source (kernel/quiesce.ts: recovery starts it again)
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
import { syncFolder } from '../hosts/host-folders.js';
import { InterruptedError, whileStopped } from '../kernel/quiesce.js';
import {
    canSetOwners, journalStep, makeStaging, type OpOutcome, type RestoreRunContext
} from './restore-context.js';
import { failedUntouched, swapIn } from './swap-in.js';
import { checkCopy, copyFolder } from './copy-folder.js';

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
            const q = await whileStopped({ server: source, host: sh }, ctx, async () => {
                for (const f of fs) {
                    if (ctx.signal.aborted) throw new InterruptedError('interrupted');
                    say(target.name, `copying ${f.name} from ${source.name}`);
                    copied.set(f.name, await copyFolder(sh, `${source.data}/${f.path}`, th, parts.find(p => p.folder === f)!.staged, ctx, target.name));
                    await journalStep(ctx, target.name, 'copy', true);
                }
            });
            const failure = [q.stop.error, q.bodyError?.message, q.start?.error].filter(Boolean).map(e => `source ${source.name}: ${e}`).join('; ');
            if (q.start) ctx.reporter.end(source.name, q.start.started ? (failure ? 'started again after a failed copy' : 'started again') : 'NOT running');
            if (failure) throw new Error(failure);
            say(target.name, `verifying ${fs.map(f => f.name).join(', ')} against the hashes read from ${source.name}`);
            for (const f of fs) {
                const entries = copied.get(f.name)!;
                await checkCopy(th, parts.find(p => p.folder === f)!.staged, entries, { owners, within: f.path, what: `the copy of ${f.name}`, from: source.name }, ctx);
                outcome.files = (outcome.files ?? 0) + entries.filter(e => e.type === 'file' || e.type === 'hardlink').length;
            }
            await journalStep(ctx, target.name, 'verify', true);
        }
        await syncFolder(th, staging);
    } catch (err) {
        return failedUntouched(th, staging, ctx, outcome, err);
    }

    // 2. Stop the target, swap the folders in, start it.
    await swapIn({ server: target, host: th, ctx, outcome, parts, staging, aside });
    if (outcome.ok) ctx.reporter.end(target.name, `replicated ${folders.map(f => f.name).join(', ')} (${outcome.files} files) from ${outcome.sources!.join(', ')}`);
    else ctx.reporter.end(target.name, `FAILED: ${outcome.error}`);
    return outcome;
}
