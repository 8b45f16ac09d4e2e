/**
 * A journalled prune: the run verb's record of what it removed, so that `history` shows
 * every prune, finished or killed.
 *
 *   run begin → for each tape: step prune begin → lock → plan → remove → unlock
 *             → step prune end {removed} → run end
 *   (a restic tape's job is restic/restic-prune.ts, under the same run and records)
 *
 * Interruption: a killed prune leaves a run that never ended; the next command's recovery
 * (journal/recovery.ts) closes it as interrupted. What it removed before the kill is gone
 * (prune.ts: a half-removed archive is garbage and goes at the next prune).
 */
import * as os from 'node:os';
import type { KeepPolicy } from '@backplan/language/model';
import type { Journal } from '../journal/journal.js';
import { newRunId } from '../tape/archive-id.js';
import type { TapeStore } from '../tape/tape-store.js';
import { executePrune, planPrune, type PrunePlan } from './prune.js';

export interface PruneRunOptions {
    journal: Journal;
    command: string;
    runbookPath: string;
    tapes: Array<{ tape: TapeStore; keep: KeepPolicy }>;
    /** Takes the tape's lock (throws when it cannot). */
    lock: (tape: TapeStore) => Promise<{ release(): Promise<void> }>;
}

const now = (): string => new Date().toISOString();

/** One tape's prune: `tape` holds the lock; `prune` decides, removes and says what went. */
export interface PruneJob<P> {
    readonly tape: TapeStore;
    prune(): Promise<{ plan: P; removed: string[] }>;
}

/** The prune of a folder tape (prune.ts). */
export function folderPruneJob(tape: TapeStore, keep: KeepPolicy): PruneJob<PrunePlan> {
    return {
        tape,
        prune: async () => {
            const plan = await planPrune(tape, keep);
            await executePrune(tape, plan);
            return { plan, removed: removedBy(plan) };
        }
    };
}

/** Prunes every folder tape under its lock, journalled (see module comment); rethrows the first failure after the run's end record. */
export function runPrune(options: PruneRunOptions): Promise<PrunePlan[]> {
    return runPruneJobs({ ...options, jobs: options.tapes.map(({ tape, keep }) => folderPruneJob(tape, keep)) });
}

/** Runs prune jobs (folder or restic tapes) under their locks as one journalled run. */
export async function runPruneJobs<P>(options: Omit<PruneRunOptions, 'tapes'> & { jobs: ReadonlyArray<PruneJob<P>> }): Promise<P[]> {
    const { journal } = options;
    const run = newRunId();
    await journal.append({ type: 'run', event: 'begin', run, time: now(), verb: 'prune', command: options.command, pid: process.pid, host: os.hostname(), runbook: options.runbookPath });
    const plans: P[] = [];
    try {
        for (const job of options.jobs) plans.push(await pruneTape(journal, run, job, options.lock));
    } catch (err) {
        await journal.append({ type: 'run', event: 'end', run, time: now(), ok: false, error: (err as Error).message }).catch(() => undefined);
        throw err;
    }
    await journal.append({ type: 'run', event: 'end', run, time: now(), ok: true });
    return plans;
}

/** One tape: step begin, lock, prune, unlock, step end naming what went. */
async function pruneTape<P>(journal: Journal, run: string, job: PruneJob<P>, lock: PruneRunOptions['lock']): Promise<P> {
    const base = { type: 'step' as const, run, step: 'prune' as const, tape: job.tape.name };
    await journal.append({ ...base, event: 'begin', time: now() });
    try {
        const held = await lock(job.tape);
        try {
            const { plan, removed } = await job.prune();
            await journal.append({ ...base, event: 'end', time: now(), ok: true, removed });
            return plan;
        } finally {
            await held.release();
        }
    } catch (err) {
        await journal.append({ ...base, event: 'end', time: now(), ok: false, error: (err as Error).message }).catch(() => undefined);
        throw err;
    }
}

/** What a carried-out plan removed: archive IDs, then garbage files. */
export function removedBy(plan: PrunePlan): string[] {
    return [...plan.decisions.filter(d => !d.keep).map(d => d.item.id), ...plan.garbage];
}
