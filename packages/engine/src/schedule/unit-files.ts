/**
 * systemd units for a scheduled block: `backplan-<runbook>-<block>.service` runs the block
 * once, `backplan-<runbook>-<block>.timer` starts it on the block's schedule.
 *
 *   service: Type=oneshot, ExecStart= the block's run, ExecStopPost= `backplan repair`
 *            (a run killed by a timeout or `systemctl stop` leaves nothing stopped: systemd
 *            kills the whole cgroup, the guardian too, and repair starts what it stopped);
 *            KillMode=mixed: SIGTERM to the runner only, which starts every stopped
 *            application before it exits, then SIGKILL to what is left
 *   timer:   one OnCalendar= per line of onCalendarLines, Persistent=true (a run missed
 *            while the machine was off runs at boot), AccuracySec=1s (cron's minute, not
 *            systemd's default minute of slack)
 *
 * Both carry the marker (schedule-marker.ts) that `remove` and `list` look for. Arguments
 * are quoted for systemd's command-line parser; `%` and `$` are escaped so that systemd
 * expands neither specifiers nor variables inside a path.
 */
import type { ScheduledBlock, RunnerPaths } from './scheduled-blocks.js';
import { markerLines } from './schedule-marker.js';
import { onCalendarLines } from './on-calendar.js';
import { repairArgv, runArgv } from './scheduled-blocks.js';

/** What a unit needs beyond the block and the paths. */
export interface UnitContext {
    readonly paths: RunnerPaths;
    /** PATH of the installing shell: the run finds the same commands as a run by hand. */
    readonly searchPath?: string;
    /** The block's schedule in words. */
    readonly description: string;
}

/** The unit name of a block without suffix: `backplan-acme-Nightly`. */
export function unitBaseName(runbookStem: string, block: ScheduledBlock): string {
    return `backplan-${runbookStem}-${block.name}`;
}

/** The `.service` of a block. */
export function renderService(block: ScheduledBlock, ctx: UnitContext): string {
    const lines = [
        ...markerLines(ctx.paths.runbook, block),
        '[Unit]',
        `Description=${escapeSpecifiers(`Backplan: ${block.kind} ${block.name} of ${ctx.paths.runbook}`)}`,
        'Wants=network-online.target',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=oneshot',
        ...(ctx.searchPath ? [`Environment=${environmentValue(`PATH=${ctx.searchPath}`)}`] : []),
        `ExecStart=${commandLine(runArgv(block, ctx.paths))}`,
        `ExecStopPost=${commandLine(repairArgv(ctx.paths))}`,
        'KillMode=mixed',
        'TimeoutStopSec=15min'
    ];
    return lines.join('\n') + '\n';
}

/** The `.timer` of a block. */
export function renderTimer(block: ScheduledBlock, serviceName: string, ctx: UnitContext): string {
    const lines = [
        ...markerLines(ctx.paths.runbook, block),
        '[Unit]',
        `Description=${escapeSpecifiers(`Backplan: ${block.kind} ${block.name} of ${ctx.paths.runbook}, ${ctx.description} (${block.schedule})`)}`,
        '',
        '[Timer]',
        ...onCalendarLines(block.schedule).map(line => `OnCalendar=${line}`),
        'Persistent=true',
        'AccuracySec=1s',
        `Unit=${serviceName}`,
        '',
        '[Install]',
        'WantedBy=timers.target'
    ];
    return lines.join('\n') + '\n';
}

/** An argv as one `ExecStart=` value. */
function commandLine(argv: readonly string[]): string {
    return argv.map(systemdQuote).join(' ');
}

/** One word for systemd's command-line parser: bare when plain, else in double quotes. */
export function systemdQuote(word: string): string {
    return quoteWord(escapeSpecifiers(word).replace(/\$/g, '$$$$'));
}

/** An `Environment=` assignment: specifiers are expanded there, variables are not. */
function environmentValue(assignment: string): string {
    return quoteWord(escapeSpecifiers(assignment));
}

function quoteWord(escaped: string): string {
    if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
    return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function escapeSpecifiers(text: string): string {
    return text.replace(/%/g, '%%');
}
