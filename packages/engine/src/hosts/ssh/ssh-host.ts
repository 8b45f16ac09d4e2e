/**
 * `host "ssh://user@host:port"`: the Host interface over the system OpenSSH client.
 *
 *   run      → ssh DEST 'env K=V setsid /bin/sh -c CMD' (wrapped: remote-scripts.ts)
 *   tarOut   → ssh DEST 'tar --create … --directory=DIR .'   (ssh's stdout is the stream)
 *   compressedTarOut → ssh DEST 'tar --create … | zstd -1 -T0 -q -c' (tar's status kept)
 *   tarIn    → ssh DEST 'tar --extract … --directory=DIR'    (ssh's stdin is the stream)
 *   listFiles→ ssh DEST 'cd DIR; find -printf …; find -type f -exec sha256sum -z'
 *   checkTools / stat → one short remote script each
 *
 * All calls share one multiplexed connection (ssh-connection.ts). Once a host has been
 * reached in this run, a command that cannot connect (sshd restarting, network back in a
 * moment) is retried with backoff; that is how the runner gets an application started
 * again after the connection dropped mid-stream. A host never reached fails at once.
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { ManifestEntry } from '../../archive/manifest.js';
import { OutputTail, limitTime, outputClosedWithin } from '../child-process.js';
import type { CommandResult, CompressorCommand, Host, HostStream, RunOptions, TarOutOptions, ToolVersions } from '../host.js';
import { tarCreateArgs, tarExtractArgs } from '../tar-options.js';
import { TOOLS_SCRIPT, listScript, parseListing, parseTools, runScript, splitRunTrailer, statScript, tarCompressScript, tarExtractScript, tarScript } from './remote-scripts.js';
import { DEFAULT_RETRY, SshConnection, isRetryable, type SshOptions, type SshTarget } from './ssh-connection.js';
import { SshError } from './ssh-errors.js';

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

export interface SshHostOptions extends SshOptions {
    /** Called before each reconnection attempt (progress output). */
    readonly onRetry?: (label: string, attempt: number, delayMs: number, reason: string) => void;
}

export class SshHost implements Host {
    readonly label: string;
    readonly connection: SshConnection;
    private tools: ToolVersions | undefined;
    private reached = false;

    constructor(target: SshTarget, private readonly options: SshHostOptions = {}) {
        this.connection = new SshConnection(target, options);
        this.label = this.connection.label;
    }

    /**
     * Runs `attempt` again with backoff while it fails to connect, but only once this host
     * has been reached in this run (an unreachable host fails fast in pre-flight).
     */
    private async withReconnect<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
        const policy = this.options.retry ?? DEFAULT_RETRY;
        let delay = policy.initialDelayMs;
        for (let n = 1; ; n++) {
            try {
                const r = await attempt();
                this.reached = true;
                return r;
            } catch (err) {
                const connectFailure = err instanceof SshError && err.failure.beforeCommand && isRetryable(err);
                if (!connectFailure || !this.reached || n >= policy.attempts || signal?.aborted) throw err;
                this.options.onRetry?.(this.label, n, delay, (err as Error).message);
                await sleep(delay);
                delay = Math.min(delay * 2, policy.maxDelayMs);
            }
        }
    }

    /** Opens the connection (pre-flight: reachable, host key known, key accepted). */
    async connect(signal?: AbortSignal): Promise<void> {
        await this.withReconnect(() => this.connection.connect({ signal }), signal);
    }

    async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
        const started = Date.now();
        let script: string;
        try {
            script = runScript(command, options.env);
        } catch (err) {
            return { output: (err as Error).message, timedOut: false, ok: false, durationMs: 0, notRun: true };
        }
        let timedOut = false;
        const once = async (): Promise<CommandResult> => {
            const output = new OutputTail();
            // stdin stays open (never written): the remote watcher sees it end with the session.
            const p = this.connection.spawn(script, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
            p.child.stdin!.on('error', () => undefined);
            p.child.stdout!.on('data', (c: Buffer) => output.push(c));
            // 'close' often comes in the same tick as 'exit': listen before awaiting.
            const closed = new Promise<void>(resolve => p.child.once('close', () => resolve()));
            const cancelLimit = limitTime(p.child, options.timeoutMs, () => { timedOut = true; });
            let r: { code: number | null; signal: NodeJS.Signals | null };
            try {
                r = await p.exited;
            } catch (err) {
                return { output: `${this.label}: the OpenSSH client could not be started (${(err as Error).message}): install openssh-client`, timedOut: false, ok: false, durationMs: Date.now() - started, notRun: true };
            } finally {
                cancelLimit();
                p.child.stdin!.destroy();
            }
            await outputClosedWithin(closed, 500);
            const { stderr, reported } = splitRunTrailer(p.stderr.text());
            if (reported === undefined && (r.code === 255 || r.code === null) && !timedOut && !options.signal?.aborted) {
                // No trailer: the wrapper never finished; ssh failed or the session dropped.
                const err = this.connection.failure('command', r, stderr);
                if (err instanceof SshError) throw err;
            }
            return {
                code: r.code ?? undefined,
                signal: r.signal ?? undefined,
                output: output.text() + (stderr && r.code !== 0 ? stderr : ''),
                timedOut,
                ok: r.code === 0 && !timedOut,
                durationMs: Date.now() - started
            };
        };
        try {
            return await this.withReconnect(once, options.signal);
        } catch (err) {
            // ssh itself failed: no exit code of the command to report (engine: "could not be run: …").
            const notRun = err instanceof SshError && err.failure.beforeCommand;
            return { output: (err as Error).message, timedOut, ok: false, durationMs: Date.now() - started, notRun };
        }
    }

    tarOut(folder: string, options: TarOutOptions = {}): HostStream<Readable> {
        return this.streamOut(tarScript(tarCreateArgs(folder, this.tools ?? {}, options.exclude)), options.signal);
    }

    /** `tar | zstd` on the remote side: about half the bytes cross the network (and its ciphers). */
    compressedTarOut(folder: string, compressor: CompressorCommand, options: TarOutOptions = {}): HostStream<Readable> {
        return this.streamOut(tarCompressScript(tarCreateArgs(folder, this.tools ?? {}, options.exclude), compressor), options.signal, `tar | ${compressor.command}`);
    }

    private streamOut(script: string, signal: AbortSignal | undefined, what = 'tar'): HostStream<Readable> {
        const p = this.connection.spawn(script, { stdio: ['ignore', 'pipe', 'pipe'], signal });
        const done = this.settle(what, p);
        // A dropped connection looks like a clean end of stdout. Hold the end back until ssh
        // has exited: 0 ends the stream, anything else errors it, so no consumer can take
        // a truncated stream for a whole one (and commit it).
        const stream = new PassThrough({ highWaterMark: 1 << 20 });
        const stdout = p.child.stdout!;
        stdout.pipe(stream, { end: false });
        stdout.once('end', () => { done.then(() => stream.end(), (err: Error) => stream.destroy(err)); });
        stdout.once('error', err => stream.destroy(err));
        return { stream, done };
    }

    tarIn(folder: string, options: { signal?: AbortSignal; members?: readonly string[] } = {}): HostStream<Writable> {
        const p = this.connection.spawn(tarExtractScript(tarExtractArgs(folder, this.tools ?? {}, options.members)), {
            stdio: ['pipe', 'ignore', 'pipe'], signal: options.signal
        });
        return { stream: p.child.stdin!, done: this.settle('tar', p) };
    }

    private settle(what: string, p: ReturnType<SshConnection['spawn']>): Promise<void> {
        const done = p.exited.then(r => {
            if (r.code !== 0) {
                const err = this.connection.failure(what, r, p.stderr.text());
                // Name the tool first ("tar from ssh://…: the SSH connection was lost"): the
                // archive writer reports a tool's own failure before the ones it caused.
                if (err instanceof SshError) {
                    const detail = err.message.startsWith(`${this.label}: `) ? err.message.slice(this.label.length + 2) : err.message;
                    throw new SshError({ ...err.failure, message: `${what} from ${this.label}: ${detail}` }, what);
                }
                throw err;
            }
            this.reached = true;
        }, (err: Error) => { throw new Error(`${what} from ${this.label}: the OpenSSH client could not be started (${err.message}): install openssh-client`); });
        done.catch(() => undefined);
        return done;
    }

    async listFiles(folder: string, options: { signal?: AbortSignal; hash?: boolean } = {}): Promise<ManifestEntry[]> {
        const out = await this.withReconnect(() => this.connection.execOk('listing files', listScript(folder, options.hash !== false), options), options.signal);
        return parseListing(out);
    }

    /** Probed once per run (a host's tools do not change under a run), as LocalHost does. */
    async checkTools(): Promise<ToolVersions> {
        if (this.tools) return this.tools;
        const out = await this.withReconnect(() => this.connection.execOk('tool check', TOOLS_SCRIPT));
        this.tools = parseTools(out);
        return this.tools;
    }

    async stat(p: string): Promise<{ exists: boolean; isDirectory: boolean }> {
        const out = (await this.withReconnect(() => this.connection.execOk('stat', statScript(p)))).toString().trim().split('\n').pop();
        return { exists: out === 'd' || out === 'f', isDirectory: out === 'd' };
    }

    /** Ends the multiplexed connection. */
    async close(): Promise<void> {
        await this.connection.close();
    }
}
