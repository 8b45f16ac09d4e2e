/**
 * `schedule list`: per scheduled block, its expression, the expression in words, its next
 * fire times and where it is installed.
 *
 *   targets   = the one the flags name, else every default place: system units, the
 *               user's units, the default cron file
 *   installed = the targets whose files, marked for this runbook, run the block
 *               (systemd: its .timer; cron: a line of the cron file)
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { describeSchedule, nextFireTimes, type RunbookModel } from '@backplan/language/model';
import { blockKey } from './schedule-marker.js';
import { markedFiles, resolveTarget, type ScheduleTarget, type TargetOptions } from './schedule-target.js';
import { scheduledBlocks, type ScheduledBlock } from './scheduled-blocks.js';

/** One block as `schedule list` shows it. */
export interface ScheduleListEntry {
    readonly block: ScheduledBlock;
    readonly description: string;
    readonly next: readonly Date[];
    /** The files that install it (a timer, or a cron file). */
    readonly installed: ReadonlyArray<{ readonly kind: ScheduleTarget['kind']; readonly path: string }>;
}

/** Where `list` looks: the target the flags name, else every default one. */
export function listTargets(options: TargetOptions, runbook: string): ScheduleTarget[] {
    const named = options.systemd || options.cron || options.user || options.unitDir || options.cronFile;
    if (named) return [resolveTarget(options, runbook)];
    return [
        resolveTarget({ systemd: true }, runbook),
        { kind: 'systemd', unitDir: path.join(os.homedir(), '.config/systemd/user'), user: true },
        resolveTarget({ cron: true }, runbook)
    ];
}

/** The entries of `schedule list`. */
export async function listSchedules(model: RunbookModel, runbook: string, targets: readonly ScheduleTarget[], count: number, now = new Date()): Promise<ScheduleListEntry[]> {
    const marked = (await Promise.all(targets.map(async t => [...(await markedFiles(t)).values()].map(f => ({ kind: t.kind, file: f })))))
        .flat().filter(m => m.file.runbook === runbook);
    return scheduledBlocks(model).map(block => ({
        block,
        description: describeSchedule(block.schedule),
        next: nextFireTimes(block.schedule, count, now),
        installed: marked
            .filter(m => m.file.blocks.includes(blockKey(block)) && (m.kind === 'cron' || m.file.path.endsWith('.timer')))
            .map(m => ({ kind: m.kind, path: m.file.path }))
    }));
}
