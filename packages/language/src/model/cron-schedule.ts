/**
 * A `schedule` as data, from the one cron library of the project (croner), so that the
 * checker, `schedule list`, `status` and the systemd translation read a cron expression the
 * same way:
 *
 *   cronFields(expr)     the sets of minutes, hours, days, months and weekdays it fires on,
 *                        and whether day of month / day of week were restricted (cron's rule:
 *                        when both are, a day matches on EITHER)
 *   nextFireTimes(expr)  the next N times it fires, in the machine's time zone
 *   describeSchedule     the expression in words (cronstrue), "At 02:00"
 *
 * Only call these on a schedule that `scheduleProblem` accepts (validation/backup-rules.ts).
 */
import { Cron, CronPattern } from 'croner';
import cronstrue from 'cronstrue';

/** What a cron expression fires on. Weekdays count from 0 (Sunday) to 6 (Saturday). */
export interface CronFields {
    readonly minutes: readonly number[];
    readonly hours: readonly number[];
    /** Days of the month, 1–31. */
    readonly days: readonly number[];
    /** Months, 1–12. */
    readonly months: readonly number[];
    readonly weekdays: readonly number[];
    /** The day-of-month field was not `*`. */
    readonly daysRestricted: boolean;
    /** The day-of-week field was not `*`. */
    readonly weekdaysRestricted: boolean;
}

/** The fields of a valid 5-field expression or `@` nickname. */
export function cronFields(expression: string): CronFields {
    const pattern = new CronPattern(expression.trim());
    const set = (bits: readonly number[], base = 0): number[] => bits.flatMap((bit, i) => (bit ? [i + base] : []));
    return {
        minutes: set(pattern.minute),
        hours: set(pattern.hour),
        days: set(pattern.day, 1),
        months: set(pattern.month, 1),
        weekdays: set(pattern.dayOfWeek.slice(0, 7)),
        daysRestricted: !pattern.starDOM,
        weekdaysRestricted: !pattern.starDOW
    };
}

/** The next `count` fire times strictly after `after` (default: now). */
export function nextFireTimes(expression: string, count: number, after: Date = new Date()): Date[] {
    return new Cron(expression.trim(), { paused: true }).nextRuns(count, after);
}

/** The expression in words, 24-hour clock: "At 02:00, only on Sunday". */
export function describeSchedule(expression: string): string {
    try {
        return cronstrue.toString(expression.trim(), { use24HourTimeFormat: true, verbose: false });
    } catch {
        return expression.trim();
    }
}
