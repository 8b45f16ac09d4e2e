/**
 * restic on this machine (`host local`).
 *
 *   start(cmd) → /bin/sh -c cmd, env = this process's environment + the given vars,
 *                stdin = the input (then closed) or nothing, stdout/stderr piped
 *   abort      → SIGINT (restic 0.14 removes its lock on SIGINT only; SIGTERM leaves
 *                it behind), SIGKILL 10 s later if it is still there
 *
 * restic stays in our process group, as tar does (child-process.ts: one session per
 * data-path process halves throughput under autogroup scheduling).
 */
import type { ChildProcess } from 'node:child_process';
import { spawnProcess } from '../hosts/child-process.js';
import type { ResticShell, ShellExit, ShellOptions, ShellProcess } from './restic-shell.js';

/** A ResticShell for `host local`. */
export class LocalResticShell implements ResticShell {
    readonly label = 'local';

    start(command: string, options: ShellOptions = {}): ShellProcess {
        const p = spawnProcess('/bin/sh', ['-c', command], {
            env: { ...process.env, ...options.env },
            stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
            group: false
        });
        const stopAbort = interruptOnAbort(p.child, options.signal);
        if (options.input !== undefined) {
            p.child.stdin!.on('error', () => undefined); // a command that exits early closes its stdin
            p.child.stdin!.end(options.input);
        }
        const closed = new Promise<void>(resolve => p.child.once('close', () => resolve()));
        const exited: Promise<ShellExit> = p.exited.then(
            async r => { await closed; return { code: r.code, signal: r.signal }; },
            (err: Error) => ({ code: null, signal: null, hostFailure: `/bin/sh could not be started: ${err.message}` }))
            .finally(stopAbort);
        return { stdout: p.child.stdout!, stderr: p.child.stderr!, exited };
    }
}

/** On abort: SIGINT, then SIGKILL after `graceMs`. Returns the function that stops listening. */
export function interruptOnAbort(child: ChildProcess, signal: AbortSignal | undefined, graceMs = 10_000): () => void {
    if (!signal) return () => undefined;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
        child.kill('SIGINT');
        timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        timer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => {
        signal.removeEventListener('abort', onAbort);
        clearTimeout(timer);
    };
}
