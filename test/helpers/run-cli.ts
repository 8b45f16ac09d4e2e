/**
 * Runs the built `backplan` bin (node packages/cli/bin/backplan.js) as CI would: a child
 * process with pipes (not a TTY), without colour variables unless a test sets them, and a
 * timeout so that a hang fails the test instead of stalling the suite.
 */
import { execFile } from 'node:child_process';
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

/** Runs `backplan ARGS…` and resolves with its exit code and output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
    if (!process.env.BACKPLAN_TEST_CLI && !existsSync(path.join(REPO, 'packages/cli/dist/backplan.mjs'))) {
        throw new Error('packages/cli/dist/backplan.mjs is missing: build first (npm run build)');
    }
    return new Promise(resolve => {
        execFile(process.execPath, [CLI, ...args], {
            cwd: options.cwd ?? REPO,
            env: childEnv(options.env),
            timeout: options.timeoutMs ?? 20_000,
            maxBuffer: 64 * 1024 * 1024
        }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
            resolve({ code, stdout, stderr });
        });
    });
}

/** Whether stderr shows a JavaScript stack trace or an internal error. */
export function hasStackTrace(stderr: string): boolean {
    return /^\s+at .+(:\d+:\d+\)?|native\))$/m.test(stderr) || /internal error|TypeError|ReferenceError|RangeError/.test(stderr);
}
