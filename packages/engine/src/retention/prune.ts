/**
 * `prune`: apply a tape's `keep` (keep-policy.ts) and clean garbage.
 *
 *   lock the tape → list → decide → for each archive to go: manifest, then archive, then
 *   verification record (tape-store.ts `remove`) → remove garbage (archives without a
 *   manifest, `.tmp-` files) → unlock
 *
 * `--dry-run` decides and lists, removes nothing and takes no lock.
 * Interruption: an archive whose manifest is gone but whose data remains is garbage (not
 * listed) and goes at the next prune; a listed archive always has its data.
 */
import type { KeepPolicy } from '@backplan/language/model';
import { archiveIdTime } from '../tape/archive-id.js';
import type { ListedArchive, TapeStore } from '../tape/tape-store.js';
import { applyKeepPolicy, type RetentionDecision, type RetentionItem } from './keep-policy.js';

export interface PruneItem extends RetentionItem {
    archive: ListedArchive;
}

export interface PrunePlan {
    tape: string;
    decisions: Array<RetentionDecision<PruneItem>>;
    garbage: string[];
}

/** Decides what a prune of one tape removes. */
export async function planPrune(tape: TapeStore, keep: KeepPolicy): Promise<PrunePlan> {
    const listed = await tape.list();
    const items: PruneItem[] = listed
        .filter(a => a.manifest) // an unreadable manifest is never pruned blindly: verify reports it
        .map(a => ({ id: a.id, server: a.manifest!.server, time: archiveIdTime(a.id)!, verified: a.verified?.ok === true, archive: a }));
    return { tape: tape.name, decisions: applyKeepPolicy(items, keep), garbage: await tape.garbage() };
}

/** Carries out a prune plan (call with the tape's lock held). */
export async function executePrune(tape: TapeStore, plan: PrunePlan): Promise<void> {
    for (const d of plan.decisions) if (!d.keep) await tape.remove(d.item.archive);
    await tape.removeGarbage(plan.garbage);
}
