/**
 * `backplan backup RUNBOOK [--policy NAME] [--server NAME]… [--dry-run] [--wait]
 * [--fail-fast] [--command-timeout SECONDS]`: stop, archive, start, verify, record.
 * Exit 0: every server archived and started again; 1: a failure (said why); 2: bad usage.
 */
import type { Command } from 'commander';
import { hostFor, planBackup, planJson, renderPlanText, runBackup, runScope, type BackupPlan, type BackupRunResult } from '@backplan/engine';
import { painter } from '../terminal.js';
import type { CommandContext } from './command-support.js';
import {
    addRunFlags, addStoppingFlags, commandLine, commandTimeoutMs, hostOptions, loadForRun, planOrFail, refuseOrWarn, withRun, writeJson,
    type RunFlags, type StoppingFlags
} from './run-support.js';

interface BackupFlags extends RunFlags, StoppingFlags {
    policy?: string;
    server: string[];
    failFast?: boolean;
}

function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
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
            const plan: BackupPlan = planOrFail(() => planBackup(ctx.model, options),
                () => refuseOrWarn(ctx, 'backup', flags, runScope([], ctx.model, options)));
            refuseOrWarn(ctx, 'backup', flags, runScope(plan.items, ctx.model, options));
            if (flags.dryRun) {
                if (flags.format === 'json') writeJson(planJson(plan));
                else process.stdout.write(renderPlanText(plan));
                return 0;
            }
            const result: BackupRunResult = await withRun(ctx, flags, ({ reporter, journal, signal, recovered }) => runBackup({
                plan, runbookPath: ctx.model.root.fsPath, journal, command: commandLine(), version: context.version,
                wait: flags.wait, failFast: flags.failFast, timeoutMs, reporter, signal, recovered,
                hostFor: server => hostFor(server, hostOptions(flags)), restic: hostOptions(flags)
            }));
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
