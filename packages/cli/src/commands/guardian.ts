/**
 * `backplan guardian RUNBOOK --run ID [--state DIR] [--ssh-config FILE]
 * [--command-timeout SECONDS]` (hidden): the guardian of one run, started by the run
 * itself (engine kernel/guardian.ts) with the runner's pipe on stdin and its output
 * appended to STATE/guardian.log.
 *
 *   ignore SIGINT, SIGTERM, SIGHUP: it ends when its run does, not when a terminal or a
 *       service stop says so (`kill -9` ends it)
 *   wait for "end" or end of file on stdin (guardRun)
 *   gone without run-end → load the runbook NOW (its current start commands; with errors,
 *       the journal's) → recovery of this run only, `by: guardian` → log what it did
 * Exit 0: the run ended, or the guardian repaired it; 1: something is left for the next
 * command or `repair`.
 */
import type { Command } from 'commander';
import { guardRun } from '@backplan/engine';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from './command-support.js';
import { journalOf, loadForRepair, recoverKilledRuns, type RunFlags, type StoppingFlags } from './run-support.js';

interface GuardianFlags extends RunFlags, Pick<StoppingFlags, 'commandTimeout'> {
    run: string;
}

/** Registers the hidden `guardian` command. */
export function registerGuardian(program: Command, context: CommandContext): void {
    program.command('guardian', { hidden: true })
        .description('the guardian of one run (started by the run itself)')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .requiredOption('--run <id>', 'the run to guard')
        .option('--state <dir>', 'state folder')
        .option('--ssh-config <file>', 'ssh config file passed as `ssh -F FILE`')
        .option('--command-timeout <seconds>', 'kill a start command after this long')
        .action(context.action(async (file: string, flags: GuardianFlags) => {
            // By hand it would wait for a terminal's end of file, deaf to Ctrl-C.
            if (process.stdin.isTTY) throw new UsageError('`backplan guardian` is started by a run (backup, restore, recover), not by hand; see `backplan repair`');
            for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => undefined);
            const log = (m: string): void => { process.stderr.write(`${new Date().toISOString()} guardian of run ${flags.run} (${file}): ${m}\n`); };
            const journal = journalOf(file, flags);
            const outcome = await guardRun(process.stdin, journal, flags.run, async () => {
                log('the runner is gone and the run did not end: repairing it');
                const ctx = await loadForRepair(file, log).catch((err: Error) => {
                    log(`warning: the runbook could not be read (${err.message}): the start commands recorded in the journal are used`);
                    return undefined;
                });
                return recoverKilledRuns(journal, flags, { by: 'guardian', notice: log, model: ctx?.model, only: flags.run });
            });
            if (outcome.kind === 'ended') return 0;
            const failed = outcome.result.runs.flatMap(r => r.failed);
            log(failed.length ? `left for the next command or \`backplan repair\`: ${failed.map(f => `${f.server}: ${f.error}`).join('; ')}` : 'done');
            return failed.length ? 1 : 0;
        }));
}
