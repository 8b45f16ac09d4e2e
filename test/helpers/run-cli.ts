/**
 * Runs the built `backplan` bin (node packages/cli/bin/backplan.js) as CI would: a child
 * process with pipes (not a TTY), without colour variables unless a test sets them, and a
 * timeout so that a hang fails the test instead of stalling the suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root. */
export const REPO = path.resolve(__dirname, '../..');
/** The bin that `npx backplan` runs. */
export const BIN = path.join(REPO, 'packages/cli/bin/backplan.js');
/**
 * What every end-to-end test runs: the bin, or BACKPLAN_TEST_CLI (another build, e.g. an
 * older commit's bundle, to check that a test catches its bug).
 */
export const CLI = process.env.BACKPLAN_TEST_CLI ?? BIN;

/** What a run printed and how it ended. */
export interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Options of one run. */
export interface CliOptions {
    cwd?: string;
    /** Variables to set (undefined: remove) on top of a copy of this process's environment. */
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
}

/** The environment of a child: this one's, less anything that forces or forbids colour. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['NO_COLOR', 'FORCE_COLOR', 'BACKPLAN_DEBUG']) delete env[name];
    for (const [name, value] of Object.entries(extra)) {
        if (value === undefined) delete env[name]; else env[name] = value;
    }
    return env;
}

/** A `backplan` child process, and what it printed once it ends. */
export type RunningCli = ChildProcess & { result: Promise<CliResult> };

/** Options of a spawned run: `onStderr` sees the whole stderr so far on each chunk (to wait for a progress line). */
export interface SpawnOptions extends CliOptions {
    onStderr?: (stderrSoFar: string) => void;
}

/**
 * Starts `backplan ARGS…` with pipes. A run still going after `timeoutMs` is killed
 * (SIGTERM, as execFile would) and resolves with code null, so a hang fails its test, not the suite.
 */
export function spawnCli(args: readonly string[], options: SpawnOptions = {}): RunningCli {
    if (!process.env.BACKPLAN_TEST_CLI && !existsSync(path.join(REPO, 'packages/cli/dist/backplan.mjs'))) {
        throw new Error('packages/cli/dist/backplan.mjs is missing: build first (npm run build)');
    }
    const child = spawn(process.execPath, [CLI, ...args], {
        cwd: options.cwd ?? REPO, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe']
    }) as RunningCli;
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); options.onStderr?.(stderr); });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
    child.result = new Promise(resolve => {
        child.once('error', err => { clearTimeout(timer); resolve({ code: null, stdout, stderr: stderr + String(err) }); });
        child.once('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    });
    return child;
}

/** Runs `backplan ARGS…` and resolves with its exit code and output (killed after `timeoutMs`, default 20 s). */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
    return spawnCli(args, { ...options, timeoutMs: options.timeoutMs ?? 20_000 }).result;
}

/** Whether stderr shows a JavaScript stack trace or an internal error. */
export function hasStackTrace(stderr: string): boolean {
    return /^\s+at .+(:\d+:\d+\)?|native\))$/m.test(stderr) || /internal error|TypeError|ReferenceError|RangeError/.test(stderr);
}
