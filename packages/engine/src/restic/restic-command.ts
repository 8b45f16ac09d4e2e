/**
 * One restic command on one host: the command line, its environment, its output, its
 * failure.
 *
 *   line  = exec restic [-o OPTION]… SUBCOMMAND ARGS…     every word shell-quoted; `exec`
 *                                                         so signals reach restic itself
 *   env   = RESTIC_REPOSITORY=REPO RESTIC_PASSWORD_FILE=FILE (+ the target's extra env);
 *           RESTIC_PASSWORD_COMMAND and RESTIC_REPOSITORY_FILE emptied, so a login's own
 *           settings cannot clash with them. The password itself is never in argv or env.
 *   run   → stdout handed to the caller's reader while stderr's tail is kept;
 *           exit 0 (or an accepted code) → the reader's result;
 *           otherwise ResticError (restic-error.ts) with the exit and the last lines.
 * A time limit aborts the command like the caller's signal does (SIGINT first, so restic
 * removes its lock).
 */
import type { Readable } from 'node:stream';
import { OutputTail } from '../hosts/child-process.js';
import { shCommand } from '../hosts/ssh/remote-quote.js';
import { ResticError, resticFailure } from './restic-error.js';
import type { ResticShell } from './restic-shell.js';

/** One repository as restic reaches it. */
export interface ResticTarget {
    /** The repository string (the tape's `restic`). */
    readonly repository: string;
    /** The tape's `password-file`: a path on the host that runs restic. */
    readonly passwordFile: string;
    /** More environment for restic there: backend credentials, RESTIC_CACHE_DIR, PATH. */
    readonly env?: Readonly<Record<string, string>>;
    /** Extended options, each passed as `-o KEY=VALUE` (e.g. `sftp.command=…`, see sftp-command.ts). */
    readonly options?: readonly string[];
}

/** How to run one command. */
export interface ResticRunOptions {
    /** Bytes for restic's stdin (`backup --stdin`). */
    readonly input?: Buffer | string;
    readonly signal?: AbortSignal;
    /** Stop the command after this long (it then fails with kind `timeout`). */
    readonly timeoutMs?: number;
    /** Exit codes that are not failures (`backup` exits 3 when it saved a snapshot of what it could read). */
    readonly acceptCodes?: readonly number[];
}

/** What a command gave: the reader's result and restic's exit code. */
export interface ResticRun<T> {
    readonly value: T;
    readonly exitCode: number;
    /** restic's last stderr text (warnings of a successful run). */
    readonly stderr: string;
}

/** Reads restic's stdout to its end. */
export type StdoutReader<T> = (stdout: Readable) => Promise<T>;

/** The shell command line for `restic ARGS` on the target (quoted; no secret in it). */
export function resticCommandLine(target: ResticTarget, args: readonly string[]): string {
    return `exec ${shCommand(['restic', ...(target.options ?? []).flatMap(o => ['-o', o]), ...args])}`;
}

/** restic's environment for the target: where the repository is and where its password lies. */
export function resticEnv(target: ResticTarget): Record<string, string> {
    return {
        ...target.env,
        RESTIC_REPOSITORY: target.repository,
        RESTIC_PASSWORD_FILE: target.passwordFile,
        RESTIC_PASSWORD_COMMAND: '',
        RESTIC_REPOSITORY_FILE: ''
    };
}

/** Collects stdout as text, up to `limit` bytes (more is an `output` failure, not a crash). */
export function readText(limit = 256 * 1024 * 1024): StdoutReader<string> {
    return async stdout => {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of stdout) {
            size += (chunk as Buffer).length;
            if (size > limit) throw new Error(`more than ${limit} bytes of output`);
            chunks.push(chunk as Buffer);
        }
        return Buffer.concat(chunks).toString('utf8');
    };
}

/** Runs `restic ARGS` on the shell's host; rejects with ResticError when it fails. */
export async function runRestic<T>(shell: ResticShell, target: ResticTarget, args: readonly string[],
    read: StdoutReader<T>, options: ResticRunOptions = {}): Promise<ResticRun<T>> {
    const command = args.find(a => !a.startsWith('-')) ?? 'restic';
    const limit = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signals = [options.signal, limit].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const p = shell.start(resticCommandLine(target, args), { env: resticEnv(target), input: options.input, signal });
    const stderr = new OutputTail();
    p.stderr.on('data', (c: Buffer) => stderr.push(c));
    const reading = read(p.stdout).then(value => ({ value }), (err: Error) => {
        p.stdout.resume(); // drain the rest: restic must not block on a full pipe
        return { error: err };
    });
    const [exit, result] = await Promise.all([p.exited, reading]);
    if (exit.hostFailure !== undefined) {
        throw new ResticError({ kind: 'host', command, host: shell.label, stderrTail: [], message: `restic ${command} could not run on ${shell.label}: ${exit.hostFailure}` });
    }
    const ok = exit.code === 0 || (exit.code !== null && (options.acceptCodes ?? []).includes(exit.code));
    if (!ok) throw resticFailure(command, shell.label, exit, stderr.text(), limit?.aborted === true);
    if ('error' in result) {
        throw new ResticError({ kind: 'output', command, host: shell.label, exitCode: exit.code!, stderrTail: [],
            message: `restic ${command} on ${shell.label} gave output Backplan cannot read: ${result.error.message}` });
    }
    return { value: result.value, exitCode: exit.code!, stderr: stderr.text() };
}
