/**
 * The words of the schedule CodeLens and the last result it reads from
 * `backplan status --format json` (packages/extension/src/codelens/schedule-lens-text.ts,
 * status/status-document.ts). The lens in a real VS Code: test/vscode/suite/commands.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { agoText, lastRunLine, nextRunText, scheduleLensTitle, UNTRUSTED_LAST } from '../src/codelens/schedule-lens-text.js';
import { lastResultOf, type StatusDocument } from '../src/status/status-document.js';

/** Local times, as the lens shows them: the test runs in whatever zone the machine has. */
const local = (y: number, m: number, d: number, h: number, min = 0) => new Date(y, m - 1, d, h, min);
const now = local(2026, 12, 3, 10, 0); // a Thursday
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const H = 3_600_000;

const run = (time: string, ok: boolean) => ({ time, ok });
const server = (name: string, lastRun: { time: string; ok: boolean } | null, lastDrill: { time: string; ok: boolean; drill: string } | null = null) =>
    ({ server: name, lastRun, lastDrill });

function status(...blocks: StatusDocument['blocks']): StatusDocument {
    return { blocks };
}

describe('the next run', () => {
    test('weekday and local clock within the week; the date too when further', () => {
        expect(nextRunText(local(2026, 12, 4, 2), now)).toBe('Fri 02:00');
        expect(nextRunText(local(2026, 12, 3, 23, 5), now)).toBe('Thu 23:05');
        expect(nextRunText(local(2027, 1, 1, 5), now)).toBe('Fri 1 Jan 05:00');
    });
});

describe('how long ago', () => {
    test.each([
        [10_000, 'just now'], [60_000, '1m ago'], [20 * 60_000, '20m ago'], [90 * 60_000, '90m ago'],
        [3 * H, '3h ago'], [30 * H, '30h ago'], [12 * 24 * H, '12d ago']
    ])('%i ms → %s', (ms, text) => {
        expect(agoText(new Date(now.getTime() - ms), now)).toBe(text);
    });
});

describe('the lens title', () => {
    const next = local(2026, 12, 4, 2);

    test('before status is read: the next run alone', () => {
        expect(scheduleLensTitle(next, { state: 'pending' }, now)).toBe('next: Fri 02:00');
    });

    test('never run, ok, FAILED, stale, running', () => {
        const title = (doc: StatusDocument) => scheduleLensTitle(next, { state: 'known', result: lastResultOf(doc, 'backup', 'Nightly') }, now);
        const block = { policy: 'Nightly', stale: false, running: null };
        expect(title(status({ ...block, servers: [server('Mail1', null), server('Cat1', null)] }))).toBe('next: Fri 02:00 · never run');
        expect(title(status({ ...block, servers: [server('Mail1', run(ago(4 * H), true)), server('Cat1', run(ago(3 * H), true))] })))
            .toBe('next: Fri 02:00 · last: ok 3h ago');
        expect(title(status({ ...block, servers: [server('Mail1', run(ago(20 * 60_000), false)), server('Cat1', run(ago(3 * H), true))] })))
            .toBe('next: Fri 02:00 · last: FAILED 20m ago');
        expect(title(status({ ...block, stale: true, servers: [server('Mail1', null)] }))).toBe('next: Fri 02:00 · never run · stale');
        expect(title(status({ ...block, stale: true, running: { run: 'r1', since: ago(60_000) }, servers: [server('Mail1', run(ago(30 * H), true))] })))
            .toBe('next: Fri 02:00 · last: ok 30h ago · stale · running now');
    });

    test('Restricted Mode: no status, and how to get it', () => {
        expect(scheduleLensTitle(next, { state: 'untrusted' }, now)).toBe(`next: Fri 02:00 · ${UNTRUSTED_LAST}`);
        expect(UNTRUSTED_LAST).toBe('last result: trust the workspace to read run status');
    });

    test('the tooltip gives the last run\'s exact time, and nothing when none is known', () => {
        const block = { policy: 'Nightly', stale: false, running: null };
        const known = (doc: StatusDocument) => ({ state: 'known' as const, result: lastResultOf(doc, 'backup', 'Nightly') });
        const time = ago(20 * 60_000);
        expect(lastRunLine(known(status({ ...block, servers: [server('Mail1', run(time, false)), server('Cat1', run(ago(3 * H), true))] }))))
            .toBe(`\nLast run: FAILED at ${time}.`);
        expect(lastRunLine(known(status({ ...block, servers: [server('Mail1', null)] })))).toBe('');
        expect(lastRunLine({ state: 'pending' })).toBe('');
        expect(lastRunLine({ state: 'untrusted' })).toBe('');
    });

    test('status that could not be read says so', () => {
        expect(scheduleLensTitle(next, { state: 'unreadable', reason: 'no such file' }, now)).toBe('next: Fri 02:00 · last: status unreadable');
    });
});

describe('the last result of a drill', () => {
    test('its servers\' last drills by that block, each server once though it is in two backups', () => {
        const doc = status(
            { policy: 'Nightly', stale: false, running: null, servers: [server('Cat1', null, { time: ago(2 * H), ok: true, drill: 'Sunday' })] },
            { policy: 'Weekly', stale: false, running: null, servers: [
                server('Cat1', null, { time: ago(2 * H), ok: true, drill: 'Sunday' }),
                server('Mail', null, { time: ago(5 * H), ok: false, drill: 'Monthly' })
            ] }
        );
        expect(lastResultOf(doc, 'drill', 'Sunday')).toEqual({ last: { ok: true, time: ago(2 * H) }, stale: false, running: false });
        expect(lastResultOf(doc, 'drill', 'Monthly').last).toEqual({ ok: false, time: ago(5 * H) });
        expect(lastResultOf(doc, 'drill', 'Never').last).toBeUndefined();
    });

    test('a block status does not know (added since the last read) has never run', () => {
        expect(lastResultOf(status(), 'backup', 'New')).toEqual({ stale: false, running: false });
    });
});
