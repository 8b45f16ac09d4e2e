/**
 * `prune` on a restic tape (DESIGN §9: "restic's own `forget` with the tape's `keep`, per
 * server, then `prune`"), for each place of the tape (restic-places.ts), under the tape's
 * lock (the caller's, prune-run.ts):
 *
 *   stale restic locks removed when the journal shows no live run (restic-stale-locks.ts)
 *   pair data and manifest snapshots (restic-manifest.ts)
 *   garbage = data snapshots without manifest (unfinished backups) and manifests without
 *             their data → restic forget ID…   (first: they must not count as kept)
 *   per server (each `--host` among the data snapshots):
 *     restic forget --host S --tag backplan --group-by host --keep-… (restic decides)
 *   the manifest snapshots of the forgotten data snapshots → restic forget ID…
 *   anything forgotten → restic prune (the space is freed)
 *   no `keep`: nothing is forgotten by rule (restic refuses a forget without a policy)
 *
 * `--dry-run`: restic's own decision (`forget --dry-run`), the garbage listed, nothing
 * forgotten, no lock (unfinished snapshots are then still counted by restic's rules).
 * Interruption: a prune killed between the two forgets leaves manifests without their
 * data: orphans, forgotten by the next prune; a killed `restic prune` leaves a stale
 * lock and unreferenced packs, which the next prune removes.
 */
import type { TapeModel } from '@backplan/language/model';
import type { Journal } from '../journal/journal.js';
import { pairManifests } from '../restic/restic-manifest.js';
import type { TapePlace } from '../restic/restic-places.js';
import { removeStaleLocks } from '../journal/restic-stale-locks.js';
import { BACKPLAN_TAG, MANIFEST_TAG } from '../restic/restic-snapshot.js';
import { keepArgs } from '../restic/restic-forget.js';

/** What a prune of one restic tape decided (and, unless dry, did). */
export interface ResticPrunePlan {
    readonly tape: string;
    readonly kind: 'restic';
    readonly keep: Array<{ id: string; server: string; reasons: readonly string[] }>;
    readonly remove: Array<{ id: string; server: string }>;
    /** Short IDs of unfinished data snapshots and orphaned manifests. */
    readonly garbage: string[];
}

/** How to prune. */
export interface ResticPruneOptions {
    readonly dryRun?: boolean;
    readonly journal: Journal;
    /** The prune's own run (its restic locks are not stale). */
    readonly runId?: string;
    readonly notice: (message: string) => void;
    readonly signal?: AbortSignal;
}

/** Prunes one place of a restic tape into `plan` (see the header). */
async function prunePlace(place: TapePlace, tape: TapeModel, plan: ResticPrunePlan, options: ResticPruneOptions): Promise<void> {
    const { repo } = place;
    const call = { signal: options.signal };
    if (!options.dryRun) await removeStaleLocks(repo, options.journal, options.runId, options.notice);
    const all = [...await repo.snapshots({ ...call, tags: [BACKPLAN_TAG] }), ...await repo.snapshots({ ...call, tags: [MANIFEST_TAG] })];
    const pairing = pairManifests(all);
    const garbage = [...pairing.unfinished, ...pairing.orphans];
    plan.garbage.push(...garbage.map(s => s.shortId));
    if (!options.dryRun) await repo.forgetIds(garbage.map(s => s.id), call);
    let forgotten = garbage.length;
    if (keepArgs(tape.keep).length > 0) {
        for (const server of [...new Set(pairing.archives.map(a => a.snapshot.hostname))]) {
            const decision = await repo.forget(server, tape.keep, { ...call, dryRun: options.dryRun });
            plan.keep.push(...decision.keep.map(k => ({ id: k.snapshot.shortId, server, reasons: k.reasons })));
            plan.remove.push(...decision.remove.map(r => ({ id: r.shortId, server })));
            const gone = new Set(decision.remove.map(r => r.id));
            const manifests = pairing.archives.filter(a => gone.has(a.snapshot.id)).map(a => a.manifestSnapshot.id);
            if (!options.dryRun) await repo.forgetIds(manifests, call);
            forgotten += gone.size;
        }
    } else {
        plan.keep.push(...pairing.archives.map(a => ({ id: a.snapshot.shortId, server: a.snapshot.hostname, reasons: ['no keep on this tape'] })));
    }
    if (!options.dryRun && forgotten > 0) await repo.prune(call);
}

/** Prunes every place of a restic tape; the plan says what went. */
export async function pruneResticTape(tape: TapeModel, places: readonly TapePlace[], options: ResticPruneOptions): Promise<ResticPrunePlan> {
    const plan: ResticPrunePlan = { tape: tape.name, kind: 'restic', keep: [], remove: [], garbage: [] };
    for (const place of places) await prunePlace(place, tape, plan, options);
    return plan;
}

/** What a carried-out restic prune removed, for the journal: snapshot IDs, then garbage. */
export function resticRemoved(plan: ResticPrunePlan): string[] {
    return [...plan.remove.map(r => r.id), ...plan.garbage];
}
