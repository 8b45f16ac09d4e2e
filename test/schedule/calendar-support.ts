/**
 * systemd's own reading of OnCalendar= lines, for comparing with croner's: the next N
 * elapse times of each line from `systemd-analyze calendar --iterations=N`, from a fixed
 * base time, in UTC (the tests set TZ=UTC for croner too, so no machine's zone or DST
 * changes the answer).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export { prng as random } from '../helpers/mutate.js';

export const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
/** CI (BACKPLAN_REQUIRE_SCHEDULERS=1) installs systemd and cron: there, a missing tool fails the tests instead of skipping them. */
export const schedulersRequired = process.env.BACKPLAN_REQUIRE_SCHEDULERS === '1';
/** Whether the systemd-analyze checks run (installed, or required). */
export const verifyUnits = existsSync(SYSTEMD_ANALYZE) || schedulersRequired;
if (!verifyUnits) process.stderr.write(`schedule tests: systemd-analyze checks skipped: ${SYSTEMD_ANALYZE} not found (apt-get install -y systemd); CI sets BACKPLAN_REQUIRE_SCHEDULERS=1\n`);

/** The next `count` elapse times (ms since the epoch) of each line, in the order given. */
export function systemdElapses(lines: readonly string[], count: number, base: Date): number[][] {
    const out = execFileSync(SYSTEMD_ANALYZE, ['calendar', `--iterations=${count}`, `--base-time=@${Math.floor(base.getTime() / 1000)}`, ...lines], {
        env: { ...process.env, TZ: 'UTC', SYSTEMD_COLORS: '0' }, encoding: 'utf8', maxBuffer: 16 << 20
    });
    const blocks = out.split(/^\s*Normalized form: /m).slice(1);
    if (blocks.length !== lines.length) throw new Error(`systemd-analyze gave ${blocks.length} answers for ${lines.length} lines:\n${out}`);
    return blocks.map(block => [...block.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)]
        .map(m => Date.parse(`${m[1].replace(' ', 'T')}Z`)));
}

/** The first `count` times of the union of several lines' elapse times, sorted, each once. */
export function merged(perLine: readonly number[][], count: number): number[] {
    return [...new Set(perLine.flat())].sort((a, b) => a - b).slice(0, count);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A random cron field over [min, max]: `*`, a value, a range, a step, a stepped range, or a list of those. */
export function randomField(next: () => number, min: number, max: number, names?: readonly string[]): string {
    const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
    const value = (v: number): string => (names && next() < 0.3 ? names[v - min] : String(v));
    const item = (): string => {
        const kind = int(0, 4);
        const a = int(min, max);
        const b = int(a, max);
        const step = int(2, Math.max(2, Math.floor((max - min) / 2)));
        if (kind === 0) return value(a);
        if (kind === 1) return `${value(a)}-${value(b)}`;
        if (kind === 2) return `*/${step}`;
        if (kind === 3) return `${a}-${b}/${step}`;
        return value(a);
    };
    const roll = next();
    if (roll < 0.3) return '*';
    if (roll < 0.75) return item();
    return Array.from({ length: int(2, 3) }, item).join(',');
}

/** A random 5-field expression. */
export function randomExpression(next: () => number): string {
    return [
        randomField(next, 0, 59),
        randomField(next, 0, 23),
        randomField(next, 1, 31),
        randomField(next, 1, 12, MONTHS),
        randomField(next, 0, 6, DAYS)
    ].join(' ');
}
