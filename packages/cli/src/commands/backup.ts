/**
 * `backplan backup RUNBOOK [--policy NAME] [--server NAME]… [--dry-run] [--wait]
 * [--fail-fast] [--command-timeout SECONDS]`: stop, archive, start, verify, record; the
 * runbook's `notify` blocks hear each block's start and its success or failure
 * (engine notify/run-notifications.ts). Exit 0: every server archived and started again;
 * 1: a failure (said why); 2: bad usage. A failed notification is a warning, never an exit code.
 */
import type { Command } from 'commander';
import {
    hostFor, planBackup, planJson, renderPlanText, runBackup, runScope, RunNotifications, type BackupPlan, type BackupRunResult, type Journal, type Reporter
} from '@backplan/engine';
import { FailedError } from '../cli-error.js';
import { painter } from '../terminal.js';
import { collect, type CommandContext } from './command-support.js';
import {
    addRunFlags, addStoppingFlags, commandLine, commandTimeoutMs, guardianLaunch, hostOptions, loadForRun, planOrFail, refuseOrWarn, withRun, writeJson,
    type RunContext, type RunFlags, type StoppingFlags
} from './run-support.js';

interface BackupFlags extends RunFlags, StoppingFlags {
    policy?: string;
    server: string[];
    failFast?: boolean;
}

/** Registers `backup`. */
export function registerBackup(program: Command, context: CommandContext): void {
    addRunFlags(addStoppingFlags(program.command('backup')
        .description('back up servers: stop each application, archive its data folder to the tape, start it again, verify')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--policy <name>', 'run this backup block only')
        .option('--server <name>', 'back up only this server (repeatable)', collect, [])
        .option('--fail-fast', 'after the first failed server, back up no further server')))
        .action(context.action(async (file: string, flags: BackupFlags) => {
            const timeoutMs = commandTimeoutMs(flags.commandTimeout);
            const ctx = await loadForRun(file, 'backup', flags, { scoped: true });
            const options = { policy: flags.policy, servers: flags.server };
            const plan = await planOrNotify(ctx, flags, options);
            if (flags.dryRun) {
                if (flags.format === 'json') writeJson(planJson(plan));
                else process.stdout.write(renderPlanText(plan));
                return 0;
            }
            const { result, notes } = await runWithNotifications(ctx, flags, plan, context, timeoutMs);
            // Text shows the result first, then waits for the notifications (at most twice their
            // timeout); JSON carries them, so it waits first. Neither changes the exit code.
            if (flags.format === 'json') {
                const sent = await notes.finish(plan, result);
                writeJson({ version: 1, runId: result.runId, ok: result.ok, error: result.error, preflight: result.preflightProblems, servers: result.outcomes, notifications: sent });
            } else {
                process.stdout.write(renderResult(result));
            }
            if (!result.ok && result.error) process.stderr.write(`backplan: ${result.error}\n`);
            if (flags.format !== 'json') await notes.finish(plan, result);
            return result.ok ? 0 : 1;
        }));
}

/** Runs the plan, its `start` notifications sent once pre-flight passed; their warnings go above the live progress lines while the run lasts, then to stderr. */
async function runWithNotifications(
    ctx: RunContext, flags: BackupFlags, plan: BackupPlan, context: CommandContext, timeoutMs: number
): Promise<{ result: BackupRunResult; notes: RunNotifications }> {
    let reporter: Reporter | undefined;
    const warn = (m: string): void => { if (reporter) reporter.notice(m); else process.stderr.write(`${m}\n`); };
    return withRun(ctx, flags, async run => {
        const notes = runNotifications(ctx, warn, run.journal);
        reporter = run.reporter;
        try {
            const result = await runBackup({
                plan, runbookPath: ctx.model.root.fsPath, journal: run.journal, command: commandLine(), version: context.version,
                wait: flags.wait, failFast: flags.failFast, timeoutMs, reporter: run.reporter, signal: run.signal, recovered: run.recovered,
                hostFor: server => hostFor(server, hostOptions(flags)), guardian: guardianLaunch(context.entry, ctx.file, flags), restic: hostOptions(flags),
                onStart: runId => notes.start(plan, runId)
            });
            return { result, notes };
        } finally {
            reporter = undefined;
        }
    });
}

/** The run's notifications; warnings say `backplan: warning: …`. */
function runNotifications(ctx: RunContext, warn: (m: string) => void, journal?: Journal): RunNotifications {
    return new RunNotifications({ model: ctx.model, runbookPath: ctx.model.root.fsPath, journal, warn: m => warn(`backplan: warning: ${m}`) });
}

/**
 * The plan, or the refusal (exit 1) after a `failure` notification of the blocks the run
 * would have run: a runbook edited into a refused state must not fail its nightly run
 * silently. Dry runs and usage errors (exit 2) tell nobody.
 */
async function planOrNotify(ctx: RunContext, flags: BackupFlags, options: { policy?: string; servers: string[] }): Promise<BackupPlan> {
    try {
        const plan = planOrFail(() => planBackup(ctx.model, options),
            () => refuseOrWarn(ctx, 'backup', flags, runScope([], ctx.model, options)));
        refuseOrWarn(ctx, 'backup', flags, runScope(plan.items, ctx.model, options));
        return plan;
    } catch (err) {
        if (err instanceof FailedError && !flags.dryRun) await runNotifications(ctx, m => process.stderr.write(`${m}\n`)).refused(refusedBlocks(ctx, options), err.message);
        throw err;
    }
}

/** The blocks a refused run would have run: --policy, else those holding a --server, else all. */
function refusedBlocks(ctx: RunContext, options: { policy?: string; servers: string[] }): string[] {
    const backups = ctx.model.backups.filter(b => options.policy !== undefined ? b.name === options.policy
        : options.servers.length === 0 || b.servers.some(s => options.servers.includes(s.name)));
    return backups.map(b => b.name);
}

function renderResult(result: BackupRunResult): string {
    const paint = painter(process.stdout);
    const lines: string[] = [];
    for (const o of result.outcomes) {
        const head = o.ok
            ? `${paint('green', 'ok')}      ${o.server} → tape ${o.tape}: ${o.archive} (${o.files} files)`
            : `${paint('red', 'FAILED')}  ${o.server} → tape ${o.tape}: ${o.error}`;
        lines.push(head);
        if (!o.ok && o.started === false) lines.push(`        ${paint('red', `${o.server} is NOT running: start it by hand`)}`);
        if (!o.ok && o.output) for (const l of o.output.trimEnd().split('\n').slice(-10)) lines.push(`        | ${l}`);
    }
    lines.push(result.ok ? `Run ${result.runId}: every server backed up.` : `Run ${result.runId} failed.`);
    return lines.join('\n') + '\n';
}
