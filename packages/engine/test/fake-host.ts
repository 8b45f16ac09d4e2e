/**
 * THE fake host of the engine's unit tests: a real LocalHost underneath (real tar, real
 * files in a temp folder) with the runbook's commands answered by a script, every call
 * recorded in order, and the failures of a host (unreachable, no tar, no data folder,
 * slow) on request. End-to-end tests use real hosts (test/engine/lab.ts, real sshd).
 */
import type { Readable, Writable } from 'node:stream';
import type { CommandResult, CompressorCommand, Host, HostStream, RunOptions, TarOutOptions, ToolVersions } from '../src/hosts/host.js';
import { LocalHost } from '../src/hosts/local-host.js';
import { SshError } from '../src/hosts/ssh/ssh-errors.js';
import type { ManifestEntry } from '../src/archive/manifest.js';

/** How a scripted command ends: an exit code, a signal, or never (until aborted or timed out). */
export interface ScriptedResult {
    code?: number;
    output?: string;
    hang?: boolean;
}

/** Answers a command (undefined: run it for real with /bin/sh). */
export type CommandScript = (command: string, env: Readonly<Record<string, string>>) => ScriptedResult | undefined;

/** Failures of the host itself. */
export interface HostBehaviour {
    delayMs?: number;
    unreachable?: boolean;
    noTar?: boolean;
    noData?: boolean;
    /** Awaited before the host answers stat/checkTools (after `onReach`). */
    gate?: Promise<void>;
    onReach?: () => void;
    /** Every path exists as a folder (tests of plans whose data folders are not real). */
    pretendData?: boolean;
}

/** One recorded call. */
export interface HostCall {
    kind: 'run' | 'tarOut' | 'tarIn' | 'listFiles' | 'checkTools' | 'stat';
    command?: string;
    env?: Readonly<Record<string, string>>;
    action?: string;
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

export class FakeHost implements Host {
    readonly calls: HostCall[] = [];
    private readonly inner = new LocalHost();

    constructor(readonly label = 'local', private readonly script: CommandScript = () => undefined, private readonly behaviour: HostBehaviour = {}) {}

    /** The BACKPLAN_ACTION of every command run, in order (`stop`, `start`, `ready`, …). */
    get actions(): string[] {
        return this.calls.filter(c => c.kind === 'run' && c.action).map(c => c.action!);
    }

    private reached = false;

    private async reach(): Promise<void> {
        if (!this.reached) this.behaviour.onReach?.();
        this.reached = true;
        await this.behaviour.gate;
        await sleep(this.behaviour.delayMs ?? 0);
        if (this.behaviour.unreachable) {
            throw new SshError({ kind: 'connection-refused', beforeCommand: true, message: `${this.label}: connection refused by 10.0.0.9 port 22: no SSH server listens there` });
        }
    }

    async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
        const env = options.env ?? {};
        this.calls.push({ kind: 'run', command, env, action: env.BACKPLAN_ACTION });
        const scripted = this.script(command, env);
        if (!scripted) return this.inner.run(command, options);
        if (scripted.hang) return this.hang(options);
        const code = scripted.code ?? 0;
        return { code, output: scripted.output ?? '', timedOut: false, ok: code === 0, durationMs: 0 };
    }

    /** A command that never ends by itself: killed by the signal or the timeout. */
    private hang(options: RunOptions): Promise<CommandResult> {
        return new Promise(resolve => {
            const done = (timedOut: boolean): void => resolve({ signal: 'SIGTERM', output: '', timedOut, ok: false, durationMs: 0 });
            const timer = options.timeoutMs !== undefined ? setTimeout(() => done(true), options.timeoutMs) : undefined;
            options.signal?.addEventListener('abort', () => { clearTimeout(timer); done(false); }, { once: true });
        });
    }

    tarOut(folder: string, options?: TarOutOptions): HostStream<Readable> {
        this.calls.push({ kind: 'tarOut', command: folder });
        return this.inner.tarOut(folder, options);
    }

    compressedTarOut?(folder: string, compressor: CompressorCommand, options?: TarOutOptions): HostStream<Readable>;

    tarIn(folder: string, options?: { signal?: AbortSignal; members?: readonly string[] }): HostStream<Writable> {
        this.calls.push({ kind: 'tarIn', command: folder });
        return this.inner.tarIn(folder, options);
    }

    listFiles(folder: string, options?: { signal?: AbortSignal; hash?: boolean }): Promise<ManifestEntry[]> {
        this.calls.push({ kind: 'listFiles', command: folder });
        return this.inner.listFiles(folder, options);
    }

    async checkTools(): Promise<ToolVersions> {
        this.calls.push({ kind: 'checkTools' });
        await this.reach();
        return this.behaviour.noTar ? {} : this.inner.checkTools();
    }

    async stat(path: string): Promise<{ exists: boolean; isDirectory: boolean }> {
        this.calls.push({ kind: 'stat', command: path });
        await this.reach();
        if (this.behaviour.noData) return { exists: false, isDirectory: false };
        if (this.behaviour.pretendData) return { exists: true, isDirectory: true };
        return this.inner.stat(path);
    }
}
