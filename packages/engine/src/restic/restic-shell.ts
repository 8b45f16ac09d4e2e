/**
 * What the restic module needs from a server's host: one shell command with its stdout
 * STREAMED (restic's `--json` output of a large snapshot is megabytes of lines, more than
 * `Host.run`'s 64 KiB tail of combined output), stderr apart, optional bytes on stdin,
 * and an abort that ends the command there.
 *
 *   start(cmd, {env, input, signal}) → /bin/sh -c cmd on the host, env added to its
 *                                      environment (values never spliced into cmd),
 *                                      input written to stdin then closed (no input:
 *                                      stdin empty), abort → the command is terminated
 *
 * `local-restic-shell.ts` runs on this machine, `ssh-restic-shell.ts` over a host's SSH
 * connection; `resticShellFor(host)` picks one for a `Host`. A `Host` method with this
 * shape would replace both.
 */
import type { Readable } from 'node:stream';

/** How to start one command. */
export interface ShellOptions {
    /** Extra environment variables (names must be valid shell names). */
    readonly env?: Readonly<Record<string, string>>;
    /** Bytes for the command's stdin, which is closed after them; none: stdin is empty. */
    readonly input?: Buffer | string;
    /** Terminates the command (its process group, on the host) when aborted. */
    readonly signal?: AbortSignal;
}

/** How a command ended. */
export interface ShellExit {
    /** Exit code, or null when killed by a signal (or when the host could not be reached). */
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    /** Set when the command never ran or its connection was lost (SSH): the one-line reason. */
    readonly hostFailure?: string;
}

/** A running command. */
export interface ShellProcess {
    /** The command's stdout, read by the caller (it ends when the command's output ends). */
    readonly stdout: Readable;
    /** The command's stderr; its last lines explain a failure. */
    readonly stderr: Readable;
    /** Settles when the command has exited and its output has been read to the end. */
    readonly exited: Promise<ShellExit>;
}

/** One server's host, as restic runs there. */
export interface ResticShell {
    /** `local` or `ssh://user@host:port`, for messages. */
    readonly label: string;
    start(command: string, options?: ShellOptions): ShellProcess;
}
