/**
 * The cron.d file of a runbook (`/etc/cron.d/backplan-<runbook>`): the marker, the shell and
 * search path of the jobs, then one line per scheduled block:
 *
 *   MIN HOUR DOM MON DOW USER COMMAND          (cron.d's format has a user field)
 *
 * The fields are the block's schedule, with two rewrites so that cron(8) fires exactly when
 * the project's cron library says (schedule list, status):
 *   - a nickname becomes its five fields (cron reads `@daily`, not `@DAILY`);
 *   - in a day field, an item starting with `*` other than a bare `*` (`*\/2`) becomes the
 *     full range (`1-31/2`, `0-6/2`): Vixie cron treats any day field that starts with `*`
 *     as unrestricted, so `*\/2 * 1` would fire on odd days AND Mondays only, where the
 *     library (and cron's own man page) say odd days OR Mondays.
 * The command is the block's run (scheduled-blocks.ts), each word in single quotes; a `%`
 * (a newline to cron) cannot be written, and is refused.
 */
import { expandNickname } from '@backplan/language/model';
import { PlanUsageError } from '../plan/backup-plan.js';
import { blockLine, markerLines } from './schedule-marker.js';
import { runArgv, type RunnerPaths, type ScheduledBlock } from './scheduled-blocks.js';

/** What the cron file needs beyond its blocks. */
export interface CronContext {
    readonly paths: RunnerPaths;
    /** The user the jobs run as (cron.d's sixth field). */
    readonly user: string;
    /** PATH of the installing shell. */
    readonly searchPath?: string;
    /** Each block's schedule in words. */
    readonly describe: (block: ScheduledBlock) => string;
}

/** The cron.d file for these blocks. */
export function renderCronFile(blocks: readonly ScheduledBlock[], ctx: CronContext): string {
    const lines = [
        ...markerLines(ctx.paths.runbook),
        'SHELL=/bin/sh',
        ...(ctx.searchPath ? [`PATH=${ctx.searchPath}`] : []),
        ...blocks.flatMap(block => [
            '',
            blockLine(block),
            `# ${block.kind} ${block.name}: ${ctx.describe(block)} (${block.schedule})`,
            `${cronLineFields(block.schedule)} ${ctx.user} ${runArgv(block, ctx.paths).map(shellQuote).join(' ')}`
        ])
    ];
    return lines.join('\n') + '\n';
}

/** The five fields cron reads as the project's cron library does. */
export function cronLineFields(schedule: string): string {
    const fields = expandNickname(schedule).split(/\s+/);
    for (const [index, full] of [[2, '1-31'], [4, '0-6']] as const) {
        if (fields[index] === '*') continue;
        fields[index] = fields[index].split(',').map(item => item.startsWith('*') ? full + item.slice(1) : item).join(',');
    }
    return fields.join(' ');
}

function shellQuote(word: string): string {
    if (word.includes('%')) throw new PlanUsageError(`${word} holds a %, which cron turns into a line break: use a path without % (or --systemd)`);
    return /^[A-Za-z0-9_@+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
