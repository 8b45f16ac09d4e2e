/**
 * A cron schedule as systemd `OnCalendar=` lines (systemd.time(7)) that elapse exactly when
 * cron fires. The expression is read by the project's cron library (`cronFields`, croner);
 * only the translation of its fields is here.
 *
 *   f     = cronFields(expr)                       nicknames expanded, names → numbers
 *   time  = HOURS:MINUTES:00, date = *-MONTHS-DAYS
 *   f.daysRestricted and f.weekdaysRestricted      cron's rule: a day matches on EITHER
 *         → [ "*-MONTHS-DAYS time", "WEEKDAYS *-MONTHS-* time" ]   (systemd ORs the lines)
 *   else  → [ "[WEEKDAYS ]*-MONTHS-DAYS time" ]    (an unrestricted field matches every day)
 *
 * Each field becomes a systemd list: `*` when it holds every value; `A/S` when it is a step
 * from A to the end of the range (`*\/15` → `00/15`); else values and `A..B` runs joined by
 * commas. Weekdays are written Mon…Sun, runs in that order (`1-5` → `Mon..Fri`).
 */
import { cronFields } from '@backplan/language/model';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** The `OnCalendar=` values (one or two) that fire exactly when a valid cron schedule does. */
export function onCalendarLines(expression: string): string[] {
    const f = cronFields(expression);
    const months = numberList(f.months, 1, 12);
    const time = `${numberList(f.hours, 0, 23)}:${numberList(f.minutes, 0, 59)}:00`;
    const days = numberList(f.days, 1, 31);
    const weekdays = weekdayList(f.weekdays);
    if (f.daysRestricted && f.weekdaysRestricted) {
        return [`*-${months}-${days} ${time}`, `${weekdays === '*' ? '' : `${weekdays} `}*-${months}-* ${time}`];
    }
    const prefix = f.weekdaysRestricted && weekdays !== '*' ? `${weekdays} ` : '';
    return [`${prefix}*-${months}-${f.daysRestricted ? days : '*'} ${time}`];
}

/** A field of numbers from `min` to `max`, two digits each. */
function numberList(values: readonly number[], min: number, max: number): string {
    if (values.length === max - min + 1) return '*';
    const step = stepToEnd(values, max);
    if (step !== undefined) return `${two(values[0])}/${step}`;
    return runs(values).map(([a, b]) => (b - a >= 2 ? `${two(a)}..${two(b)}` : a === b ? two(a) : `${two(a)},${two(b)}`)).join(',');
}

/** Cron weekdays (0 = Sunday) as systemd names, Monday first. */
function weekdayList(values: readonly number[]): string {
    if (values.length === 7) return '*';
    const monday = [...new Set(values.map(d => (d + 6) % 7))].sort((a, b) => a - b);
    return runs(monday).map(([a, b]) => (b - a >= 2 ? `${WEEKDAYS[a]}..${WEEKDAYS[b]}` : a === b ? WEEKDAYS[a] : `${WEEKDAYS[a]},${WEEKDAYS[b]}`)).join(',');
}

/** S when the values are A, A+S, A+2S, … up to the last one before `max` (three or more, S > 1). */
function stepToEnd(values: readonly number[], max: number): number | undefined {
    if (values.length < 3) return undefined;
    const step = values[1] - values[0];
    if (step < 2 || values.some((v, i) => i > 0 && v - values[i - 1] !== step)) return undefined;
    return values[values.length - 1] + step > max ? step : undefined;
}

/** Sorted values as runs of consecutive numbers: [1,2,3,7] → [[1,3],[7,7]]. */
function runs(values: readonly number[]): Array<[number, number]> {
    const result: Array<[number, number]> = [];
    for (const v of values) {
        const last = result[result.length - 1];
        if (last && v === last[1] + 1) last[1] = v;
        else result.push([v, v]);
    }
    return result;
}

function two(n: number): string {
    return String(n).padStart(2, '0');
}
