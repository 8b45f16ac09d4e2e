/**
 * Which blocks `backplan schedule` installs, and the command each one runs.
 *
 *   blocks  = every backup block with a `schedule`, in file order, then every drill block
 *             with one (DESIGN §11) — backups and drills share one namespace of names
 *             (--policy NAME…: those blocks only; an unknown name, one without a
 *             schedule, or a drill without a tape, is a usage error)
 *   run     = NODE CLI backup|drill --policy NAME --wait --state STATE [--ssh-config F] RUNBOOK
 *   repair  = NODE CLI repair --state STATE [--ssh-config F] RUNBOOK   (systemd's ExecStopPost)
 *
 * Every path is absolute, so the command runs the same from cron, a timer or a shell.
 * `--wait`: two blocks that fire at once and share a tape run one after the other instead
 * of the second failing on the tape's lock.
 */
import * as path from 'node:path';
import { scheduleProblem, type RunbookModel } from '@backplan/language/model';
import { PlanUsageError } from '../plan/backup-plan.js';

/** A block that runs on its own schedule: a backup or a drill. */
export interface ScheduledBlock {
    readonly kind: 'backup' | 'drill';
    readonly name: string;
    readonly schedule: string;
}

/** Where the scheduled commands find node, the CLI, the runbook and the state folder. */
export interface RunnerPaths {
    /** The node binary (process.execPath). */
    readonly node: string;
    /** The CLI's bundle. */
    readonly cli: string;
    readonly runbook: string;
    readonly state: string;
    readonly sshConfig?: string;
}

/** A backup or drill block as far as scheduling goes. */
interface Block {
    readonly kind: ScheduledBlock['kind'];
    readonly name: string;
    readonly schedule?: string;
    /** Why it cannot run on its own (a drill without a tape). */
    readonly problem?: string;
}

/** Every backup block, then every drill block, in file order. */
function blocksOf(model: RunbookModel): Block[] {
    return [
        ...model.backups.map(b => ({ kind: 'backup' as const, name: b.name, schedule: b.schedule })),
        ...model.drills.map(d => ({ kind: 'drill' as const, name: d.name, schedule: d.schedule, problem: d.tape ? undefined : 'has no tape to restore from: fix its `from`' }))
    ];
}

/** The block named by `--policy NAME` (a usage error when there is none). */
export function namedBlock(model: RunbookModel, name: string): { kind: ScheduledBlock['kind']; name: string } {
    const all = blocksOf(model);
    const block = all.find(b => b.name === name);
    if (!block) throw new PlanUsageError(`no backup or drill block named ${name} in this runbook (blocks: ${all.map(b => b.name).join(', ') || 'none'})`);
    return block;
}

/** The scheduled blocks of a runbook, or of the named policies only. */
export function scheduledBlocks(model: RunbookModel, policies: readonly string[] = []): ScheduledBlock[] {
    for (const name of policies) {
        const block = namedBlock(model, name);
        if ((block as Block).schedule === undefined) {
            throw new PlanUsageError(`${block.kind} ${name} has no \`schedule\`: add one, such as \`schedule "0 2 * * *"\`, to run it on its own`);
        }
    }
    const chosen = blocksOf(model).filter(b => b.schedule !== undefined && (policies.length === 0 || policies.includes(b.name)));
    for (const b of chosen) {
        const problem = scheduleProblem(b.schedule!);
        if (problem) throw new PlanUsageError(`the schedule of ${b.kind} ${b.name} ${problem.replace(/^"[^"]*" /, '')}: fix it (see \`backplan check\`)`);
        if (b.problem) throw new PlanUsageError(`${b.kind} ${b.name} ${b.problem} (see \`backplan check\`)`);
    }
    return chosen.map(b => ({ kind: b.kind, name: b.name, schedule: b.schedule! }));
}

/** The argv of a block's scheduled run. */
export function runArgv(block: ScheduledBlock, paths: RunnerPaths): string[] {
    return [paths.node, paths.cli, block.kind, '--policy', block.name, '--wait', ...commonFlags(paths), paths.runbook];
}

/** The argv of `backplan repair`, run after every scheduled run however it ended. */
export function repairArgv(paths: RunnerPaths): string[] {
    return [paths.node, paths.cli, 'repair', ...commonFlags(paths), paths.runbook];
}

/** Checks that every path is absolute and printable on one line of a unit or cron file. */
export function checkRunnerPaths(paths: RunnerPaths): void {
    for (const [what, p] of Object.entries(paths) as Array<[string, string | undefined]>) {
        if (p === undefined) continue;
        if (!path.isAbsolute(p)) throw new PlanUsageError(`the ${what} path ${p} is not absolute`);
        if (/[\n\r]/.test(p)) throw new PlanUsageError(`the ${what} path ${JSON.stringify(p)} holds a line break, which no unit or cron file can hold`);
    }
}

function commonFlags(paths: RunnerPaths): string[] {
    return ['--state', paths.state, ...(paths.sshConfig ? ['--ssh-config', paths.sshConfig] : [])];
}
