/**
 * Stale restic locks (DESIGN §9): a restic killed outright (SIGKILL, a crash, a power cut)
 * leaves its lock in the repository, and restic's exclusive commands (forget, prune,
 * check) then refuse to run. Backplan removes such locks, carefully:
 *
 *   live = runs of this runbook's journal that began, never ended, and whose process is
 *          alive on this machine (other than the caller's own run); recovery
 *          (journal/recovery.ts), which every command runs first, has closed the dead ones
 *   live ≠ ∅            → nothing removed (a live run's restic may hold the lock)
 *   no lock in the repo → nothing to do (one `restic list locks`)
 *   else                → `restic unlock`: restic itself removes only locks whose process
 *                         is gone on the host that holds them, or older than 30 minutes;
 *                         never `unlock --remove-all`
 *
 * Interruption: an unlock killed half-way leaves what restic had not removed yet; the
 * next command tries again.
 */
import * as os from 'node:os';
import type { Journal } from './journal.js';
import type { JournalRecord, RunBeginRecord } from './journal-record.js';
import { processAlive } from '../tape/tape-lock.js';
import type { ResticRepository } from '../restic/restic-repo.js';

/** Runs of a journal that are live now: begun, not ended, their process alive here; `except` left out. */
export function liveRuns(records: readonly JournalRecord[], except?: string): RunBeginRecord[] {
    const begun = new Map<string, RunBeginRecord>();
    for (const r of records) {
        if (r.type !== 'run') continue;
        if (r.event === 'begin') begun.set(r.run, r);
        else begun.delete(r.run);
    }
    return [...begun.values()].filter(b => b.run !== except && b.host === os.hostname() && processAlive(b.pid));
}

/** What a stale-lock check did. */
export interface StaleLockResult {
    /** Locks restic removed (their holders, for the message). */
    readonly removed: number;
    /** Why nothing was tried (a live run), if so. */
    readonly kept?: string;
}

/** Removes the repository's stale locks when the journal proves no run of this runbook is live (see the header). */
export async function removeStaleLocks(repo: ResticRepository, journal: Journal, self?: string, notice?: (message: string) => void): Promise<StaleLockResult> {
    const live = liveRuns(await journal.read(), self);
    if (live.length > 0) {
        return { removed: 0, kept: `run ${live[0].run} (pid ${live[0].pid}, "${live[0].command}") is live` };
    }
    const before = await repo.locks();
    if (before.length === 0) return { removed: 0 };
    await repo.unlock();
    const after = new Set((await repo.locks()).map(l => l.id));
    const gone = before.filter(l => !after.has(l.id));
    if (gone.length > 0) {
        const who = gone.map(l => `pid ${l.pid} on ${l.hostname}, since ${l.time}`).join('; ');
        notice?.(`tape ${repo.tape}: removed ${gone.length} stale restic lock${gone.length === 1 ? '' : 's'} (${who}) with \`restic unlock\` on ${repo.shell.label}: no run of this runbook is live`);
    }
    return { removed: gone.length };
}
