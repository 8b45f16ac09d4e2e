/**
 * The words of the schedule CodeLens ("next: Thu 02:00 · last: ok 3h ago"), apart from
 * VS Code so that they are unit-tested (packages/extension/test/schedule-lens-text.test.ts).
 *
 *   next  = the first fire time the language server computed (`schedule list`'s own
 *           functions), in the extension host's local time
 *   last  = the block's last result (status/status-document.ts): "never run", ok or
 *           FAILED with how long ago, plus "stale" when status says the block is, and
 *           "running now" while a run of it goes on
 *   untrusted → no status is read: the lens says how to get it
 */
import type { LastResult } from '../status/status-document';

/** What is known of the last result when the lens is drawn. */
export type LastKnown =
    | { state: 'known'; result: LastResult }
    /** Status not read yet: the lens shows the next run alone. */
    | { state: 'pending' }
    /** Status could not be read (the CLI said why). */
    | { state: 'unreadable'; reason: string }
    /** Restricted Mode: the CLI is not run. */
    | { state: 'untrusted' };

/** The text of Restricted Mode, in place of the last result. */
export const UNTRUSTED_LAST = 'last result: trust the workspace to read run status';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

/** "Thu 02:00" in local time; a time a week or more away also gets its date: "Mon 5 Jan 02:00". */
export function nextRunText(next: Date, now: Date): string {
    const clock = `${String(next.getHours()).padStart(2, '0')}:${String(next.getMinutes()).padStart(2, '0')}`;
    const day = WEEKDAYS[next.getDay()];
    if (next.getTime() - now.getTime() < 6 * DAY_MS) return `${day} ${clock}`;
    return `${day} ${next.getDate()} ${MONTHS[next.getMonth()]} ${clock}`;
}

/** Units of "ago", largest first, each used from twice its size down ("90m", then "2h"). */
const AGO_UNITS: ReadonlyArray<[string, number]> = [['d', DAY_MS], ['h', 3_600_000], ['m', 60_000]];

/** "20m ago", "3h ago", "12d ago", "just now". */
export function agoText(time: Date, now: Date): string {
    const ms = Math.max(0, now.getTime() - time.getTime());
    const unit = AGO_UNITS.find(([, size]) => ms >= 2 * size) ?? (ms >= 60_000 ? AGO_UNITS[2] : undefined);
    return unit ? `${Math.round(ms / unit[1])}${unit[0]} ago` : 'just now';
}

/** The last-result part: "last: ok 3h ago", "last: FAILED 20m ago", "never run", with "stale", "running". */
export function lastText(known: LastKnown, now: Date): string | undefined {
    if (known.state === 'pending') return undefined;
    if (known.state === 'untrusted') return UNTRUSTED_LAST;
    if (known.state === 'unreadable') return 'last: status unreadable';
    const { last, stale, running } = known.result;
    const parts = [last ? `last: ${last.ok ? 'ok' : 'FAILED'} ${agoText(new Date(last.time), now)}` : 'never run'];
    if (stale) parts.push('stale');
    if (running) parts.push('running now');
    return parts.join(' · ');
}

/** The tooltip's line on the last run, with its exact time ("Last run: ok at 2026-12-03T02:00:41.120Z."); empty when none is known. */
export function lastRunLine(known: LastKnown): string {
    const last = known.state === 'known' ? known.result.last : undefined;
    return last ? `\nLast run: ${last.ok ? 'ok' : 'FAILED'} at ${last.time}.` : '';
}

/** The whole lens title: the next run first, then the last result when it is known. */
export function scheduleLensTitle(next: Date | undefined, known: LastKnown, now: Date): string {
    const parts = [next ? `next: ${nextRunText(next, now)}` : 'next: none', lastText(known, now)];
    return parts.filter((p): p is string => p !== undefined).join(' · ');
}
