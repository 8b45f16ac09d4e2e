/**
 * The staleness rule of DESIGN §8 against an injected clock, and the schedule's last fire
 * (croner searches only forwards: the bisection must find exactly the last fire).
 * Expected times are local (cron fires in local time), so the tests hold in any TZ.
 */
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { durationText, lastFireAtOrBefore, SCHEDULE_GRACE_MS, staleness } from '../src/status/staleness.js';

const local = (y: number, mo: number, d: number, h = 0, mi = 0): Date => new Date(y, mo - 1, d, h, mi);
const HOUR = 3_600_000;

/** The last fire at or before `at` by walking croner's fires forwards from `from`: the slow, obvious way. */
function walked(schedule: string, from: Date, at: Date): Date | undefined {
    const cron = new Cron(schedule, { paused: true });
    let last: Date | undefined;
    for (let next = cron.nextRun(new Date(from.getTime() - 1)); next && next <= at; next = cron.nextRun(next)) last = next;
    return last;
}

describe('the last fire of a schedule', () => {
    it('is the fire at or before the time asked, to the minute', () => {
        expect(lastFireAtOrBefore('0 2 * * *', local(2026, 11, 25, 5))).toEqual(local(2026, 11, 25, 2));
        expect(lastFireAtOrBefore('0 2 * * *', local(2026, 11, 25, 1, 59))).toEqual(local(2026, 11, 24, 2));
        expect(lastFireAtOrBefore('0 2 * * *', local(2026, 11, 25, 2))).toEqual(local(2026, 11, 25, 2));
        expect(lastFireAtOrBefore('@daily', local(2026, 11, 25, 5))).toEqual(local(2026, 11, 25, 0));
        expect(lastFireAtOrBefore('@midnight', local(2026, 11, 25, 5))).toEqual(local(2026, 11, 25, 0));
        expect(lastFireAtOrBefore('@yearly', local(2026, 11, 25))).toEqual(local(2026, 1, 1));
    });

    it('finds rare schedules years back: 29 February, and day-of-month OR day-of-week as cron has it', () => {
        expect(lastFireAtOrBefore('30 4 29 2 *', local(2026, 11, 25))).toEqual(local(2024, 2, 29, 4, 30));
        // The 13th of a month, or any Friday: 2026-11-25 is a Wednesday, the Friday before is the 20th.
        expect(lastFireAtOrBefore('0 0 13 * 5', local(2026, 11, 25))).toEqual(local(2026, 11, 20));
        expect(lastFireAtOrBefore('0 0 13 * 5', local(2026, 11, 14))).toEqual(local(2026, 11, 13));
    });

    it('agrees with walking every fire forwards, for steps, ranges, lists and names', () => {
        const at = local(2026, 11, 25, 13, 37);
        for (const schedule of ['*/15 * * * *', '5 */3 * * 1-5', '0 9,17 * * mon,wed,fri', '0 3 1-7 * sun', '45 23 L * *', '0 0 1 jan,jul *', '17 * * * *']) {
            expect(lastFireAtOrBefore(schedule, at), schedule).toEqual(walked(schedule, local(2025, 11, 1), at));
        }
    });

    it('throws on what is not cron, and finds nothing for a date that never comes', () => {
        expect(() => lastFireAtOrBefore('every night', new Date())).toThrow();
        expect(lastFireAtOrBefore('0 0 31 4 *', new Date())).toBeUndefined();
    });
});

describe('staleness (DESIGN §8)', () => {
    const schedule = '0 2 * * *';
    const now = local(2026, 11, 25, 10);

    it('a scheduled block is fresh when it succeeded since its schedule fired more than 2 h ago', () => {
        expect(staleness({ schedule, lastSuccess: local(2026, 11, 25, 2, 40) }, now)).toMatchObject({ stale: false, lastFire: local(2026, 11, 25, 2) });
        expect(staleness({ schedule, lastSuccess: local(2026, 11, 24, 2, 40) }, now)).toMatchObject({ stale: true, lastFire: local(2026, 11, 25, 2) });
        expect(staleness({ schedule, lastSuccess: local(2026, 11, 24, 2, 40) }, now).reason).toMatch(/no success since its schedule fired/);
    });

    it('gives a run 2 h after its schedule fires before the block is stale', () => {
        const yesterday = local(2026, 11, 24, 2, 30);
        expect(staleness({ schedule, lastSuccess: yesterday }, local(2026, 11, 25, 3, 59)).stale).toBe(false);
        expect(staleness({ schedule, lastSuccess: yesterday }, new Date(local(2026, 11, 25, 2).getTime() + SCHEDULE_GRACE_MS)).stale).toBe(true);
    });

    it('a block that never succeeded is stale once its schedule has fired', () => {
        expect(staleness({ schedule }, now)).toMatchObject({ stale: true, reason: expect.stringMatching(/never succeeded/) });
        expect(staleness({ schedule: '0 0 29 2 *' }, local(2024, 3, 1)).stale).toBe(true);
        // 31 April never comes: the schedule never fired, so nothing was due.
        expect(staleness({ schedule: '0 0 31 4 *' }, now)).toMatchObject({ stale: false, reason: 'its schedule has not fired yet' });
    });

    it('with `stale after D`, the last success must be younger than D (and the schedule alone does not decide)', () => {
        const d = 26 * HOUR;
        expect(staleness({ schedule, staleAfterMs: d, lastSuccess: local(2026, 11, 24, 9) }, now).stale).toBe(false);
        expect(staleness({ schedule, staleAfterMs: d, lastSuccess: local(2026, 11, 24, 7, 59) }, now)).toMatchObject({ stale: true, reason: expect.stringMatching(/older than `stale after` 26h/) });
        expect(staleness({ staleAfterMs: d, lastSuccess: local(2026, 11, 24, 9) }, now).stale).toBe(false);
        expect(staleness({ staleAfterMs: d }, now)).toMatchObject({ stale: true, reason: 'never succeeded' });
    });

    it('a block with neither schedule nor `stale after` is never stale; an unreadable schedule is said, not judged', () => {
        expect(staleness({}, now).stale).toBe(false);
        expect(staleness({ lastSuccess: local(2000, 1, 1) }, now).stale).toBe(false);
        const bad = staleness({ schedule: 'nightly' }, now);
        expect(bad).toMatchObject({ stale: false, scheduleError: expect.stringMatching(/cannot be read/) });
    });

    it('writes durations as the language does', () => {
        expect([durationText(26 * HOUR), durationText(90 * 60_000), durationText(7 * 24 * HOUR), durationText(90_000)]).toEqual(['26h', '90m', '7d', '90s']);
    });
});
