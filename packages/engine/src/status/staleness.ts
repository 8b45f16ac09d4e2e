/**
 * When a backup block is stale (DESIGN §8), from its last success and a clock:
 *
 *   with `stale after D`:  stale ⇔ last success older than D
 *                                  (never succeeded: stale once its schedule has fired, or at
 *                                   once when it has no schedule — D says it must succeed)
 *   with a `schedule`:     F = the last time the schedule fired at or before now − 2 h
 *                          stale ⇔ F exists and there is no success at or after F
 *                                  (never succeeded: stale once F exists)
 *   neither:               never stale (nothing says when it should run)
 *
 * The schedule's last fire F is found with croner (the cron library the language's
 * `schedule.invalid` rule uses), which only searches forwards: look back over growing
 * windows (1 h … 16 years: `0 0 29 2 1` fires on a Monday 29 February) for one that holds
 * a fire, then bisect that window down to the minute for the last fire in it. Cron fires
 * on whole minutes in the machine's local time zone, as cron and systemd do.
 */
import { Cron } from 'croner';

/** How long after its schedule fired a block has to succeed before it is stale. */
export const SCHEDULE_GRACE_MS = 2 * 3_600_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LOOKBACKS = [HOUR, DAY, 8 * DAY, 32 * DAY, 367 * DAY, 4 * 367 * DAY, 16 * 367 * DAY];
/** Nicknames cron knows and croner does not (croner has @yearly, @annually, @monthly, @weekly, @daily, @hourly). */
const NICKNAMES: Record<string, string> = { '@midnight': '0 0 * * *' };

/** What a block's staleness rests on. */
export interface StalenessInput {
    schedule?: string;
    staleAfterMs?: number;
    /** The block's last success (undefined: never). */
    lastSuccess?: Date;
    /** Who never succeeded, when it is not the whole block ("Mail2 never succeeded"). */
    never?: string;
}

/** Whether a block is stale, and why in words. */
export interface Staleness {
    stale: boolean;
    reason: string;
    /** The schedule's last fire at or before now − 2 h (the one a success must follow). */
    lastFire?: Date;
    /** Set when the schedule cannot be read (its own `schedule.invalid` says why). */
    scheduleError?: string;
}

/** Judges one block against the clock `now` (see module comment). */
export function staleness(input: StalenessInput, now: Date): Staleness {
    let lastFire: Date | undefined;
    let scheduleError: string | undefined;
    if (input.schedule !== undefined) {
        try {
            lastFire = lastFireAtOrBefore(input.schedule, new Date(now.getTime() - SCHEDULE_GRACE_MS));
        } catch (err) {
            scheduleError = `the schedule "${input.schedule}" cannot be read (${(err as Error).message}): see \`backplan check\``;
        }
    }
    const { lastSuccess, staleAfterMs } = input;
    const never = input.never ?? 'never succeeded';
    const base = { lastFire, scheduleError };
    if (staleAfterMs !== undefined) {
        if (lastSuccess) {
            const age = now.getTime() - lastSuccess.getTime();
            return age > staleAfterMs
                ? { ...base, stale: true, reason: `the last success is older than \`stale after\` ${durationText(staleAfterMs)}` }
                : { ...base, stale: false, reason: `succeeded within \`stale after\` ${durationText(staleAfterMs)}` };
        }
        if (input.schedule !== undefined && !lastFire) return { ...base, stale: false, reason: `${never}, and its schedule has not fired yet` };
        return { ...base, stale: true, reason: never };
    }
    if (input.schedule === undefined) return { ...base, stale: false, reason: 'no schedule and no `stale after`: never stale' };
    if (scheduleError) return { ...base, stale: false, reason: scheduleError };
    if (!lastFire) return { ...base, stale: false, reason: 'its schedule has not fired yet' };
    if (!lastSuccess) return { ...base, stale: true, reason: `${never}, though its schedule fired at ${lastFire.toISOString()}` };
    return lastSuccess.getTime() >= lastFire.getTime()
        ? { ...base, stale: false, reason: `succeeded since its schedule fired at ${lastFire.toISOString()}` }
        : { ...base, stale: true, reason: `no success since its schedule fired at ${lastFire.toISOString()} (more than 2 h ago)` };
}

/** The last time a cron schedule fired at or before `at` (undefined: not within 16 years). Throws when it is not valid cron. */
export function lastFireAtOrBefore(schedule: string, at: Date): Date | undefined {
    const text = schedule.trim();
    const cron = new Cron(NICKNAMES[text.toLowerCase()] ?? text, { paused: true });
    const end = at.getTime();
    // Fires in (from, end]: croner's nextRun(d) is the first fire strictly after d.
    const fireAfter = (from: number): Date | undefined => {
        const next = cron.nextRun(new Date(from));
        return next && next.getTime() <= end ? next : undefined;
    };
    const window = LOOKBACKS.find(back => fireAfter(end - back) !== undefined);
    if (window === undefined) return undefined;
    // Invariant: a fire lies in (lo, end]; none lies in (hi, end].
    let lo = end - window;
    let hi = end;
    while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2);
        if (fireAfter(mid)) lo = mid; else hi = mid;
    }
    return fireAfter(lo);
}

/** `26h`, `90m`, `7d`: a duration as the language writes it (the largest unit that divides it). */
export function durationText(ms: number): string {
    for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE]] as const) {
        if (ms % size === 0) return `${ms / size}${unit}`;
    }
    return `${Math.round(ms / 1000)}s`;
}
