/**
 * `backplan drill RUNBOOK [--policy NAME] [--server NAME]… [--archive ID] [--keep]
 * [--target DIR] [--wait] [--command-timeout SECONDS]`: restore drills (DESIGN §11). Each
 * chosen server's archive is restored into scratch (below the state folder, or DIR),
 * checked file by file, and handed to the drill's `test`; nothing live is touched or
 * stopped. Exit 0: every drill passed; 1: one failed (said why); 2: bad usage.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { declarationScope, drillBaseProblem, hostFor, planDrills, resolveStateDir, RunNotifications, runDrills, type DrillPlan } from '@backplan/engine';
import { UsageError } from '../cli-error.js';
import { collect, type CommandContext } from './command-support.js';
import { drillResultJson, renderDrillResult } from './drill-output.js';
import {
    addRunFlags, commandLine, commandTimeoutMs, hostOptions, loadForRun, planOrFail, refuseOrWarn, withRun, writeJson, type RunFlags, type StoppingFlags
} from './run-support.js';

interface DrillFlags extends RunFlags, Pick<StoppingFlags, 'wait' | 'commandTimeout'> {
    policy?: string;
    server: string[];
    archive?: string;
    keep?: boolean;
    target?: string;
}

/** Registers `drill`. */
export function registerDrill(program: Command, context: CommandContext): void {
    addRunFlags(program.command('drill')
        .description('restore drills: restore archives into scratch, check every file against its manifest, run the drill\'s test; nothing live is touched')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--policy <name>', 'run this drill block only (default: every drill block)')
        .option('--server <name>', 'drill only this server (repeatable)', collect, [])
        .option('--archive <id>', 'drill this archive (instead of the one the drill\'s `pick` chooses)')
        .option('--keep', 'keep the restored copies (their folders are printed)')
        .option('--target <dir>', 'restore the copies below this folder instead of the state folder')
        .option('--wait', 'wait for a tape locked by another run instead of failing')
        .option('--command-timeout <seconds>', 'kill a drill\'s test after this long (default 600, or BACKPLAN_COMMAND_TIMEOUT)'))
        .action(context.action(async (file: string, flags: DrillFlags) => {
            const timeoutMs = commandTimeoutMs(flags.commandTimeout);
            const ctx = await loadForRun(file, 'drill', flags, { scoped: true });
            // `drill.invalid` refuses the drills of this run only.
            const chosen = ctx.model.drills.filter(d => flags.policy === undefined || d.name === flags.policy);
            refuseOrWarn(ctx, 'drill', flags, declarationScope(chosen.map(d => d.node)));
            const base = path.resolve(flags.target ?? path.join(resolveStateDir(flags.state), 'drills'));
            const unsafe = drillBaseProblem(ctx.model, base, chosen);
            if (unsafe) throw new UsageError(unsafe);
            // restic runs on each server's host, as for its backups (DESIGN §9).
            const hosts = { hostFor: (server: Parameters<typeof hostFor>[0]) => hostFor(server, hostOptions(flags)), run: hostOptions(flags) };
            const restic = { model: ctx.model, stateDir: resolveStateDir(flags.state), ...hosts };
            const plan: DrillPlan = await planDrills(ctx.model, { policy: flags.policy, servers: flags.server, archive: flags.archive, restic })
                .catch((err: unknown) => planOrFail(() => { throw err; }));
            const result = await withRun(ctx, flags, async ({ reporter, journal, signal }) => {
                const drilled = await runDrills({
                    plan, runbookPath: ctx.model.root.fsPath, stateDir: resolveStateDir(flags.state), journal, command: commandLine(),
                    target: base, keep: flags.keep, wait: flags.wait, timeoutMs, reporter, signal, hostFor: hosts.hostFor, restic: hosts.run
                });
                // The drill blocks' notify blocks hear the result (a failed delivery is a warning, never the exit code).
                const notes = new RunNotifications({ model: ctx.model, runbookPath: ctx.model.root.fsPath, journal, warn: m => reporter.notice(`backplan: warning: ${m}`) });
                await notes.finishDrills(plan, drilled);
                return drilled;
            });
            if (flags.format === 'json') writeJson(drillResultJson(result));
            else process.stdout.write(renderDrillResult(result));
            if (!result.ok && result.error) process.stderr.write(`backplan: ${result.error}\n`);
            return result.ok ? 0 : 1;
        }));
}
