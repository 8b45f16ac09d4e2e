/**
 * `backplan status RUNBOOK [--format text|json|prometheus] [--textfile DIR] [--no-notify]`: per backup
 * block and server the last run, its result, the last success, the stop window and size
 * of the last archive, the last verify and the last drill, and whether each block is
 * stale (DESIGN §8). Reads the journal and the tapes; changes nothing (an application an
 * interrupted run left stopped is shown, and left to `repair` or the next run verb).
 * A stale block is told to the notify blocks that hear `stale`, once per episode, unless
 * `--no-notify`: a reader that is not the watchdog (the editor's CodeLens) must not be
 * the one that tells, from the admin's laptop, and so mark the episode told.
 * Exit 0: no block stale and every last run succeeded; 1 otherwise; 2 usage.
 *
 * BACKPLAN_NOW=ISO-TIME sets the clock the staleness is judged by (for tests).
 */
import type { Command } from 'commander';
import type { RunbookModel } from '@backplan/language/model';
import { buildStatus, renderPrometheus, reportStale, resolveStateDir, skipForStatus, statusTailIsEnough, writeTextfile, type Journal, type RunbookStatus } from '@backplan/engine';
import { FailedError, UsageError } from '../cli-error.js';
import type { CommandContext } from './command-support.js';
import { addRunFlags, loadForRun, withRun, writeJson, type RunFlags } from './run-support.js';
import { renderStatusText, statusJson } from './status-output.js';

const STATUS_FORMATS = ['text', 'json', 'prometheus'] as const;

interface StatusFlags extends Omit<RunFlags, 'format'> {
    format: (typeof STATUS_FORMATS)[number];
    textfile?: string;
    /** false with --no-notify. */
    notify: boolean;
}

/** Registers `status`. */
export function registerStatus(program: Command, context: CommandContext): void {
    addRunFlags(program.command('status')
        .description('show the last runs of each backup block and server, and whether a block is stale; exit 1 when one is stale or failed')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--textfile <dir>', 'also write the Prometheus metrics to DIR/backplan-<runbook>.prom, atomically (node_exporter\'s textfile collector)')
        .option('--no-notify', 'read only: do not send `stale` to the notify blocks (for readers that are not the watchdog, such as an editor)'), STATUS_FORMATS)
        .action(context.action(async (file: string, flags: StatusFlags) => {
            const now = clock();
            const runFlags: RunFlags = { ...flags, format: flags.format === 'json' ? 'json' : 'text' };
            const ctx = await loadForRun(file, 'status', runFlags);
            const status = await withRun(file, runFlags, async ({ journal }) => buildStatus({
                model: ctx.model, records: await journal.readTail(statusTailIsEnough(ctx.model), { skip: skipForStatus }),
                journalFile: journal.file, now, problems: damage(journal)
            }), { recover: false, interrupts: false });
            const textfile = flags.textfile === undefined ? undefined : await writeMetrics(flags.textfile, status);
            if (flags.notify) await tellStale(ctx.model, flags.state, now, status);
            if (flags.format === 'json') writeJson(statusJson(status, textfile));
            else if (flags.format === 'prometheus') process.stdout.write(renderPrometheus(status));
            else process.stdout.write(renderStatusText(status, textfile));
            return status.ok ? 0 : 1;
        }));
}

/** `stale` to the notify blocks that ask for it, once per stale episode (notify/stale-episodes.ts). */
async function tellStale(model: RunbookModel, state: string | undefined, now: Date, status: RunbookStatus): Promise<void> {
    const told = await reportStale({
        model, runbookPath: model.root.fsPath, stateDir: resolveStateDir(state), now: () => now,
        stale: status.blocks.filter(b => b.stale).map(b => ({ policy: b.policy, lastSuccess: b.lastSuccess, reason: b.staleReason }))
    });
    for (const w of told.warnings) process.stderr.write(`backplan: warning: ${w}\n`);
}

/** The clock: now, or BACKPLAN_NOW (an ISO time, for tests). */
function clock(): Date {
    const raw = process.env.BACKPLAN_NOW;
    if (raw === undefined || raw === '') return new Date();
    const at = new Date(raw);
    if (Number.isNaN(at.getTime())) throw new UsageError(`BACKPLAN_NOW must be an ISO time such as 2026-11-25T02:00:00Z, not "${raw}"`);
    return at;
}

/** Damaged journal lines, as problems (at most the first, and how many). */
function damage(journal: Journal): string[] {
    const { damaged } = journal;
    if (damaged.length === 0) return [];
    return [`the journal ${journal.file} has ${damaged.length} damaged record${damaged.length > 1 ? 's' : ''}, skipped (first: ${damaged[0].reason})`];
}

/** Writes the metrics for the textfile collector; a folder that is not there is bad usage. */
async function writeMetrics(dir: string, status: RunbookStatus): Promise<string> {
    try {
        return await writeTextfile(dir, status.runbook, renderPrometheus(status));
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`--textfile ${dir}: no such folder (create it, or name the textfile collector's folder)`);
        throw new FailedError(`could not write the metrics into ${dir}: ${(err as Error).message}`);
    }
}
