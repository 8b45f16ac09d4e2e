/**
 * A drill's pick (DESIGN §11): newest and oldest by position, random drawn from the seed
 * RUN/DRILL/SERVER so the same run ID and archives give the same archive, while different
 * runs reach every archive.
 */
import { describe, expect, it } from 'vitest';
import { drillSeed, pickArchive } from '../src/drill/drill-pick.js';

const ids = ['a1', 'a2', 'a3', 'a4', 'a5'];

describe('pickArchive', () => {
    it('newest is the last, oldest the first; none from no archives', () => {
        expect(pickArchive(ids, 'newest', 's')).toEqual({ item: 'a5', index: 4, of: 5 });
        expect(pickArchive(ids, 'oldest', 's')).toEqual({ item: 'a1', index: 0, of: 5 });
        expect(pickArchive([], 'random', 's')).toBeUndefined();
    });

    it('random is a function of the seed: the same seed, the same archive, and the seed is kept', () => {
        const seed = drillSeed('20261203T040000.000Z-run-1a2b', 'Weekly', 'Mail1');
        expect(seed).toBe('20261203T040000.000Z-run-1a2b/Weekly/Mail1');
        const first = pickArchive(ids, 'random', seed)!;
        for (let i = 0; i < 10; i++) expect(pickArchive(ids, 'random', seed)).toEqual(first);
        expect(first.seed).toBe(seed);
        expect(first.item).toBe(ids[first.index]);
    });

    it('random over many runs reaches every archive, each about as often', () => {
        const counts = new Map<string, number>();
        for (let run = 0; run < 1000; run++) {
            const { item } = pickArchive(ids, 'random', drillSeed(`run-${run}`, 'Weekly', 'Mail1'))!;
            counts.set(item, (counts.get(item) ?? 0) + 1);
        }
        expect([...counts.keys()].sort()).toEqual(ids);
        for (const n of counts.values()) expect(n).toBeGreaterThan(120);
    });
});
