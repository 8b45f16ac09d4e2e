/**
 * `backplan schedule install|remove|list RUNBOOK` (DESIGN §8): make every scheduled block
 * run on its own from a systemd timer or a cron file, undo that, or show when each block
 * runs next and where it is installed. The work is the engine's (schedule/); this file
 * parses flags, loads and refuses the runbook, and prints.
 * Exit 0; 1 when a file could not be written or a timer enabled; 2 bad usage or runbook.
 */
import * as path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
    applySchedulePlan, checkRunnerPaths, listSchedules, listTargets, PlanUsageError, planInstall, planRemove, resolveStateDir, resolveTarget,
    ScheduleConflictError, type RunnerPaths, type SchedulePlan, type ScheduleRequest, type TargetOptions
} from '@backplan/engine';
import { FailedError, UsageError } from '../cli-error.js';
import { collect, type CommandContext } from './command-support.js';
import { addRunFlags, hostOptions, loadForRun, refuseOrWarn, writeJson, type RunContext, type RunFlags } from './run-support.js';
import { renderApply, renderList, renderPlan, planJsonOf, listJsonOf } from './schedule-output.js';

interface TargetFlags extends RunFlags, TargetOptions {
    policy: string[];
    dryRun?: boolean;
}

interface ListFlags extends RunFlags, TargetOptions {
    count: number;
}

function count(value: string): number {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= 1000)) throw new InvalidArgumentError('expected a whole number from 1 to 1000');
    return n;
}

/** --systemd | --cron, --user, --unit-dir, --cron-file. */
function addTargetFlags(cmd: Command): Command {
    return cmd
        .option('--systemd', 'systemd timers (the default where systemd runs)')
        .option('--cron', 'a cron.d file (the default elsewhere)')
        .option('--user', 'systemd user units (~/.config/systemd/user), run as you')
        .option('--unit-dir <dir>', 'where the units go (default /etc/systemd/system, with --user ~/.config/systemd/user)')
        .option('--cron-file <file>', 'the cron file (default /etc/cron.d/backplan-RUNBOOK)');
}

/** Registers `schedule` and its subcommands. */
export function registerSchedule(program: Command, context: CommandContext): void {
    const schedule = program.command('schedule').description('run the runbook\'s scheduled backup and drill blocks on their own: systemd timers or cron');
    for (const [verb, help] of [['install', 'install a timer (or cron line) for every scheduled block'], ['remove', 'remove exactly what install wrote']] as const) {
        addRunFlags(addTargetFlags(schedule.command(verb).description(help)
            .argument('<runbook>', 'the runbook\'s root .backplan file')
            .option('--policy <name>', 'this backup or drill block only (repeatable)', collect, [])
            .option('--dry-run', 'print what would be written and run, and touch nothing')))
            .action(context.action(async (file: string, flags: TargetFlags) => changeSchedule(verb, file, flags, context)));
    }
    addRunFlags(addTargetFlags(schedule.command('list').description('show each scheduled block: its schedule, next fire times, where it is installed')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--count <n>', 'how many fire times to show (default 5)', count, 5)))
        .action(context.action(async (file: string, flags: ListFlags) => {
            const { ctx, runbook } = await load(file, flags);
            const entries = await engine(() => listSchedules(ctx.model, runbook, listTargets(flags, runbook), flags.count));
            if (flags.format === 'json') writeJson(listJsonOf(runbook, entries));
            else process.stdout.write(renderList(runbook, entries));
            return 0;
        }));
}

/** install or remove: plan, then print (dry run) or apply. */
async function changeSchedule(verb: 'install' | 'remove', file: string, flags: TargetFlags, context: CommandContext): Promise<number> {
    const { ctx, runbook } = await load(file, flags);
    const paths: RunnerPaths = {
        node: process.execPath, cli: context.entry, runbook, state: resolveStateDir(flags.state),
        sshConfig: hostOptions(flags).sshConfig !== undefined ? path.resolve(hostOptions(flags).sshConfig!) : undefined
    };
    const plan: SchedulePlan = await engine(async () => {
        checkRunnerPaths(paths);
        const request: ScheduleRequest = { model: ctx.model, policies: flags.policy, target: resolveTarget(flags, runbook), paths, searchPath: process.env.PATH };
        return verb === 'install' ? planInstall(request) : planRemove(request);
    });
    if (flags.dryRun) {
        if (flags.format === 'json') writeJson(planJsonOf(verb, plan, true));
        else process.stdout.write(renderPlan(verb, runbook, plan));
        return 0;
    }
    const result = await applySchedulePlan(plan);
    if (flags.format === 'json') writeJson({ ...planJsonOf(verb, plan, false), ok: result.ok, done: result.done, problems: result.problems });
    else process.stdout.write(renderApply(verb, runbook, plan, result));
    for (const problem of result.problems) process.stderr.write(`backplan: ${problem}\n`);
    return result.ok ? 0 : 1;
}

/**
 * The runbook, refused (exit 2) when its errors leave the blocks undefined (syntax, names,
 * …: the refusal list of every run verb); its other errors are printed as warnings.
 */
async function load(file: string, flags: RunFlags): Promise<{ ctx: RunContext; runbook: string }> {
    const ctx = await loadForRun(file, 'schedule', flags, { scoped: true });
    try {
        refuseOrWarn(ctx, 'schedule', flags, []);
    } catch (err) {
        if (err instanceof FailedError) throw new UsageError(err.message);
        throw err;
    }
    return { ctx, runbook: path.resolve(file) };
}

/** Runs engine work: its usage errors exit 2, a foreign file in the way exits 1. */
async function engine<T>(work: () => Promise<T>): Promise<T> {
    try {
        return await work();
    } catch (err) {
        if (err instanceof PlanUsageError) throw new UsageError(err.message);
        if (err instanceof ScheduleConflictError) throw new FailedError(err.message);
        throw err;
    }
}
