/**
 * Backup rules on one `backup` block: `backup.no-tape`, `backup.no-stop` (seed rule 2: quit
 * the application before copying its data), `schedule.invalid`, `duration.invalid` (`stale after`).
 */
import { Cron } from 'croner';
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { Backup, BackplanAstType } from '../generated/ast.js';
import { durationMs } from '../model/duration.js';
import { Code } from './rule-codes.js';

/** Croner's extensions beyond cron: `L` (last day/weekday), `#` (nth weekday), `?` (the time of parsing). */
const CRONER_ONLY = /[L#]/;

const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Why a cron schedule is unusable, or undefined when it is fine. */
export function scheduleProblem(schedule: string): string | undefined {
    const text = schedule.trim();
    if (text.startsWith('@')) {
        return NICKNAMES.has(text.toLowerCase()) ? undefined
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

function checkTape(backup: Backup, accept: ValidationAcceptor): void {
    if (backup.to.length === 0) {
        accept('error', `Backup '${backup.name}' has no \`to\`: add \`to TAPE\` naming the tape its archives go to.`,
            { node: backup, property: 'name', code: Code.NoTape });
    }
}

function checkStopStart(backup: Backup, accept: ValidationAcceptor): void {
    for (const list of backup.servers) {
        list.refs.forEach((ref, index) => {
            const server = ref.ref;
            if (!server) return;
            const missing = [server.stop.length === 0 ? 'stop' : '', server.start.length === 0 ? 'start' : ''].filter(Boolean);
            if (missing.length > 0) {
                accept('error', `Server '${server.name}' is backed up by '${backup.name}' but has no ${missing.map(m => `\`${m}\``).join(' or ')} command: `
                    + `the application must be quit while its data is copied; add ${missing.map(m => `\`${m} "…"\``).join(' and ')} to '${server.name}'.`,
                    { node: list, property: 'refs', index, code: Code.NoStop });
            }
        });
    }
}

function checkSchedule(backup: Backup, accept: ValidationAcceptor): void {
    backup.schedule.forEach((schedule, index) => {
        const problem = scheduleProblem(schedule);
        if (problem) {
            accept('error', `Schedule ${problem}: write five fields such as "0 2 * * *" (02:00 every day), or a nickname such as "@daily".`,
                { node: backup, property: 'schedule', index, code: Code.ScheduleInvalid });
        }
    });
}

function checkParallel(backup: Backup, accept: ValidationAcceptor): void {
    for (const mode of backup.mode) {
        if (!mode.rolling && mode.parallel === 0) {
            accept('error', `\`parallel 0\` in '${backup.name}' lets no server run at all: write \`rolling\` (one at a time) or \`parallel 2\` or more.`,
                { node: mode, property: 'parallel', code: Code.ParallelInvalid });
        }
    }
}

function checkStaleAfter(backup: Backup, accept: ValidationAcceptor): void {
    const text = backup.staleAfter[0];
    const ms = durationMs(text);
    if (text === undefined || ms === undefined) return;
    if (ms === 0) {
        accept('error', `\`stale after ${text}\` of backup '${backup.name}' would call it stale the moment it succeeds: give the age after which a missing success is news, such as \`26h\` for a nightly backup.`,
            { node: backup, property: 'staleAfter', index: 0, code: Code.DurationInvalid });
    } else if (!Number.isSafeInteger(ms)) {
        accept('error', `\`stale after ${text}\` of backup '${backup.name}' is too long to count: give days, such as \`35d\` for a monthly backup.`,
            { node: backup, property: 'staleAfter', index: 0, code: Code.DurationInvalid });
    }
}

/** Checks on single backup blocks. */
export const backupChecks: ValidationChecks<BackplanAstType> = {
    Backup: [checkTape, checkStopStart, checkSchedule, checkParallel, checkStaleAfter]
};
