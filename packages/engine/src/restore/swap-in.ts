/**
 * Putting verified data in place on a server: the part a restore from tape and a
 * replication share once their new copy is (or is about to be) in a staging folder.
 *
 *   stop (journalled with a guarded restart: staging, and each data → aside pair)
 *   try   every part: DATA[/folder] → aside           (only what exists)
 *         fill staging if the caller fills it now    (a restore extracts here)
 *         journal swap plan (every part) → every part: staged → DATA[/folder], journal
 *         renamed after each → journal commit                         ← commit
 *         sync the folders that hold the renamed paths
 *   fail before the commit: every part back (in reverse), staging removed
 *   finally START, ALWAYS
 *   then: the set-aside copy is removed only when the commit is durable, the application
 *         runs and nothing failed (--keep-old keeps it); otherwise it is kept and named
 *
 * Guarantees: nothing is deleted before the new data is in place and the application has
 * started; a part is renamed, never copied, so staging and aside must be siblings of the
 * data folder on its file system (siblingPaths). Interruption: between the staged renames,
 * recovery finishes or rolls back the swap whole from its journal records
 * (journal/swap-recovery.ts); then the guarded restart in the stop record removes staging,
 * puts set-aside folders back into empty places and starts the application; after the
 * commit, recovery removes the set-aside copy once the application runs.
 */
import type { Host } from '../hosts/host.js';
import type { ManifestEntry } from '../archive/manifest.js';
import { formatBytes } from '../progress/progress-reporter.js';
import { InterruptedError, whileStopped } from '../kernel/quiesce.js';
import { fsyncFolder, makeParents, parentOf, pathExists, removeOwnFolder, renameFolder, roomShortfall } from '../hosts/host-folders.js';
import { journalStep, noteQuiesce, putBackPrelude, type OpOutcome, type RestoreRunContext } from './restore-context.js';
import type { ServerModel } from '@backplan/language/model';

/** One folder (or the whole data folder) being replaced. */
export interface SwapPart {
    /** Where the data lives. */
    data: string;
    /** Where the current data goes while the new copy is put in place. */
    aside: string;
    /** The new copy in staging. */
    staged: string;
    moved: boolean;
    swapped: boolean;
}

/** What a swap needs besides its parts. */
export interface SwapJob {
    server: ServerModel;
    host: Host;
    ctx: RestoreRunContext;
    outcome: OpOutcome;
    parts: SwapPart[];
    /** The operation's staging folder (removed after the commit). */
    staging: string;
    /** The operation's set-aside folder (removed at the end when all went well). */
    aside: string;
    /** Fills staging once the application is stopped and its data set aside (restore from tape). */
    fillWhileStopped?: () => Promise<void>;
}

/** Stop, set aside, (fill), commit, start: see the module comment. Never throws for failures (see the outcome). */
export async function swapIn(job: SwapJob): Promise<void> {
    const { server, host, ctx, outcome, parts, staging } = job;
    const prelude = putBackPrelude({ staging, pairs: parts.map(p => ({ data: p.data, aside: p.aside })) });
    const q = await whileStopped({ server, host, prelude }, ctx, async () => {
        try {
            ctx.reporter.step(server.name, 'setting the current data aside');
            for (const p of parts) {
                if (!(await pathExists(host, p.data))) continue;
                await makeParents(host, parentOf(p.aside));
                await renameFolder(host, p.data, p.aside);
                p.moved = true;
            }
            await journalStep(ctx, server.name, 'set-aside', true);
            if (job.fillWhileStopped) {
                await job.fillWhileStopped();
                if (ctx.signal.aborted) throw new InterruptedError('interrupted before the swap');
            }
            await commitParts(host, parts, staging, ctx, outcome, job.aside);
        } catch (err) {
            outcome.error = (err as Error).message;
            // Before START ALWAYS: the original data back in place.
            if (!outcome.swapped) await putBackParts(parts, host, staging, ctx, server.name, outcome);
            throw err;
        }
    });
    const bodyRan = outcome.error !== undefined || (q.stop.state === 'stopped' && !q.bodyError);
    if (!bodyRan) {
        // Stop failed, or interrupted right after it: nothing was set aside.
        outcome.error = `${q.stop.error ?? q.bodyError?.message}; nothing was changed`;
        await removeOwnFolder(host, staging).catch(() => undefined);
    }
    noteQuiesce(q, outcome);
    await finish(parts, host, ctx, outcome, job.aside);
}

/** The commit: every staged part renamed into place, staging removed, the renames synced. */
export async function commitParts(host: Host, parts: SwapPart[], staging: string, ctx: RestoreRunContext, outcome: OpOutcome, aside?: string): Promise<void> {
    // Journalled as a unit: a kill between two renames is finished or rolled back whole by recovery (journal/swap-recovery.ts).
    const base = { type: 'swap' as const, run: ctx.runId, server: outcome.server };
    await ctx.journal.append({ ...base, event: 'plan', time: now(), host: host.label, aside, keepOld: ctx.keepOld, parts: parts.map(p => ({ data: p.data, aside: p.aside, staged: p.staged })) });
    for (const [i, p] of parts.entries()) {
        await makeParents(host, parentOf(p.data));
        await renameFolder(host, p.staged, p.data);
        p.swapped = true;
        await ctx.journal.append({ ...base, event: 'renamed', time: now(), part: i });
    }
    outcome.swapped = true;
    await ctx.journal.append({ ...base, event: 'commit', time: now() });
    await journalStep(ctx, outcome.server, 'swap', true);
    // Gone (the whole data folder was staging itself), empty, or holding only what a
    // --folder restore extracted beside its folders (targets of hard links).
    await dropStaging(host, staging, ctx);
    await fsyncParents(host, parts);
}

const now = (): string => new Date().toISOString();

/**
 * `--target DIR`: DIR must be absent or an empty folder (removed first); `stage` fills
 * staging beside it, then the commit renames it into DIR. No stop, no start. Sets
 * `outcome.ok`, or `outcome.error` after removing staging; never throws.
 */
export async function commitIntoTarget(host: Host, dest: string, stage: () => Promise<void>, parts: SwapPart[], staging: string, ctx: RestoreRunContext, outcome: OpOutcome): Promise<void> {
    try {
        if (await pathExists(host, dest)) {
            const r = await host.run('rmdir -- "$BP_P"', { env: { BP_P: dest }, timeoutMs: 60_000 });
            if (!r.ok) throw new Error(`--target ${dest} exists and is not an empty folder`);
        }
        await stage();
        await commitParts(host, parts, staging, ctx, outcome);
        outcome.ok = true;
    } catch (err) {
        outcome.error = (err as Error).message;
        await dropStaging(host, staging, ctx);
    }
}

/** Removes an operation's staging folder; a failure only warns (it is never the only copy). */
export async function dropStaging(host: Host, staging: string, ctx: RestoreRunContext): Promise<void> {
    await removeOwnFolder(host, staging)
        .catch((err: Error) => ctx.reporter.notice(`warning: the staging folder ${host.label}:${staging} could not be removed (${err.message}): remove it by hand`));
}

/** Before the commit: the original data back in place, staging removed. */
async function putBackParts(parts: SwapPart[], host: Host, staging: string, ctx: RestoreRunContext, server: string, outcome: OpOutcome): Promise<void> {
    const problems: string[] = [];
    for (const p of [...parts].reverse()) {
        try {
            if (p.swapped) { await renameFolder(host, p.data, p.staged); p.swapped = false; }
            if (p.moved) { await renameFolder(host, p.aside, p.data); p.moved = false; }
        } catch (err) {
            problems.push((err as Error).message);
        }
    }
    await removeOwnFolder(host, staging).catch(err => problems.push((err as Error).message));
    await notePutBack(ctx, server, outcome, problems, parts.filter(p => p.moved).map(p => p.aside));
}

/** Says and journals how putting the original back went; `kept`: set-aside copies still aside. */
export async function notePutBack(ctx: RestoreRunContext, server: string, outcome: OpOutcome, problems: string[], kept: string[]): Promise<void> {
    if (problems.length) {
        outcome.error = `${outcome.error}; PUTTING THE ORIGINAL BACK FAILED: ${problems.join('; ')}`;
        outcome.kept = kept;
    } else {
        outcome.error = `${outcome.error}; the original data is back in place`;
    }
    await journalStep(ctx, server, 'put-back', problems.length === 0, problems.join('; ') || undefined);
}

/** A failure before the server was stopped: said, staging removed; returns the outcome. */
export async function failedUntouched(host: Host, staging: string, ctx: RestoreRunContext, outcome: OpOutcome, err: unknown): Promise<OpOutcome> {
    outcome.error = `${(err as Error).message}; ${outcome.server} was not touched`;
    await dropStaging(host, staging, ctx);
    ctx.reporter.end(outcome.server, `FAILED: ${outcome.error}`);
    return outcome;
}

/**
 * Stages and verifies while the application may run. What is staged must fit beside its
 * data: a disk filled by staging would fail the application too. False: it failed
 * (said, staging removed, nothing else touched).
 */
export async function stageFirst(job: {
    host: Host; staging: string; dest: string; parts: ReadonlyArray<{ want: readonly ManifestEntry[] }>; stage: () => Promise<void>; ctx: RestoreRunContext; outcome: OpOutcome; what: string;
}): Promise<boolean> {
    const { host, staging, ctx, outcome } = job;
    const short = await roomShortfall(host, parentOf(staging), job.parts.flatMap(p => p.want));
    if (short) {
        outcome.error = `${job.what} needs ${formatBytes(short.needed)} beside ${job.dest} on ${host.label}, and ${formatBytes(short.free)} is free: `
            + 'make room, or restore it elsewhere with --target DIR; nothing was changed';
        ctx.reporter.end(outcome.server, `FAILED: ${outcome.error}`);
        return false;
    }
    try {
        await job.stage();
        if (ctx.signal.aborted) throw new Error('interrupted before anything was stopped');
        return true;
    } catch (err) {
        await failedUntouched(host, staging, ctx, outcome, err);
        return false;
    }
}

/** Makes the renames durable: the folders that hold each swapped path (with --folder, inside the data folder). */
async function fsyncParents(host: Host, parts: ReadonlyArray<{ data: string }>): Promise<void> {
    for (const dir of new Set(parts.map(p => parentOf(p.data)))) await fsyncFolder(host, dir);
}

/**
 * After start: remove the set-aside copy only when the swap is done (and durable), the
 * application runs and nothing failed; otherwise it is kept and named.
 */
export async function finish(parts: Array<{ moved: boolean; aside: string }>, host: Host, ctx: RestoreRunContext, outcome: OpOutcome, aside: string): Promise<void> {
    const moved = parts.some(p => p.moved);
    if (!outcome.swapped || !moved) {
        outcome.ok = outcome.swapped && outcome.started === true && !outcome.error;
        // The planned cleanup step, with nothing set aside to remove (the data folder was gone).
        if (outcome.swapped) await journalStep(ctx, outcome.server, 'cleanup', true);
        return;
    }
    if (outcome.started && !ctx.keepOld && !outcome.error) {
        try {
            await removeOwnFolder(host, aside);
            await journalStep(ctx, outcome.server, 'cleanup', true);
        } catch (err) {
            outcome.kept.push(aside);
            ctx.reporter.notice(`warning: the set-aside copy ${aside} could not be removed: ${(err as Error).message}`);
        }
    } else {
        outcome.kept.push(aside);
        if (!outcome.started || outcome.error) outcome.error = `${outcome.error}; the restored data is in place and verified; the previous data is kept at ${aside}`;
    }
    outcome.ok = outcome.swapped && outcome.started === true && !outcome.error;
}
