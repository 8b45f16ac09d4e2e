/**
 * `backplan recover RUNBOOK --lost NAME[,NAME…] [--allow-loss] [--dry-run] [--wait]`:
 * bring several lost servers back (DESIGN §4): restores from the newest good archives,
 * then replication from the holders that survived. Exit 1 when a folder has no copy
 * anywhere (unless --allow-loss), when an archive fails its check, or a step fails.
 */
import type { Command } from 'commander';
import {
    hostFor, planRecover, recoverPlanJson, renderRecoverPlanText, runRestore,
    type RecoverPlan, type RestoreRunResult
} from '@backplan/engine';
import { FailedError } from '../cli-error.js';
import type { CommandContext } from './command-support.js';
import { renderRestoreResult, restoreResultJson } from './restore-output.js';
import {
    addRunFlags, addStoppingFlags, commandLine, commandTimeoutMs, guardianLaunch, hostOptions, loadForServers, planOrFail, readAllArchives, withRun, writeJson,
    type RunFlags, type StoppingFlags
} from './run-support.js';

interface RecoverFlags extends RunFlags, StoppingFlags {
    lost: string;
    allowLoss?: boolean;
}

/** Registers `recover`. */
export function registerRecover(program: Command, context: CommandContext): void {
    addRunFlags(addStoppingFlags(program.command('recover')
        .description('bring several lost servers back: newest good archives first (the master first), then replication from the survivors')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .requiredOption('--lost <names>', 'the lost servers, comma-separated')
        .option('--allow-loss', 'go on even when some folder has no copy anywhere'), 'print each folder\'s source and data age, and the ordered plan; touch nothing'))
        .action(context.action(async (file: string, flags: RecoverFlags) => {
            const timeoutMs = commandTimeoutMs(flags.commandTimeout);
            const lost = flags.lost.split(',').map(s => s.trim()).filter(Boolean);
            const ctx = await loadForServers(file, 'recover', flags, lost);
            const catalog = await readAllArchives(ctx, flags);
            const plan = (): RecoverPlan => planOrFail(() => planRecover(ctx.model, catalog.map(c => c.info), { lost }));
            let current = plan();
            if (flags.dryRun) {
                if (flags.format === 'json') writeJson(recoverPlanJson(current));
                else process.stdout.write(renderRecoverPlanText(current));
                if (current.losses.length && !flags.allowLoss) {
                    process.stderr.write(`backplan: ${current.losses.length} folder${current.losses.length === 1 ? ' has' : 's have'} no copy anywhere (run with --allow-loss to recover the rest)\n`);
                    return 1;
                }
                return 0;
            }
            /** Without --allow-loss a folder with no (good) copy anywhere refuses the whole run, before any stop. */
            const refuseLosses = (good: string): void => {
                if (!current.losses.length || flags.allowLoss) return;
                process.stdout.write(renderRecoverPlanText(current));
                throw new FailedError(`refused: no ${good}copy anywhere of ${current.losses.join('; ')} (run with --allow-loss to recover the rest); nothing was touched`);
            };
            refuseLosses('');
            const result: RestoreRunResult = await withRun(ctx, flags, async ({ reporter, journal, signal }) => {
                // An archive that fails its check is marked bad and the plan made again:
                // the next newest good archive is used (the check runs before any stop).
                for (;;) {
                    for (const n of current.notes) reporter.notice(`note: ${n}`);
                    const run = await runRestore({
                        verb: 'recover', ops: current.ops, catalog, runbookPath: ctx.model.root.fsPath, journal, command: commandLine(),
                        wait: flags.wait, timeoutMs, reporter, signal,
                        hostFor: server => hostFor(server, hostOptions(flags)), guardian: guardianLaunch(context.entry, file, flags), restic: hostOptions(flags)
                    });
                    if (run.badArchives.length === 0 || signal.aborted) return run;
                    for (const b of run.badArchives) {
                        const c = catalog.find(x => x.info.id === b.id);
                        if (c) c.info.bad = b.problems[0];
                        reporter.notice(`backplan: archive ${b.id} failed its check (${b.problems[0]}): planning again without it`);
                    }
                    current = plan();
                    refuseLosses('good ');
                }
            });
            if (flags.format === 'json') writeJson({ ...restoreResultJson(result), losses: current.losses, folders: current.rows });
            else {
                process.stdout.write(renderRestoreResult(result));
                if (current.losses.length) process.stdout.write(`Not recovered (no copy anywhere): ${current.losses.join('; ')}\n`);
            }
            if (!result.ok && result.error) process.stderr.write(`backplan: ${result.error}\n`);
            return result.ok && (current.losses.length === 0 || flags.allowLoss) ? 0 : 1;
        }));
}
