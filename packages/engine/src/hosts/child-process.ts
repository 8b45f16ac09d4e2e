/**
 * Child processes for hosts and compressors: one place that spawns, captures the tail of
 * stderr, turns an exit into a settled promise, and kills a whole process group on abort
 * or timeout.
 *
 *   spawn detached (own process group: a Ctrl-C on the terminal reaches us, not the
 *   runbook's commands; we decide what to kill) → on abort/timeout kill(-pgid, SIGTERM),
 *   then SIGKILL after a grace period → settle on 'exit' (not 'close': a command that
 *   starts a daemon may leave our pipes open in its child).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const TAIL = 64 * 1024;

/** Keeps the last 64 KiB written to it (all of them: a chunk goes only when the rest still fill the tail). */
export class OutputTail {
    private chunks: Buffer[] = [];
    private size = 0;
    push(chunk: Buffer): void {
        this.chunks.push(chunk);
        this.size += chunk.length;
        while (this.chunks.length > 1 && this.size - this.chunks[0].length >= TAIL) this.size -= this.chunks.shift()!.length;
    }
    text(): string {
        const all = Buffer.concat(this.chunks);
        return all.subarray(Math.max(0, all.length - TAIL)).toString('utf8');
    }
}

/** Kills a detached child's whole process group (falls back to the child alone). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
        process.kill(-child.pid, signal);
    } catch {
        try { child.kill(signal); } catch { /* already gone */ }
    }
}

/** Kills with SIGTERM, then SIGKILL after `graceMs` if the group is still there. */
function terminate(child: ChildProcess, graceMs: number): void {
    killGroup(child, 'SIGTERM');
    setTimeout(() => killGroup(child, 'SIGKILL'), graceMs).unref();
}

/**
 * A runbook command's time limit: after `ms` its process group is terminated (TERM, then
 * KILL 5 s later) and `onTimeout` called. Returns the function that cancels the limit.
 */
export function limitTime(child: ChildProcess, ms: number | undefined, onTimeout: () => void): () => void {
    if (ms === undefined) return () => undefined;
    const timer = setTimeout(() => {
        onTimeout();
        terminate(child, 5000);
    }, ms);
    return () => clearTimeout(timer);
}

/**
 * Waits for a process's output to close, at most `ms` after it exited: a command that
 * starts a daemon may leave our pipes open in that daemon for ever.
 */
export async function outputClosedWithin(closed: Promise<void>, ms: number): Promise<void> {
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>(resolve => { grace = setTimeout(resolve, ms); })]);
    clearTimeout(grace);
}

/** A spawned process with a promise of its exit. */
export interface Spawned {
    readonly child: ChildProcess;
    readonly stderr: OutputTail;
    /** Resolves with the exit code (or signal) once the process has exited. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns a program (no shell); `signal` kills it. By default in its own session and
 * process group (runbook commands: a Ctrl-C on the terminal must not reach them, and a
 * kill reaches everything they started). `group: false` keeps it in ours: data-path
 * processes (tar, zstd), because with the kernel's autogroup scheduling every
 * session is a separate CPU share, and a pipeline split over five sessions ran at half
 * the speed of the same pipeline in one.
 */
export function spawnProcess(file: string, args: readonly string[], options: SpawnOptions & { signal?: AbortSignal; group?: boolean } = {}): Spawned {
    const { signal, group, ...rest } = options;
    const child = spawn(file, args, { ...rest, detached: group ?? true });
    const stderr = new OutputTail();
    child.stderr?.on('data', (c: Buffer) => stderr.push(c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
        child.once('error', err => reject(err));
        child.once('exit', (code, sig) => resolve({ code, signal: sig }));
    });
    exited.catch(() => undefined);
    if (signal) {
        const onAbort = (): void => terminate(child, 2000);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
        void exited.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => undefined);
    }
    return { child, stderr, exited };
}

/** Runs a program to completion and returns its stdout (for version probes). */
export async function captureOutput(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string | undefined> {
    try {
        const p = spawnProcess(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
        const out = new OutputTail();
        p.child.stdout!.on('data', (c: Buffer) => out.push(c));
        // 'close', not 'exit': the output may still be in the pipe when the process exits.
        const closed = new Promise<void>(resolve => p.child.once('close', () => resolve()));
        const r = await p.exited;
        await closed;
        return r.code === 0 ? out.text() + p.stderr.text() : undefined;
    } catch {
        return undefined;
    }
}
