/**
 * Durations of the language (DESIGN §8): an integer and a unit, `90s`, `30m`, `26h`, `7d`.
 */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest duration a timer can wait (Node's setTimeout fires at once beyond 2^31-1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds of a duration literal (`5m` → 300000); undefined when it is not one. */
export function durationMs(text: string | undefined): number | undefined {
    const m = /^([0-9]+)([smhd])$/.exec(text ?? '');
    return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}
