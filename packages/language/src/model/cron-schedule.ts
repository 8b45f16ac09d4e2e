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
 *   scheduleProblem      why an expression is not one of those (`schedule.invalid`)
 *
 * Only call the first three on a schedule that `scheduleProblem` accepts.
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

/** The five fields of a nickname (`@daily` → `0 0 * * *`, any case); other expressions trimmed. */
export function expandNickname(expression: string): string {
    const text = expression.trim();
    return NICKNAME_FIELDS[text.toLowerCase()] ?? text;
}

/** The fields of a valid 5-field expression or `@` nickname. */
export function cronFields(expression: string): CronFields {
    const pattern = new CronPattern(expandNickname(expression));
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
    return new Cron(expandNickname(expression), { paused: true }).nextRuns(count, after);
}

/** The expression in words, 24-hour clock: "At 02:00, only on Sunday". */
export function describeSchedule(expression: string): string {
    try {
        return cronstrue.toString(expandNickname(expression), { use24HourTimeFormat: true, verbose: false });
    } catch {
        return expression.trim();
    }
}

/** Croner's extensions beyond cron: `L` (last day/weekday), `#` (nth weekday), `?` (the time of parsing). */
const CRONER_ONLY = /[L#]/;

/** cron's nicknames, as cron(8) defines them. */
const NICKNAME_FIELDS: Readonly<Record<string, string>> = {
    '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
    '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *'
};

/** Why a cron schedule is unusable, or undefined when it is fine. */
export function scheduleProblem(schedule: string): string | undefined {
    const text = schedule.trim();
    if (text.startsWith('@')) {
        return text.toLowerCase() in NICKNAME_FIELDS ? undefined
            : `"${schedule}" is not a known nickname (use @hourly, @daily, @weekly, @monthly or @yearly)`;
    }
    const fields = text.split(/\s+/).filter(f => f !== '');
    if (fields.length !== 5) {
        return `"${schedule}" has ${fields.length} field${fields.length === 1 ? '' : 's'}, but cron takes exactly 5 (minute hour day-of-month month day-of-week)`;
    }
    // Only the day fields: `JUL` in the month field is July.
    const extension = `${fields[2]} ${fields[4]}`.match(CRONER_ONLY) ?? fields.join(' ').match(/\?/);
    if (extension) {
        // The schedule is what cron and systemd run (`backplan schedule install`): both must read it.
        return `"${schedule}" uses "${extension[0]}", which cron itself and systemd timers do not read (write the days as numbers, ranges or names)`;
    }
    try {
        const cron = new Cron(text, { paused: true });
        if (cron.nextRun() === null) return `"${schedule}" never runs`;
    } catch (err) {
        // croner searches for the next run recursively: a date that never comes (31 April)
        // overflows its stack instead of returning null.
        if (err instanceof RangeError && /call stack/i.test(err.message)) return `"${schedule}" never runs`;
        return `"${schedule}" is not valid cron (${String((err as Error).message).replace(/^CronPattern: /, '')})`;
    }
    return undefined;
}
