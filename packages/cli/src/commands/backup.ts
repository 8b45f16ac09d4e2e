/**
 * `backplan backup RUNBOOK [--policy NAME] [--server NAME]… [--dry-run] [--wait]
 * [--fail-fast] [--command-timeout SECONDS]`: stop, archive, start, verify, record.
 * Exit 0: every server archived and started again; 1: a failure (said why); 2: bad usage.
 */
import type { Command } from 'commander';
import { openHost, planBackup, planJson, PlanRefusedError, PlanUsageError, renderPlanText, runBackup, runScope, type BackupPlan, type BackupRunResult } from '@backplan/engine';
import { FailedError, UsageError } from '../cli-error.js';
import { painter } from '../terminal.js';
import type { CommandContext } from './command-support.js';
import {
    addRunFlags, commandLine, commandTimeoutMs, handleInterrupts, hostOptions, journalOf, loadForRun, recoverKilledRuns,
    refuseOrWarn, stderrReporter, writeJson, type RunFlags
} from './run-support.js';

interface BackupFlags extends RunFlags {
    policy?: string;
    server: string[];
    dryRun?: boolean;
    wait?: boolean;
    failFast?: boolean;
    commandTimeout?: string;
}

function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}

/** Registers `backup`. */
export function registerBackup(program: Command, context: CommandContext): void {
    addRunFlags(program.command('backup')
        .description('back up servers: stop each application, archive its data folder to the tape, start it again, verify')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--policy <name>', 'run this backup block only')
        .option('--server <name>', 'back up only this server (repeatable)', collect, [])
        .option('--dry-run', 'print the ordered plan and touch nothing')
        .option('--wait', 'wait for a tape locked by another run instead of failing')
        .option('--fail-fast', 'after the first failed server, back up no further server')
        .option('--command-timeout <seconds>', 'kill a stop/start command after this long (default 600, or BACKPLAN_COMMAND_TIMEOUT)'))
        .action(context.action(async (file: string, flags: BackupFlags) => {
            const timeoutMs = commandTimeoutMs(flags.commandTimeout);
            const ctx = await loadForRun(file, 'backup', flags);
            let plan: BackupPlan;
            const options = { policy: flags.policy, servers: flags.server };
            try {
                plan = planBackup(ctx.model, options);
            } catch (err) {
                if (err instanceof PlanUsageError) throw new UsageError(err.message);
                if (err instanceof PlanRefusedError) {
                    refuseOrWarn(ctx, 'backup', flags, runScope([], ctx.model, options), true);
                    throw new FailedError(`refused: ${err.message}`);
                }
                throw err;
            }
            refuseOrWarn(ctx, 'backup', flags, runScope(plan.items, ctx.model, options), true);
            if (flags.dryRun) {
                if (flags.format === 'json') writeJson(planJson(plan));
                else process.stdout.write(renderPlanText(plan));
                return 0;
            }
            const reporter = stderrReporter();
            const journal = journalOf(file, flags);
            const interrupts = handleInterrupts(reporter);
            let result: BackupRunResult;
            try {
                const recovered = await recoverKilledRuns(journal, flags, reporter, commandLine());
                result = await runBackup({
                    plan, runbookPath: ctx.model.root.fsPath, journal, command: commandLine(), version: context.version,
                    wait: flags.wait, failFast: flags.failFast, timeoutMs, reporter, signal: interrupts.signal, recovered,
                    hostFor: (item, name) => openHost(item.servers.find(s => s.server.name === name)!.server.host!, hostOptions(flags))
                });
            } finally {
                reporter.close();
                interrupts.dispose();
            }
            if (flags.format === 'json') {
                writeJson({ version: 1, runId: result.runId, ok: result.ok, error: result.error, preflight: result.preflightProblems, servers: result.outcomes });
            } else {
                process.stdout.write(renderResult(result));
            }
            if (!result.ok && result.error) process.stderr.write(`backplan: ${result.error}\n`);
            return result.ok ? 0 : 1;
        }));
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
