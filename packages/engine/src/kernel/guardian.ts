/**
 * The guardian (DESIGN §8): a process a run starts before its first stop, which outlives
 * the runner and, if the runner dies without starting what it stopped (SIGKILL, the OOM
 * killer, a crash), starts it again and closes the run, as `repair` does.
 *
 *   runner, session begin (run-session.ts): spawn ARGV --run ID
 *       detached: its own session, so a Ctrl-C or a kill of the runner's process group
 *                 does not reach it;
 *       stdin:    a pipe whose write end only the runner holds (close-on-exec: no command
 *                 the runner starts inherits it);
 *       stdout, stderr: appended to the state folder's guardian.log; unref'd: it never
 *                 keeps the runner alive
 *   runner, session end: run-end journalled → "end\n" on the pipe → close it
 *   guardian: read stdin until "end" (→ exit) or end of file. The kernel closes a dying
 *       process's files whatever killed it, so EOF without "end" means the runner is gone:
 *       at once, and with no pid that could be reused meanwhile (polling kill(pid, 0)
 *       every second would be slower, and fooled by a zombie or a reused pid).
 *       EOF: this run has its run-end in the journal → exit (it died after ending)
 *            else the caller's recovery of this run only (journal/recovery.ts `only`,
 *            `by: guardian`): swaps, applications started with the runbook's current
 *            start, staging removed, the run closed as interrupted
 *
 * It takes no tape lock. Recovery is serialised per journal (journal/recovery-lock.ts), so
 * a command that starts at the same moment either finds the work done or does it first.
 * What it cannot cover: the runner's machine going down (the guardian goes with it; the
 * next command, or `repair` at boot, starts what was left stopped).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { Journal } from '../journal/journal.js';
import type { RecoveryResult } from '../journal/recovery.js';
import { makeDirs } from '../tape/make-dirs.js';

/** How to start a run's guardian: the program and its arguments (the session adds `--run ID`), and its log. */
export interface GuardianLaunch {
    readonly argv: readonly string[];
    /** The file its output is appended to. */
    readonly log: string;
}

/** The runner's end of a started guardian. */
export interface GuardianHandle {
    readonly pid: number;
    /** Tells the guardian the run ended normally: it exits without doing anything. */
    release(): void;
}

/** What the runner writes before it closes the pipe when the run ended normally. */
const ENDED = 'end\n';

/**
 * Starts a run's guardian (runner side). Never throws: a guardian that cannot be started
 * is a warning, and the run goes on (the next command or `repair` recovers a killed run).
 */
export async function startGuardian(launch: GuardianLaunch, runId: string, warn: (m: string) => void): Promise<GuardianHandle | undefined> {
    let child: ChildProcess;
    try {
        await makeDirs(path.dirname(launch.log));
        const out = openSync(launch.log, 'a', 0o644);
        try {
            child = spawn(launch.argv[0], [...launch.argv.slice(1), '--run', runId], { detached: true, stdio: ['pipe', out, out] });
        } finally {
            closeSync(out);
        }
    } catch (err) {
        warn(`warning: the guardian could not be started (${(err as Error).message}); if this run is killed, \`backplan repair\` or the next command starts what it stopped`);
        return undefined;
    }
    const stdin = child.stdin!;
    // The guardian may exit first (it could not start): writing to it then must not kill the runner.
    stdin.on('error', () => undefined);
    child.once('error', err => warn(`warning: the guardian could not be started (${err.message}); if this run is killed, \`backplan repair\` or the next command starts what it stopped`));
    if (child.pid === undefined) return undefined;
    child.unref();
    (stdin as unknown as { unref?: () => void }).unref?.();
    return {
        pid: child.pid,
        release: () => { stdin.end(ENDED); }
    };
}

/** How the runner went: it ended its run normally, or it is gone without saying so. */
export type RunnerExit = 'ended' | 'gone';

/** Guardian side: waits on its stdin (the runner's pipe) for "end" or end of file. */
export function waitForRunner(input: Readable): Promise<RunnerExit> {
    return new Promise(resolve => {
        let text = '';
        input.setEncoding('utf8');
        input.on('data', (chunk: string) => { text += chunk; });
        input.once('end', () => resolve(text.includes(ENDED) ? 'ended' : 'gone'));
        // A broken pipe is a gone runner too.
        input.once('error', () => resolve('gone'));
        input.resume();
    });
}

/** What a guardian did. */
export type GuardOutcome =
    | { readonly kind: 'ended' }
    | { readonly kind: 'recovered'; readonly result: RecoveryResult };

/**
 * Guardian side, whole: waits for the runner; when it is gone and the journal has no
 * run-end for `run`, runs `recover` (the recovery of that run only, see the module comment).
 */
export async function guardRun(input: Readable, journal: Journal, run: string, recover: () => Promise<RecoveryResult>): Promise<GuardOutcome> {
    if (await waitForRunner(input) === 'ended') return { kind: 'ended' };
    const records = await journal.read();
    if (records.some(r => r.type === 'run' && r.event === 'end' && r.run === run)) return { kind: 'ended' };
    return { kind: 'recovered', result: await recover() };
}
