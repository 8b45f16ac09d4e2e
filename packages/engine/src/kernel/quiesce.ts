/**
 * THE one place where an application is stopped and started again (DESIGN §4, §10).
 * Backup, restore, replication (and drills and the guardian) go through it.
 *
 *   stop:  journal stop-begin (with how to start again) → stop command (its timeout, the
 *          run's signal: Ctrl-C interrupts a hanging stop) → journal stop-end
 *          exit 126/127 or not runnable → NOT STOPPED (nothing ran: no start is owed)
 *          any other failure (exit ≠ 0, timeout, killed) → state unknown: start is owed
 *   start: journal start-begin → start command → `ready` retried (within timeout) until
 *          it exits 0 → journal start-end with the stop window (stop begun → up again)
 *          "NOT running" only when the start failed and `ready` (if any) did not succeed
 *   whileStopped(body): stop → body (only when stopped) → START ALWAYS when owed
 *
 * Interruption: SIGKILL between stop and start leaves a stop-begin without an ok
 * start-end: recovery (journal/recovery.ts), `repair` or the guardian start it, with the
 * runbook's current start command.
 */
import type { ServerModel } from '@backplan/language/model';
import { commandFailure, commandTimeoutMs, type CommandResult, type Host } from '../hosts/host.js';
import type { Journal } from '../journal/journal.js';
import type { StepRecord } from '../journal/journal-record.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { commandEnv, type CommandScope, type RunIdentity } from './command-env.js';

/** What quiescing needs from its run. */
export interface QuiesceContext extends RunIdentity {
    readonly journal: Journal;
    readonly reporter: Reporter;
    readonly signal: AbortSignal;
    /** The run's default command timeout (a server's `timeout` wins). */
    readonly timeoutMs: number;
}

/** One server to quiesce. */
export interface QuiesceTarget {
    readonly server: ServerModel;
    readonly host: Host;
    /** Policy and tape of a backup (journal fields and environment). */
    readonly scope?: CommandScope;
    /**
     * Shell lines recovery runs before the start command if this process dies while the
     * application is down (a restore puts set-aside folders back), with their variables.
     */
    readonly prelude?: { readonly lines: string[]; readonly env: Record<string, string> };
}

/** What a stop did. */
export type StopState = 'stopped' | 'not-stopped' | 'unknown';

/** The result of a stop. */
export interface StopResult {
    readonly state: StopState;
    readonly result: CommandResult;
    /** One line, when the stop did not succeed. */
    readonly error?: string;
}

/** The result of a start (with `ready`). */
export interface StartResult {
    readonly started: boolean;
    readonly output: string;
    readonly error?: string;
    /** Stop begun → application up again (or given up on), in seconds. */
    readonly windowSeconds: number;
}

/** What a whole stop → body → start did. */
export interface QuiesceOutcome {
    readonly stop: StopResult;
    /** Undefined when no start was owed (never stopped). */
    readonly start?: StartResult;
    /** The body's failure (the body did not run when the stop failed). */
    readonly bodyError?: Error;
    /** Combined output of failed commands. */
    readonly output?: string;
}

const now = (): string => new Date().toISOString();

/** Exit codes of `sh -c` when the command was not found or not executable: it never ran. */
const NEVER_RAN = new Set([126, 127]);

/** Whether a failed command did nothing: it could not start, or sh did not find or could not execute it. */
export function stopNeverRan(r: CommandResult): boolean {
    if (r.ok || r.timedOut) return false;
    return r.notRun === true || (r.code !== undefined && NEVER_RAN.has(r.code));
}

/** One server's stop window: stop, then start (once). */
export class StopWindow {
    private begun = 0;
    private stopState?: StopState;

    constructor(readonly target: QuiesceTarget, readonly ctx: QuiesceContext) {}

    private get base(): Pick<StepRecord, 'type' | 'run' | 'server' | 'policy' | 'tape'> {
        const { server, scope } = this.target;
        return { type: 'step', run: this.ctx.runId, server: server.name, policy: scope?.policy, tape: scope?.tape };
    }

    private get timeoutMs(): number {
        return commandTimeoutMs(this.target.server, this.ctx.timeoutMs);
    }

    /** Whether a start is owed (the stop ran, whatever it did). */
    get owesStart(): boolean {
        return this.stopState !== undefined && this.stopState !== 'not-stopped';
    }

    /** Runs the stop command, journalled with plan step `n` if given (never throws for the command's failure). */
    async stop(n?: number): Promise<StopResult> {
        const { server, host, scope, prelude } = this.target;
        const env = commandEnv(server, this.ctx, 'start', scope);
        this.begun = Date.now();
        await this.ctx.journal.append({
            ...this.base, event: 'begin', step: 'stop', n, time: now(),
            restart: { command: server.start!, host: host.label, data: server.data, env: { ...env, ...prelude?.env }, prelude: prelude?.lines }
        });
        this.stopState = 'unknown';
        const r = await host.run(server.stop!, { env: commandEnv(server, this.ctx, 'stop', scope), timeoutMs: this.timeoutMs, signal: this.ctx.signal });
        const state: StopState = r.ok ? 'stopped' : stopNeverRan(r) ? 'not-stopped' : 'unknown';
        this.stopState = state;
        const error = r.ok ? undefined : stopFailure(server, host, r, this.timeoutMs, state);
        await this.ctx.journal.append({ ...this.base, event: 'end', step: 'stop', n, time: now(), ok: r.ok, stopped: state !== 'not-stopped', output: r.output.slice(-4000), error });
        return { state, result: r, error };
    }

    /** Starts the application again and waits for `ready`, journalled with plan step `n` if given (never throws). */
    async start(n?: number): Promise<StartResult> {
        const { server, host, scope } = this.target;
        await this.ctx.journal.append({ ...this.base, event: 'begin', step: 'start', n, time: now() }).catch(() => undefined);
        // Not the run's signal: after Ctrl-C the application must still come back.
        const r = await host.run(server.start!, { env: commandEnv(server, this.ctx, 'start', scope), timeoutMs: this.timeoutMs });
        const ready = server.ready ? await this.waitReady(r.ok) : undefined;
        const started = ready ? ready.ok : r.ok;
        const windowSeconds = (Date.now() - this.begun) / 1000;
        const error = started ? undefined : startFailure(server, r, this.timeoutMs, ready);
        await this.ctx.journal.append({
            ...this.base, event: 'end', step: 'start', n, time: now(), ok: started, window: windowSeconds,
            output: [r.output, ready?.output].filter(Boolean).join('\n').slice(-4000), error
        }).catch(() => undefined);
        return { started, output: r.output, error, windowSeconds };
    }

    /** Retries `ready` until it exits 0 or the server's timeout passes. */
    private async waitReady(startOk: boolean): Promise<{ ok: boolean; output: string; tries: number }> {
        const { server, host, scope } = this.target;
        const deadline = Date.now() + this.timeoutMs;
        let delay = 100;
        let last: CommandResult | undefined;
        let tries = 0;
        // A failed start may mean "already running" (Dovecot exits 89): ready decides.
        for (;;) {
            tries++;
            last = await host.run(server.ready!, { env: commandEnv(server, this.ctx, 'ready', scope), timeoutMs: Math.max(1000, deadline - Date.now()) });
            if (last.ok) return { ok: true, output: '', tries };
            if (stopNeverRan(last) || Date.now() + delay > deadline) return { ok: false, output: last.output, tries };
            await pause(delay);
            delay = Math.min(delay * 2, startOk ? 2000 : 1000);
        }
    }
}

function pause(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}

/** The one failure text of a stop. */
export function stopFailure(server: ServerModel, host: Host, r: CommandResult, timeoutMs: number, state: StopState): string {
    const what = `stop command \`${server.stop}\``;
    if (state === 'not-stopped') {
        const why = r.code === 127 ? 'was not found' : r.code === 126 ? 'could not be executed' : `could not be run (${r.output.trim().split('\n')[0]})`;
        return `${what} ${why} on ${host.label}${r.code !== undefined ? ` (exit ${r.code})` : ''}: ${server.name} was never stopped`;
    }
    return commandFailure(what, r, timeoutMs);
}

/** The one failure text of a start that left the application down. */
export function startFailure(server: ServerModel, r: CommandResult, timeoutMs: number, ready?: { ok: boolean }): string {
    const readyCheck = `ready check \`${server.ready}\``;
    if (r.ok && ready) return `${server.name} is NOT running: its start succeeded, but ${readyCheck} did not succeed within ${Math.round(timeoutMs / 1000)} s`;
    const also = ready ? `, and ${readyCheck} did not succeed either` : '';
    return `${commandFailure(`start command \`${server.start}\``, r, timeoutMs)}${also}: ${server.name} is NOT running`;
}

/**
 * stop → body → START ALWAYS (when owed). The body runs only when the application was
 * stopped and the run was not interrupted; its failure is returned, never thrown.
 */
export async function whileStopped(target: QuiesceTarget, ctx: QuiesceContext, body: () => Promise<void>): Promise<QuiesceOutcome> {
    const window = new StopWindow(target, ctx);
    ctx.reporter.step(target.server.name, 'stopping the application');
    let stop: StopResult | undefined;
    let bodyError: Error | undefined;
    try {
        stop = await window.stop();
        if (stop.state === 'stopped') {
            if (ctx.signal.aborted) bodyError = new InterruptedError('interrupted before anything was done');
            else await body();
        }
    } catch (err) {
        bodyError = err as Error;
    }
    let start: StartResult | undefined;
    if (window.owesStart) {
        ctx.reporter.step(target.server.name, 'starting the application');
        start = await window.start();
    }
    stop ??= { state: 'unknown', result: { ok: false, timedOut: false, output: bodyError?.message ?? '', durationMs: 0 }, error: bodyError?.message };
    const output = [stop.state !== 'stopped' ? stop.result.output : '', start && !start.started ? start.output : ''].filter(Boolean).join('\n') || undefined;
    return { stop, start, bodyError, output };
}

/** The run was interrupted (SIGINT/SIGTERM) before a step could run. */
export class InterruptedError extends Error {
    override readonly name = 'InterruptedError';
}
