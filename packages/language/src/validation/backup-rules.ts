/**
 * Backup rules on one `backup` block: `backup.no-tape`, `backup.no-stop` (seed rule 2: quit
 * the application before copying its data; a server with `dump` is backed up while it runs,
 * so only its restores need `stop`/`start`: `restore.no-stop`), `schedule.invalid`, `duration.invalid` (`stale after`).
 */
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { Backup, BackplanAstType, Drill } from '../generated/ast.js';
import { scheduleProblem } from '../model/cron-schedule.js';
import { durationMs } from '../model/duration.js';
import { Code } from './rule-codes.js';

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
            if (!server || server.dump.length > 0) return;
            const missing = [server.stop.length === 0 ? 'stop' : '', server.start.length === 0 ? 'start' : ''].filter(Boolean);
            if (missing.length > 0) {
                accept('error', `Server '${server.name}' is backed up by '${backup.name}' but has no ${missing.map(m => `\`${m}\``).join(' or ')} command: `
                    + `the application must be quit while its data is copied; add ${missing.map(m => `\`${m} "…"\``).join(' and ')} to '${server.name}'.`,
                    { node: list, property: 'refs', index, code: Code.NoStop });
            }
        });
    }
}

/** `schedule.invalid` on a backup's or a drill's `schedule` (both run from `schedule install`). */
export function checkSchedule(block: Backup | Drill, accept: ValidationAcceptor): void {
    block.schedule.forEach((schedule, index) => {
        const problem = scheduleProblem(schedule);
        if (problem) {
            accept('error', `Schedule ${problem}: write five fields such as "0 2 * * *" (02:00 every day), or a nickname such as "@daily".`,
                { node: block, property: 'schedule', index, code: Code.ScheduleInvalid });
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
