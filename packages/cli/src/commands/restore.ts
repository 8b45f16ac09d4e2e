/**
 * `backplan restore RUNBOOK --server NAME [--from tape|replica] [--archive ID]
 * [--folder NAME] [--target DIR] [--keep-old] [--dry-run] [--wait]`: bring a crashed
 * server's data back (DESIGN §4). Exit 0: restored and running; 1: refused or failed
 * (said why, and what state the server is in); 2: bad usage.
 */
import type { Command } from 'commander';
import {
    openHost, planRestore, PlanRefusedError, PlanUsageError, readCatalog, renderRestorePlanText, restorePlanJson, runRestore,
    type RestoreOptions, type RestorePlan
} from '@backplan/engine';
import { FailedError, UsageError } from '../cli-error.js';
import type { CommandContext } from './command-support.js';
import { choice } from './command-support.js';
import { renderRestoreResult, restoreResultJson } from './restore-output.js';
import {
    addRunFlags, commandLine, commandTimeoutMs, handleInterrupts, hostOptions, journalOf, loadForRun, recoverKilledRuns,
    stderrReporter, writeJson, type RunFlags
} from './run-support.js';

interface RestoreFlags extends RunFlags, RestoreOptions {
    dryRun?: boolean;
    wait?: boolean;
    commandTimeout?: string;
}

/** Registers `restore`. */
export function registerRestore(program: Command, context: CommandContext): void {
    addRunFlags(program.command('restore')
        .description('restore a server\'s data from tape or from replicas: verify first, set the old data aside, swap in only a verified copy')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .requiredOption('--server <name>', 'the server to restore')
        .option('--from <source>', 'tape or replica (default: tape for mail; replica when every folder is on another server)', choice(['tape', 'replica'] as const))
        .option('--archive <id>', 'restore this archive (default: the newest of the server)')
        .option('--folder <name>', 'restore this folder only')
        .option('--target <dir>', 'restore into this empty folder instead of the server (no stop, no start)')
        .option('--keep-old', 'keep the set-aside copy of the previous data')
        .option('--dry-run', 'print the ordered plan and touch nothing')
        .option('--wait', 'wait for a tape locked by another run instead of failing')
        .option('--command-timeout <seconds>', 'kill a stop/start command after this long (default 600, or BACKPLAN_COMMAND_TIMEOUT)'))
        .action(context.action(async (file: string, flags: RestoreFlags) => {
            const timeoutMs = commandTimeoutMs(flags.commandTimeout);
            const ctx = await loadForRun(file, 'restore', flags);
            const catalog = await readCatalog(ctx.model.tapes);
            let plan: RestorePlan;
            try {
                plan = planRestore(ctx.model, catalog.map(c => c.info), {
                    server: flags.server, from: flags.from, archive: flags.archive, folder: flags.folder, target: flags.target, keepOld: flags.keepOld
                });
            } catch (err) {
                if (err instanceof PlanUsageError) throw new UsageError(err.message);
                if (err instanceof PlanRefusedError) throw new FailedError(`refused: ${err.message}`);
                throw err;
            }
            if (flags.dryRun) {
                if (flags.format === 'json') writeJson(restorePlanJson(plan));
                else process.stdout.write(renderRestorePlanText(plan));
                return 0;
            }
            const reporter = stderrReporter();
            const journal = journalOf(file, flags);
            const interrupts = handleInterrupts(reporter);
            let result;
            try {
                await recoverKilledRuns(journal, flags, reporter, commandLine());
                reporter.notice(`restore ${plan.op.server.name} from ${plan.op.kind}: ${plan.why}`);
                for (const n of plan.notes) reporter.notice(`note: ${n}`);
                result = await runRestore({
                    verb: 'restore', ops: [plan.op], catalog, runbookPath: ctx.model.root.fsPath, journal, command: commandLine(),
                    wait: flags.wait, keepOld: flags.keepOld, timeoutMs, reporter, signal: interrupts.signal,
                    hostFor: server => openHost(server.host!, hostOptions(flags))
                });
            } finally {
                reporter.close();
                interrupts.dispose();
            }
            if (flags.format === 'json') writeJson(restoreResultJson(result));
            else process.stdout.write(renderRestoreResult(result));
            if (!result.ok && result.error) process.stderr.write(`backplan: ${result.error}\n`);
            return result.ok ? 0 : 1;
        }));
}
