/**
 * Where `backplan schedule` writes, and what is installed there already.
 *
 *   --systemd | --cron | default: systemd when /run/systemd/system exists (systemd is PID 1)
 *   systemd: --unit-dir DIR, else /etc/systemd/system, with --user ~/.config/systemd/user
 *   cron:    --cron-file FILE, else /etc/cron.d/backplan-<runbook>; jobs run as the
 *            installing user (root for root)
 *   <runbook> = the runbook file's name without `.backplan`, characters other than
 *            letters, digits, `_` and `-` as `_` (cron skips files with dots in their names)
 *
 *   installed(target, runbook) = the files there whose marker names this runbook, with the
 *   blocks each runs; a file of that name with another marker (or none) is foreign: never
 *   overwritten, never removed.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PlanUsageError } from '../plan/backup-plan.js';
import { readMarker } from './schedule-marker.js';

/** Where the files go. */
export type ScheduleTarget =
    | { readonly kind: 'systemd'; readonly unitDir: string; readonly user: boolean }
    | { readonly kind: 'cron'; readonly file: string; readonly user: string };

/** The target flags of `schedule install|remove|list`. */
export interface TargetOptions {
    readonly systemd?: boolean;
    readonly cron?: boolean;
    readonly user?: boolean;
    readonly unitDir?: string;
    readonly cronFile?: string;
}

/** One file of a target that Backplan wrote, for some runbook. */
export interface MarkedFile {
    readonly path: string;
    readonly runbook: string;
    readonly blocks: readonly string[];
    readonly text: string;
}

/** systemd's run-time folder: it exists only while systemd runs as PID 1. */
export const SYSTEMD_RUN_DIR = '/run/systemd/system';

/** Whether systemd is the running init (so `systemctl` can reload and enable). */
export function systemdRunning(): boolean {
    return existsSync(SYSTEMD_RUN_DIR);
}

/** The runbook's name as used in unit and cron file names. */
export function runbookStem(runbook: string): string {
    return path.basename(runbook).replace(/\.backplan$/, '').replace(/[^A-Za-z0-9_-]/g, '_') || 'runbook';
}

/** The target the flags ask for (see the module comment for the defaults). */
export function resolveTarget(options: TargetOptions, runbook: string): ScheduleTarget {
    if (options.systemd && options.cron) throw new PlanUsageError('give --systemd or --cron, not both');
    const kind = options.cron || options.cronFile ? 'cron' : options.systemd || options.unitDir || options.user || systemdRunning() ? 'systemd' : 'cron';
    if (kind === 'cron') {
        if (options.unitDir) throw new PlanUsageError('--unit-dir is for --systemd; with --cron, give --cron-file');
        if (options.user) throw new PlanUsageError('--user is for systemd user units; a cron file\'s jobs run as the user who installs it');
        const file = path.resolve(options.cronFile ?? path.join('/etc/cron.d', `backplan-${runbookStem(runbook)}`));
        return { kind, file, user: os.userInfo().username };
    }
    if (options.cronFile) throw new PlanUsageError('--cron-file is for --cron; with --systemd, give --unit-dir');
    const unitDir = path.resolve(options.unitDir ?? (options.user ? path.join(os.homedir(), '.config/systemd/user') : '/etc/systemd/system'));
    return { kind, unitDir, user: options.user ?? false };
}

/** The files of a target, Backplan's for any runbook, by path (a missing folder or file: none). */
export async function markedFiles(target: ScheduleTarget): Promise<Map<string, MarkedFile>> {
    const candidates = target.kind === 'cron'
        ? [target.file]
        : (await listDir(target.unitDir)).filter(n => /^backplan-.*\.(service|timer)$/.test(n)).map(n => path.join(target.unitDir, n));
    const result = new Map<string, MarkedFile>();
    for (const file of candidates) {
        const text = await readText(file);
        const marker = text === undefined ? undefined : readMarker(text);
        if (marker) result.set(file, { path: file, runbook: marker.runbook, blocks: marker.blocks, text: text! });
    }
    return result;
}

/** Whether a file exists (whoever wrote it). */
export async function fileExists(file: string): Promise<boolean> {
    return fs.lstat(file).then(() => true, () => false);
}

async function listDir(dir: string): Promise<string[]> {
    try {
        return (await fs.readdir(dir)).sort();
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
    }
}

async function readText(file: string): Promise<string | undefined> {
    try {
        const stat = await fs.lstat(file);
        if (!stat.isFile() || stat.size > 1 << 20) return undefined;
        return await fs.readFile(file, 'utf8');
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
    }
}
