/**
 * The OnCalendar= lines of a schedule fire exactly when the cron expression does: for each
 * expression, the next 50 elapse times systemd computes from the lines (merged and sorted
 * when there are two) equal croner's next 50 fire times, from the same base time, in UTC.
 * The named expressions cover ranges, steps, lists, month and day names, nicknames and
 * cron's either-day rule; 60 more are drawn at random (seeded, so a failure reproduces).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { onCalendarLines } from '@backplan/engine';
import { nextFireTimes, scheduleProblem } from '@backplan/language/model';
import { merged, random, randomExpression, systemdElapses, verifyUnits } from './calendar-support.js';

const BASE = new Date(Date.UTC(2027, 0, 15, 8, 0, 17));
const COUNT = 50;
/** systemd's calendar ends with 2199: 50 leap days run past it, and both lists stop there. */
const SYSTEMD_HORIZON = Date.UTC(2200, 0, 1);

const NAMED = [
    '0 2 * * *', '*/15 9-17 * * 1-5', '0 0 1,15 * 5', '30 4 * jan,jul sun', '@weekly', '5 */2 * * *',
    '@daily', '@hourly', '@monthly', '@yearly', '@annually', '@midnight', '@DAILY',
    '0 0 */2 * 1', '0 12 * * 0,6', '0 12 * * 7', '0,30 1,2,3,5 * * *', '23 0-20/2 * * *', '0 0,12 1 */2 *',
    '0 4 8-14 * *', '0 4 8-14 * 1', '15 3 29 2 *', '0 0 31 * *', '0 6 * * MON-FRI', '0 6 1-31 * 2',
    '*/7 * * * *', '0 0 * * 0-6', '0 0 13 * 5', '10 1 * mar-oct 1,3,5', '45 23 28-31 * *'
];

const previousTz = process.env.TZ;
beforeAll(() => { process.env.TZ = 'UTC'; });
afterAll(() => { if (previousTz === undefined) delete process.env.TZ; else process.env.TZ = previousTz; });

function randomExpressions(seed: number, n: number): string[] {
    const next = random(seed);
    const result: string[] = [];
    while (result.length < n) {
        const expression = randomExpression(next);
        if (scheduleProblem(expression) === undefined) result.push(expression);
    }
    return result;
}

/** Every expression with its lines, systemd's elapses and croner's fire times. */
function compare(expressions: readonly string[]): Array<{ expression: string; lines: string[]; systemd: string[]; croner: string[] }> {
    const lines = expressions.map(onCalendarLines);
    const elapses = systemdElapses(lines.flat(), COUNT, BASE);
    let at = 0;
    return expressions.map((expression, i) => {
        const own = elapses.slice(at, at += lines[i].length);
        return {
            expression, lines: lines[i],
            systemd: merged(own, COUNT).map(t => new Date(t).toISOString()),
            croner: nextFireTimes(expression, COUNT, BASE).filter(d => d.getTime() < SYSTEMD_HORIZON).map(d => d.toISOString())
        };
    });
}

describe.runIf(verifyUnits)('OnCalendar= against croner, next 50 fire times', () => {
    test('the translation of the named expressions', () => {
        expect(onCalendarLines('0 2 * * *')).toEqual(['*-*-* 02:00:00']);
        expect(onCalendarLines('*/15 9-17 * * 1-5')).toEqual(['Mon..Fri *-*-* 09..17:00/15:00']);
        expect(onCalendarLines('0 0 1,15 * 5')).toEqual(['*-*-01,15 00:00:00', 'Fri *-*-* 00:00:00']);
        expect(onCalendarLines('30 4 * jan,jul sun')).toEqual(['Sun *-01,07-* 04:30:00']);
        expect(onCalendarLines('@weekly')).toEqual(['Sun *-*-* 00:00:00']);
        expect(onCalendarLines('5 */2 * * *')).toEqual(['*-*-* 00/2:05:00']);
    });

    test.each(compare(NAMED).map(c => [c.expression, c] as const))('%s', (_expression, c) => {
        expect(c.croner.length).toBeGreaterThanOrEqual(c.expression === '15 3 29 2 *' ? 40 : COUNT);
        expect({ lines: c.lines, times: c.systemd }).toEqual({ lines: c.lines, times: c.croner });
    });

    test('60 random expressions (seed 20261203)', () => {
        const mismatches = compare(randomExpressions(20261203, 60)).filter(c => c.systemd.join() !== c.croner.join());
        expect(mismatches.map(m => ({ expression: m.expression, lines: m.lines, systemd: m.systemd.slice(0, 3), croner: m.croner.slice(0, 3) }))).toEqual([]);
    });
});
