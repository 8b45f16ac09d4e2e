/**
 * `schedule install` and `schedule remove` as plans: the files to write or delete and the
 * `systemctl` calls around them, computed from the runbook and what the target holds now.
 * Pure but for reading the target; schedule-apply.ts carries a plan out, `--dry-run`
 * prints it.
 *
 *   install, systemd: want = a .service and a .timer per block; each is written unless it
 *            already holds that text; ours = the target's files marked for this runbook;
 *            without --policy, ours not wanted are deleted (a block removed from the
 *            runbook, or its schedule); a wanted path holding a foreign file is a conflict
 *            systemctl: disable --now the deleted timers, then daemon-reload and
 *            enable --now the wanted ones
 *   install, cron: one file; its blocks = every scheduled block, or with --policy those
 *            plus the ones it already runs
 *   remove:  ours (with --policy: those of the named blocks) are deleted, a cron file is
 *            rewritten with the blocks left; disable --now before, daemon-reload after
 *
 * So installing twice writes nothing the second time, and remove deletes exactly the files
 * install wrote.
 */
import * as path from 'node:path';
import type { RunbookModel } from '@backplan/language/model';
import { describeSchedule } from '@backplan/language/model';
import { PlanUsageError } from '../plan/backup-plan.js';
import { renderCronFile } from './cron-file.js';
import { blockKey } from './schedule-marker.js';
import { fileExists, markedFiles, runbookStem, systemdRunning, type MarkedFile, type ScheduleTarget } from './schedule-target.js';
import { namedBlock, scheduledBlocks, type RunnerPaths, type ScheduledBlock } from './scheduled-blocks.js';
import { renderService, renderTimer, unitBaseName } from './unit-files.js';

/** What install or remove is asked to do. */
export interface ScheduleRequest {
    readonly model: RunbookModel;
    /** --policy NAME…; empty: every scheduled block. */
    readonly policies: readonly string[];
    readonly target: ScheduleTarget;
    readonly paths: RunnerPaths;
    /** PATH for the scheduled runs. */
    readonly searchPath?: string;
}

/** One file of a plan. */
export interface FileChange {
    readonly path: string;
    readonly action: 'write' | 'delete' | 'unchanged';
    /** The new text (write, unchanged). */
    readonly text?: string;
}

/** A plan: files, and the systemctl calls before and after them. */
export interface SchedulePlan {
    readonly target: ScheduleTarget;
    /** The blocks the target runs once the plan is applied (of this runbook, in this target). */
    readonly blocks: readonly ScheduledBlock[];
    /** The blocks it no longer runs, `backup NAME` keys. */
    readonly removed: readonly string[];
    readonly changes: readonly FileChange[];
    /** systemctl argument lists to run before the files change (disable). */
    readonly before: readonly string[][];
    /** systemctl argument lists to run after (daemon-reload, enable). */
    readonly after: readonly string[][];
    /** Whether systemd runs here: without it, the systemctl calls are only reported. */
    readonly systemd: boolean;
}

/** A file that the target holds but Backplan did not write for this runbook. */
export class ScheduleConflictError extends Error {}

/** The plan of `schedule install`. */
export async function planInstall(req: ScheduleRequest): Promise<SchedulePlan> {
    const blocks = scheduledBlocks(req.model, req.policies);
    if (blocks.length === 0) {
        throw new PlanUsageError('no backup or drill block of this runbook has a `schedule`: add one, such as `schedule "0 2 * * *"`, to run it on its own');
    }
    const ours = await oursIn(req);
    if (req.target.kind === 'cron') {
        const file = req.target.file;
        const running = ours.get(file)?.blocks ?? [];
        const all = req.policies.length === 0 ? blocks
            : scheduledBlocks(req.model).filter(b => req.policies.includes(b.name) || running.includes(blockKey(b)));
        const gone = running.filter(k => !all.some(b => blockKey(b) === k));
        return plan(req, all, [await wanted(req, file, renderCronFile(all, cronContext(req)), ours)], [], [], gone);
    }
    const files = await Promise.all(blocks.flatMap(block => unitTexts(req, block)).map(([file, text]) => wanted(req, file, text, ours)));
    const stale = req.policies.length === 0 ? [...ours.values()].filter(f => !files.some(c => c.path === f.path)) : [];
    const changes = [...stale.map(f => ({ path: f.path, action: 'delete' as const })), ...files];
    const timers = (list: readonly { path: string }[]) => list.map(f => path.basename(f.path)).filter(n => n.endsWith('.timer'));
    const ctl = systemctl(req.target);
    const before = timers(stale).length > 0 ? [[...ctl, 'disable', '--now', ...timers(stale)]] : [];
    return plan(req, blocks, changes, before, [[...ctl, 'daemon-reload'], [...ctl, 'enable', '--now', ...timers(files)]], stale.flatMap(f => f.path.endsWith('.timer') ? f.blocks : []));
}

/** The plan of `schedule remove`. */
export async function planRemove(req: ScheduleRequest): Promise<SchedulePlan> {
    const keys = removedKeys(req);
    const ours = [...(await oursIn(req)).values()].filter(f => keys === undefined || f.blocks.some(k => keys.has(k)));
    if (req.target.kind === 'cron') {
        const file = ours[0];
        if (!file) return plan(req, [], [], [], [], []);
        const left = keys === undefined ? [] : scheduledBlocks(req.model).filter(b => file.blocks.includes(blockKey(b)) && !keys.has(blockKey(b)));
        const change: FileChange = left.length === 0 ? { path: file.path, action: 'delete' } : { path: file.path, action: 'write', text: renderCronFile(left, cronContext(req)) };
        return plan(req, left, [change], [], [], file.blocks.filter(k => !left.some(b => blockKey(b) === k)));
    }
    const ctl = systemctl(req.target);
    const timers = ours.map(f => path.basename(f.path)).filter(n => n.endsWith('.timer'));
    return plan(req, [], ours.map(f => ({ path: f.path, action: 'delete' as const })),
        timers.length > 0 ? [[...ctl, 'disable', '--now', ...timers]] : [], ours.length > 0 ? [[...ctl, 'daemon-reload']] : [],
        ours.flatMap(f => f.path.endsWith('.timer') ? f.blocks : []));
}

/** `backup NAME` / `drill NAME` keys of the blocks `remove --policy` names (undefined: all of them). */
function removedKeys(req: ScheduleRequest): Set<string> | undefined {
    if (req.policies.length === 0) return undefined;
    return new Set(req.policies.map(name => blockKey(namedBlock(req.model, name))));
}

/** The target's files marked for this runbook. */
async function oursIn(req: ScheduleRequest): Promise<Map<string, MarkedFile>> {
    const all = await markedFiles(req.target);
    return new Map([...all].filter(([, f]) => f.runbook === req.paths.runbook));
}

/** A file to have with this text: unchanged, written, or a conflict when someone else's file is there. */
async function wanted(req: ScheduleRequest, file: string, text: string, ours: ReadonlyMap<string, MarkedFile>): Promise<FileChange> {
    const mine = ours.get(file);
    if (!mine && await fileExists(file)) {
        throw new ScheduleConflictError(`${file} exists and was not written by \`backplan schedule install\` for ${req.paths.runbook}: move it aside, or choose another ${req.target.kind === 'cron' ? '--cron-file' : '--unit-dir'}`);
    }
    return { path: file, action: mine?.text === text ? 'unchanged' : 'write', text };
}

/** The `.service` and `.timer` of a block, as [path, text]. */
function unitTexts(req: ScheduleRequest, block: ScheduledBlock): Array<[string, string]> {
    if (req.target.kind !== 'systemd') return [];
    const base = unitBaseName(runbookStem(req.paths.runbook), block);
    const ctx = { paths: req.paths, searchPath: req.searchPath, description: describeSchedule(block.schedule) };
    return [
        [path.join(req.target.unitDir, `${base}.service`), renderService(block, ctx)],
        [path.join(req.target.unitDir, `${base}.timer`), renderTimer(block, `${base}.service`, ctx)]
    ];
}

function cronContext(req: ScheduleRequest) {
    const user = req.target.kind === 'cron' ? req.target.user : 'root';
    return { paths: req.paths, user, searchPath: req.searchPath, describe: (b: ScheduledBlock) => describeSchedule(b.schedule) };
}

function systemctl(target: ScheduleTarget): string[] {
    return target.kind === 'systemd' && target.user ? ['--user'] : [];
}

function plan(req: ScheduleRequest, blocks: readonly ScheduledBlock[], changes: readonly FileChange[], before: string[][], after: string[][],
    removed: readonly string[] = []): SchedulePlan {
    return { target: req.target, blocks, removed, changes, before, after, systemd: req.target.kind === 'systemd' && systemdRunning() };
}
