import { describe, expect, it } from 'vitest';
import { applyKeepPolicy, isoWeek, type RetentionItem } from '../src/retention/keep-policy.js';

const at = (server: string, iso: string, verified = true): RetentionItem => ({ id: `${iso}-${server}`, server, time: new Date(iso), verified });
const kept = (items: RetentionItem[], keep: Parameters<typeof applyKeepPolicy>[1]): string[] =>
    applyKeepPolicy(items, keep).filter(d => d.keep).map(d => d.item.id);

describe('keep policy (restic forget semantics, per server)', () => {
    const daily = [1, 2, 3, 4, 5].flatMap(d => [at('A', `2026-03-0${d}T01:00:00`), at('A', `2026-03-0${d}T13:00:00`)]);

    it('last N keeps the N newest of each server', () => {
        const items = [...daily, at('B', '2026-01-01T00:00:00')];
        expect(kept(items, { last: 2 })).toEqual(['2026-03-05T01:00:00-A', '2026-03-05T13:00:00-A', '2026-01-01T00:00:00-B']);
    });

    it('daily N keeps the newest archive of each of the N newest days', () => {
        expect(kept(daily, { daily: 3 })).toEqual(['2026-03-03T13:00:00-A', '2026-03-04T13:00:00-A', '2026-03-05T13:00:00-A']);
    });

    it('rules combine: an archive is kept when any rule keeps it', () => {
        const decisions = applyKeepPolicy(daily, { last: 1, daily: 2 });
        expect(decisions.filter(d => d.keep).map(d => [d.item.id, d.reasons])).toEqual([
            ['2026-03-04T13:00:00-A', ['daily 2']],
            ['2026-03-05T13:00:00-A', ['last 1', 'daily 2']]
        ]);
    });

    it('weekly, monthly and yearly bucket by ISO week, month and year', () => {
        expect(isoWeek(new Date('2026-01-01T12:00:00'))).toBe('2026-W01');
        expect(isoWeek(new Date('2027-01-01T12:00:00'))).toBe('2026-W53');
        const items = [at('A', '2025-12-31T10:00:00'), at('A', '2026-01-15T10:00:00'), at('A', '2026-02-01T10:00:00'), at('A', '2026-02-20T10:00:00')];
        expect(kept(items, { monthly: 2 })).toEqual(['2026-01-15T10:00:00-A', '2026-02-20T10:00:00-A']);
        expect(kept(items, { yearly: 5 })).toEqual(['2025-12-31T10:00:00-A', '2026-02-20T10:00:00-A']);
        expect(kept(items, { weekly: 1 })).toEqual(['2026-02-20T10:00:00-A']);
    });

    it('never removes the newest verified archive of a server', () => {
        const items = [at('A', '2026-03-01T00:00:00', true), at('A', '2026-03-02T00:00:00', false), at('A', '2026-03-03T00:00:00', false)];
        const decisions = applyKeepPolicy(items, { last: 1 });
        expect(decisions.filter(d => d.keep).map(d => [d.item.id, d.reasons])).toEqual([
            ['2026-03-01T00:00:00-A', ['newest verified']],
            ['2026-03-03T00:00:00-A', ['last 1']]
        ]);
    });

    it('keeps everything when the tape has no keep rule', () => {
        expect(kept(daily, {})).toHaveLength(daily.length);
    });
});
