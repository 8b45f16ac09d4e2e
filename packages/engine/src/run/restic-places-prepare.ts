/**
 * A restic tape made ready for a backup block, after its lock and before any stop:
 *
 *   for each repository as seen from a host of the block's servers (in plan order, once):
 *     no repository there (pre-flight)  → `restic init`, and said (DESIGN §9: created only
 *                                          by `backup`, when it does not exist yet)
 *     locks seen by pre-flight          → the stale ones removed when the journal shows
 *                                          no live run (restic-stale-locks.ts)
 *   a host where this fails: each of its servers fails with the reason, never stopped
 *
 * Interruption: a killed `restic init` leaves a repository restic may refuse to open
 * (no config file yet): the next pre-flight finds none and `init` runs again, or reports
 * restic's own words.
 */
import type { Journal } from '../journal/journal.js';
import type { BackupPlanItem, ServerPlan } from '../plan/backup-plan.js';
import { ResticBackupPreflight, type ResticPlaceState } from '../restic/restic-backup-preflight.js';
import { removeStaleLocks } from '../journal/restic-stale-locks.js';

/** What preparing needs from the run. */
export interface PrepareContext {
    readonly journal: Journal;
    readonly runId: string;
    readonly notice: (message: string) => void;
}

/** Readies every place of the block's servers; returns the servers that cannot run, with why. */
export async function prepareResticPlaces(item: BackupPlanItem, queue: readonly ServerPlan[], pre: ResticBackupPreflight, ctx: PrepareContext): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    const done = new Map<string, string | undefined>();
    for (const { server } of queue) {
        const target = pre.targets.get(ResticBackupPreflight.key(item.tape.name, server.name));
        if (!target) continue;
        const { place } = target;
        if (!done.has(place.key)) done.set(place.key, await prepare(place, item.tape.name, ctx));
        const error = done.get(place.key);
        if (error !== undefined) failed.set(server.name, error);
    }
    return failed;
}

/** One place: init when missing, stale locks removed; the reason it failed, if it did. */
async function prepare(place: ResticPlaceState, tape: string, ctx: PrepareContext): Promise<string | undefined> {
    const { repo } = place;
    try {
        if (!place.exists) {
            await repo.init({ timeoutMs: 10 * 60_000 });
            place.exists = true;
            ctx.notice(`tape ${tape}: there was no restic repository at ${repo.target.repository} (seen from ${repo.shell.label}): created it (restic init)`);
            return undefined;
        }
        if (place.locks.length > 0) await removeStaleLocks(repo, ctx.journal, ctx.runId, ctx.notice);
        return undefined;
    } catch (err) {
        return `tape ${tape}: not stopped, the repository could not be made ready: ${(err as Error).message}`;
    }
}
