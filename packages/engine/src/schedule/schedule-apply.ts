/**
 * Carries out a schedule plan (schedule-plan.ts):
 *
 *   systemd running: run plan.before (disable the timers of deleted units)
 *   delete, then write the files (durable write: temp file + rename, mode 0644;
 *   the folder is made when missing)
 *   systemd running: run plan.after (daemon-reload, enable --now); not running: report
 *   the calls to run once it is
 *
 * Every step is tried; a failed one is reported and makes the result not ok (exit 1), so
 * one unwritable file never hides what else was or was not done. Interrupted: the files
 * written so far are complete (a temp file is never a unit or a cron.d entry); install again.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { limitTime, spawnProcess } from '../hosts/child-process.js';
import { ToolExitError } from '../hosts/tool-exit-error.js';
import { durableWrite } from '../tape/durable-write.js';
import type { SchedulePlan } from './schedule-plan.js';

/** What applying a plan did. */
export interface ScheduleApplyResult {
    readonly ok: boolean;
    /** One line per thing done or skipped, in order. */
    readonly done: readonly string[];
    /** One line per failure. */
    readonly problems: readonly string[];
}

/** Runs `systemctl ARGS…` and resolves with an error line, or undefined when it succeeded. */
export type SystemctlRunner = (args: readonly string[]) => Promise<string | undefined>;

/** Applies a plan; `systemctl` runs the systemctl calls (default: the real one). */
export async function applySchedulePlan(plan: SchedulePlan, systemctl: SystemctlRunner = runSystemctl): Promise<ScheduleApplyResult> {
    const done: string[] = [];
    const problems: string[] = [];
    const calls = async (list: readonly string[][]): Promise<void> => {
        for (const args of list) {
            if (!plan.systemd) continue;
            const error = await systemctl(args);
            if (error) problems.push(error); else done.push(`ran systemctl ${args.join(' ')}`);
        }
    };
    await calls(plan.before);
    for (const change of [...plan.changes].sort((a, b) => Number(a.action !== 'delete') - Number(b.action !== 'delete'))) {
        const error = change.action === 'delete' ? await removeFile(change.path)
            : change.action === 'write' ? await writeFile(change.path, change.text ?? '') : undefined;
        if (error) problems.push(error);
        else done.push(`${change.action === 'delete' ? 'removed' : change.action === 'write' ? 'wrote' : 'unchanged'} ${change.path}`);
    }
    await calls(plan.after);
    if (!plan.systemd && plan.target.kind === 'systemd' && plan.after.length + plan.before.length > 0) {
        const ctl = [...plan.before, ...plan.after].map(a => `systemctl ${a.join(' ')}`).join(' && ');
        done.push(`systemd is not running here (no /run/systemd/system): ran no systemctl; once it runs: ${ctl}`);
    }
    return { ok: problems.length === 0, done, problems };
}

async function writeFile(file: string, text: string): Promise<string | undefined> {
    try {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await durableWrite(path.dirname(file), path.basename(file), text);
        return undefined;
    } catch (err) {
        return `could not write ${file}: ${(err as Error).message}`;
    }
}

async function removeFile(file: string): Promise<string | undefined> {
    try {
        await fs.rm(file, { force: true });
        return undefined;
    } catch (err) {
        return `could not remove ${file}: ${(err as Error).message}`;
    }
}

/** The real systemctl, with a minute to answer. */
async function runSystemctl(args: readonly string[]): Promise<string | undefined> {
    try {
        const p = spawnProcess('systemctl', args, { stdio: ['ignore', 'ignore', 'pipe'], group: false });
        const cancel = limitTime(p.child, 60_000, () => undefined);
        const result = await p.exited.finally(cancel);
        return result.code === 0 ? undefined : new ToolExitError(`systemctl ${args.join(' ')}`, result, p.stderr.text()).message;
    } catch (err) {
        return `could not run systemctl ${args.join(' ')}: ${(err as Error).message}`;
    }
}
