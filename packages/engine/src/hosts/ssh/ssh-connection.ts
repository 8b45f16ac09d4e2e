/**
 * One multiplexed OpenSSH connection per host per run.
 *
 *   connect()  → `ssh … -o ControlMaster=auto -o ControlPersist=… DEST true` starts the
 *                master (it detaches into its own session, so killing one command's
 *                process group never takes the connection down) and proves the host is
 *                reachable, the key is known and accepted.
 *   spawn(cmd) → `ssh … DEST CMD` reuses the master through ControlPath; when the master
 *                is gone (sshd restarted, network cut), ControlMaster=auto makes the next
 *                call a new master: that is reconnection.
 *   close()    → `ssh -O exit`; the socket folder is the caller's (runner's temp dir).
 *
 * Every call: the system `ssh` (so ~/.ssh/config, agents, ProxyJump and known_hosts work),
 * `-F FILE` when a config file is given (--ssh-config / BACKPLAN_SSH_CONFIG), BatchMode=yes
 * (never a prompt: a password or passphrase question fails instead), ConnectTimeout and
 * ServerAlive so an unreachable or silent host fails in seconds. Host key checking is left
 * to the admin's config (default: ask, which BatchMode turns into a refusal of unknown
 * keys); Backplan never passes StrictHostKeyChecking=no.
 */
import { ToolExitError } from '../tool-exit-error.js';
import { chmodSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SpawnOptions } from 'node:child_process';
import { outputClosedWithin, spawnProcess, type Spawned } from '../child-process.js';
import { SshError, classifySshFailure, type SshTargetInfo } from './ssh-errors.js';

/** Where to connect, as parsed from `ssh://[user@]host[:port]`. */
export interface SshTarget {
    readonly user?: string;
    readonly hostname: string;
    readonly port: number;
}

/** How to connect; shared by every host of one run. */
export interface SshOptions {
    /** `-F FILE` for every ssh call (--ssh-config / BACKPLAN_SSH_CONFIG). */
    readonly configFile?: string;
    /** Private (0700) folder for control sockets; made on demand under the temp dir when absent. */
    readonly controlDir?: string;
    /** The `ssh` program (default `ssh` from PATH). */
    readonly sshPath?: string;
    /** Seconds to wait for TCP connect and the SSH banner (default 10). */
    readonly connectTimeoutSec?: number;
    /** ServerAliveInterval seconds (default 10; the link is declared dead after 3 misses). */
    readonly serverAliveIntervalSec?: number;
    /** How long the master outlives its last session (default 300 s); close() ends it sooner. */
    readonly controlPersistSec?: number;
    /** Reconnection after a lost connection: attempts and backoff (default 8 attempts, 500 ms doubling to 8 s: about 30 s). */
    readonly retry?: RetryPolicy;
}

export interface RetryPolicy {
    readonly attempts: number;
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, initialDelayMs: 500, maxDelayMs: 8000 };

/** The ssh config file from the flag, else from BACKPLAN_SSH_CONFIG. */
export function resolveSshConfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const file = flag ?? (env.BACKPLAN_SSH_CONFIG || undefined);
    return file === undefined ? undefined : path.resolve(file);
}

/**
 * How a target is shown and journaled: `ssh://[user@]host:port`, the port always written,
 * the same text as open-host.ts's hostLabel (recovery opens a host from it).
 */
export function targetLabel(t: SshTarget): string {
    return `ssh://${t.user ? t.user + '@' : ''}${t.hostname}:${t.port}`;
}

/**
 * Makes a private folder for control sockets. Socket paths are limited to ~104 bytes, so a
 * long base path falls back to a fresh folder under the system temp dir.
 */
export function makeControlDir(base?: string): string {
    let dir: string;
    if (base !== undefined && path.join(base, 'ssh', 'h000.XXXXXXXXXXXXXXXX').length < 100) {
        dir = path.join(base, 'ssh');
        mkdirSync(dir, { recursive: true, mode: 0o700 });
    } else {
        dir = mkdtempSync(path.join(tmpdir(), 'bp-ssh-'));
    }
    chmodSync(dir, 0o700);
    const st = statSync(dir);
    if ((st.mode & 0o077) !== 0 || (typeof process.getuid === 'function' && st.uid !== process.getuid())) {
        throw new Error(`control socket folder ${dir} is not private (mode ${(st.mode & 0o777).toString(8)})`);
    }
    return dir;
}

let socketCounter = 0;


/** The result of a captured ssh run. */
export interface ExecResult {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stdout: Buffer;
    readonly stderr: string;
}

export class SshConnection {
    readonly label: string;
    readonly controlPath: string;
    private readonly info: SshTargetInfo;
    private connected = false;

    constructor(readonly target: SshTarget, readonly options: SshOptions = {}) {
        this.label = targetLabel(target);
        this.info = { label: this.label, hostname: target.hostname, port: target.port };
        const dir = options.controlDir ?? makeControlDir();
        this.controlPath = path.join(dir, `h${(socketCounter++).toString().padStart(3, '0')}.${process.pid.toString(36)}`);
    }

    /** ssh options common to every call (before the destination). */
    baseArgs(): string[] {
        const o = this.options;
        const args: string[] = [];
        if (o.configFile !== undefined) args.push('-F', o.configFile);
        // -p only for an explicit non-default port: `ssh://alias` keeps the config's Port.
        if (this.target.port !== 22) args.push('-p', String(this.target.port));
        if (this.target.user !== undefined) args.push('-l', this.target.user);
        args.push(
            '-o', 'BatchMode=yes',
            '-o', `ConnectTimeout=${o.connectTimeoutSec ?? 10}`,
            '-o', `ServerAliveInterval=${o.serverAliveIntervalSec ?? 10}`,
            '-o', 'ServerAliveCountMax=3',
            '-o', 'ControlMaster=auto',
            '-o', `ControlPath=${this.controlPath}`,
            '-o', `ControlPersist=${o.controlPersistSec ?? 300}`,
            '-o', 'ForwardAgent=no', '-o', 'ForwardX11=no', '-o', 'ClearAllForwardings=yes',
            '-o', 'RequestTTY=no',
            '-o', 'LogLevel=ERROR');
        return args;
    }

    /** Full argv for running a remote command line (already quoted for the remote shell). */
    commandArgs(remoteCommand: string): string[] {
        return [...this.baseArgs(), '-T', '--', this.target.hostname, remoteCommand];
    }

    /** Spawns `ssh DEST CMD` in its own process group (see child-process.ts). */
    spawn(remoteCommand: string, options: SpawnOptions & { signal?: AbortSignal } = {}): Spawned {
        return spawnProcess(this.options.sshPath ?? 'ssh', this.commandArgs(remoteCommand), options);
    }

    /** Runs a remote command to completion, capturing stdout (all) and stderr (tail). */
    async exec(remoteCommand: string, options: { signal?: AbortSignal; input?: Buffer | string } = {}): Promise<ExecResult> {
        const p = this.spawn(remoteCommand, {
            stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], signal: options.signal
        });
        const chunks: Buffer[] = [];
        p.child.stdout!.on('data', (c: Buffer) => chunks.push(c));
        if (options.input !== undefined) {
            p.child.stdin!.on('error', () => undefined);
            p.child.stdin!.end(options.input);
        }
        const closed = new Promise<void>(resolve => p.child.once('close', () => resolve()));
        const r = await p.exited.catch((err: Error) => {
            throw new Error(`${this.label}: the OpenSSH client could not be started (${err.message}): install openssh-client`);
        });
        await outputClosedWithin(closed, 1000);
        return { code: r.code, signal: r.signal, stdout: Buffer.concat(chunks), stderr: p.stderr.text() };
    }

    /**
     * Runs a remote command that must succeed; throws an SshError (ssh failed) or an Error
     * naming `what` (the command failed). Returns stdout.
     */
    async execOk(what: string, remoteCommand: string, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
        const r = await this.exec(remoteCommand, options);
        if (r.code === 0) return r.stdout;
        throw this.failure(what, r, r.stderr);
    }

    /** The error for a failed ssh run: SshError when ssh itself failed. */
    failure(what: string, r: { code: number | null; signal: NodeJS.Signals | null }, stderr: string): Error {
        if (r.code === 255 || r.code === null) {
            // A multiplexed session whose connection died exits 255 without a word.
            const f = classifySshFailure(stderr, this.info)
                ?? (r.code === 255 && stderr.trim() === ''
                    ? { kind: 'connection-lost' as const, beforeCommand: false,
                        message: `${this.label}: the SSH connection was lost (ssh exited 255 without a message)` }
                    : undefined);
            if (f) {
                if (f.beforeCommand || f.kind === 'connection-lost') this.connected = false;
                return new SshError(f);
            }
        }
        return new ToolExitError(what, r, stderr, this.label);
    }

    /** Opens (or checks) the master connection: reachable, key known and accepted. */
    async connect(options: { signal?: AbortSignal } = {}): Promise<void> {
        await this.execOk('ssh', 'exit 0', options);
        this.connected = true;
    }

    /** Whether the last known state is connected (a lost connection resets it). */
    get isConnected(): boolean {
        return this.connected;
    }

    /** Ends the master (`ssh -O exit`); harmless when none runs. */
    async close(): Promise<void> {
        this.connected = false;
        const p = spawnProcess(this.options.sshPath ?? 'ssh',
            [...(this.options.configFile !== undefined ? ['-F', this.options.configFile] : []),
                '-o', `ControlPath=${this.controlPath}`, '-O', 'exit', '--', this.target.hostname],
            { stdio: ['ignore', 'ignore', 'pipe'] });
        await p.exited.catch(() => undefined);
    }

    /** Whether a master is running for this host (`ssh -O check`). */
    async masterRunning(): Promise<boolean> {
        const p = spawnProcess(this.options.sshPath ?? 'ssh',
            [...(this.options.configFile !== undefined ? ['-F', this.options.configFile] : []),
                '-o', `ControlPath=${this.controlPath}`, '-O', 'check', '--', this.target.hostname],
            { stdio: ['ignore', 'ignore', 'pipe'] });
        const r = await p.exited.catch(() => ({ code: 1 }));
        return r.code === 0;
    }
}

/** Network failures that may heal (not: unknown host key, wrong key, bad config). */
export function isRetryable(err: unknown): boolean {
    if (!(err instanceof SshError)) return false;
    return ['connection-refused', 'no-route', 'timeout', 'connection-lost', 'dns'].includes(err.failure.kind);
}

