/**
 * The HOST INTERFACE: everything the engine does on a server goes through one `Host`.
 *
 *   run(cmd, env)      → /bin/sh -c cmd on the host, env vars passed as environment
 *                        (never spliced into the command text), output captured, timeout
 *   tarOut(folder)     → a readable POSIX-pax tar stream of the folder (host's `tar`)
 *   compressedTarOut   → the same, compressed on the host (network hosts only)
 *   tarIn(folder)      → a writable tar stream extracted into an existing folder
 *   listFiles(folder)  → every entry below the folder with its SHA-256 (manifest shape)
 *   checkTools()       → which of tar / zstd / gzip the host has, with versions
 *   stat(path)         → does a path exist, and is it a folder
 *
 * Streams are plain Node streams plus a `done` promise that settles when the process
 * behind them has exited: it rejects with a one-line reason when tar failed, even when
 * the stream itself ended cleanly. Aborting the given signal kills the process.
 * Interruption: nothing is left behind on the host by tarOut/listFiles/checkTools; tarIn
 * leaves whatever it had extracted so far (callers extract into a staging folder).
 *
 * `local-host.ts` is the first implementation; an SSH host implements the same interface
 * (remote `tar` out, local archive in) and is chosen by `open-host.ts`.
 */
import type { Readable, Writable } from 'node:stream';
import type { ManifestEntry } from '../archive/manifest.js';

/** Options of `Host.run`. */
export interface RunOptions {
    /** Extra environment variables for the command (the command text is never altered). */
    readonly env?: Readonly<Record<string, string>>;
    /** Kill the command (its whole process group) after this many milliseconds. */
    readonly timeoutMs?: number;
    /** Kill the command when aborted. */
    readonly signal?: AbortSignal;
}

/** What a command did. */
export interface CommandResult {
    /** Exit code, or undefined when killed by a signal. */
    readonly code?: number;
    readonly signal?: string;
    /** Combined stdout and stderr (the last 64 KiB). */
    readonly output: string;
    readonly timedOut: boolean;
    readonly ok: boolean;
    readonly durationMs: number;
    /** True when the command cannot have started (no shell could be spawned, ssh never connected). */
    readonly notRun?: boolean;
}

/** How long a server's stop and start may take: its runbook `timeout`, else the run's default. */
export function commandTimeoutMs(server: { timeoutMs?: number }, fallbackMs: number): number {
    return server.timeoutMs ?? fallbackMs;
}

/** A one-line reason for a failed command ("stop exited with code 3", "… could not be run: …"). */
export function commandFailure(what: string, r: CommandResult, timeoutMs: number): string {
    if (r.timedOut) return `${what} did not finish within ${Math.round(timeoutMs / 1000)} s and was killed`;
    if (r.code === undefined && r.signal === undefined) return `${what} could not be run: ${r.output}`;
    return `${what} ${r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`}`;
}

/** Options of `Host.tarOut`. */
export interface TarOutOptions {
    readonly signal?: AbortSignal;
    /** The server's `exclude` patterns (tar-options.ts). */
    readonly exclude?: readonly string[];
}

/** A stream backed by a process on the host. */
export interface HostStream<S extends Readable | Writable> {
    readonly stream: S;
    /** Settles when the process has exited; rejects (with a one-line message) on failure. */
    readonly done: Promise<void>;
}

/** Versions of the tools the engine needs (undefined: missing). */
export interface ToolVersions {
    tar?: string;
    zstd?: string;
    gzip?: string;
    /** Whether `tar` accepts `--xattrs` and `--acls` (GNU tar built with them). */
    tarXattrs?: boolean;
    tarAcls?: boolean;
    /** The user id commands run as there (0: root, who can give files their owners back). */
    uid?: number;
    /** What a restore onto the host needs and it lacks (GNU find -printf, stat -c, mv -T, sha256sum). */
    restoreMissing?: string[];
}

/** A compressor command line (`zstd -1 -T0 -q -c`), run where the host says. */
export interface CompressorCommand {
    readonly command: string;
    readonly args: readonly string[];
}

/** One server's machine as the engine sees it. */
export interface Host {
    /** `local`, or the ssh URL: used in messages. */
    readonly label: string;
    run(command: string, options?: RunOptions): Promise<CommandResult>;
    tarOut(folder: string, options?: TarOutOptions): HostStream<Readable>;
    /**
     * The folder as a compressed tar stream made on the host (`tar | compressor` there), so
     * the network carries compressed bytes. Only hosts across a network offer it (SSH);
     * the caller checks first that the host has the compressor (checkTools).
     */
    compressedTarOut?(folder: string, compressor: CompressorCommand, options?: TarOutOptions): HostStream<Readable>;
    /** `members`: extract only these archive paths (`./People`) and what is below them. */
    tarIn(folder: string, options?: { signal?: AbortSignal; members?: readonly string[] }): HostStream<Writable>;
    /** `hash: false` asks for metadata only (no SHA-256); a host may hash anyway. */
    listFiles(folder: string, options?: { signal?: AbortSignal; hash?: boolean }): Promise<ManifestEntry[]>;
    checkTools(): Promise<ToolVersions>;
    stat(path: string): Promise<{ exists: boolean; isDirectory: boolean }>;
}
