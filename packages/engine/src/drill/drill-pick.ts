/**
 * Which archive of a server a drill restores (DESIGN §11 `pick`).
 *
 *   candidates: the server's archives on the drill's tape, oldest first (IDs sort by time)
 *   newest → the last; oldest → the first
 *   random → index = (first 4 bytes of SHA-256(seed)) mod count, seed = RUN/DRILL/SERVER:
 *            the same run ID and the same archives give the same pick, so the journal,
 *            which records the run ID, the seed, the index and the count, says why
 *            this archive was drilled (and `pickArchive` run again proves it)
 * Pure; no I/O.
 */
import { createHash } from 'node:crypto';
import type { ArchivePick } from '@backplan/language/model';

/** One archive chosen, and how. */
export interface PickedArchive<T> {
    readonly item: T;
    /** Its position among the candidates, oldest first. */
    readonly index: number;
    readonly of: number;
    /** For `random`: what the index was drawn from. */
    readonly seed?: string;
}

/** The seed of a random pick: the run, the drill and the server. */
export function drillSeed(runId: string, drill: string, server: string): string {
    return `${runId}/${drill}/${server}`;
}

/** Picks among candidates (oldest first) in a drill's order; undefined when there are none. */
export function pickArchive<T>(candidates: readonly T[], order: ArchivePick, seed: string): PickedArchive<T> | undefined {
    const of = candidates.length;
    if (of === 0) return undefined;
    if (order === 'oldest') return { item: candidates[0], index: 0, of };
    if (order === 'newest') return { item: candidates[of - 1], index: of - 1, of };
    const index = createHash('sha256').update(seed).digest().readUInt32BE(0) % of;
    return { item: candidates[index], index, of, seed };
}
