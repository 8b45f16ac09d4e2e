/**
 * The backup runner (DESIGN §4): the plan's steps (plan/backup-plan.ts), run on the
 * kernel (kernel/run-session.ts, kernel/quiesce.ts, kernel/step-executor.ts).
 *
 *   recover unfinished runs of this runbook (the caller, before any lock)
 *   session begin (journal run-begin)
 *   preflight (preflight.ts)   a whole-run problem (tape not writable, no compressor)
 *                              → stop nothing, exit 1; a server's own problem (host
 *                              unreachable, data folder, tar or a command missing) → that
 *                              server fails and is never stopped, the others run, exit 1
 *                              (with --fail-fast: stop nothing)
 *   onStart (the caller's `start` notifications, sent without waiting)
 *   for each backup block, in plan order:
 *     lock its tape (fail naming the holder, or --wait; a dead holder is taken over)
 *     a restic tape (lock in the state folder): per host, `restic init` where pre-flight
 *       found no repository (said), stale restic locks removed when the journal shows no
 *       live run (restic/restic-places-prepare.ts); a host where that fails: its servers
 *       fail, never stopped
 *     servers one at a time (`rolling`) or up to N at once (`parallel N`), in plan
 *     order, never stopping the last running holder of a folder while another holder of
 *     it is down (plan/holder-guard.ts; a blocked server waits for a slot that keeps its
 *     folders online, or fails unstopped when the other holder's start failed):
 *       that server's planned steps (server-backup.ts)
 *     --fail-fast: after the first failure start no further server
 *     unlock
 *   session end (journal run-end; the run's records copied to every tape used)
 *
 * SIGINT/SIGTERM abort the signal: archives in flight are killed, no new server is
 * stopped, every stopped application is started again, then the run ends failed.
 * Interruption by SIGKILL: see server-backup.ts and journal/recovery.ts.
 */
import type { ServerModel } from '@backplan/language/model';
import type { Host } from '../hosts/host.js';
import type { Journal } from '../journal/journal.js';
import { type RecoveryResult } from '../journal/recovery.js';
import type { GuardianLaunch } from '../kernel/guardian.js';
import { RunSession, TapeLockError } from '../kernel/run-session.js';
import type { BackupPlan, BackupPlanItem, PlanStep, ServerPlan } from '../plan/backup-plan.js';
import { blockingFolder, nextStoppable } from '../plan/holder-guard.js';
import type { Reporter } from '../progress/progress-reporter.js';
import type { TapeStore } from '../tape/tape-store.js';
import { prepareResticPlaces } from './restic-places-prepare.js';
import { ResticBackupPreflight } from '../restic/restic-backup-preflight.js';
import type { ResticRunPlace } from '../restic/restic-places.js';
import { stateDirOf, tapeStoreOf } from '../journal/restic-tape-store.js';
import { preflight, type PreflightResult } from './preflight.js';
import { backupServer, type ServerOutcome } from './server-backup.js';

/** Default time a stop or start command may take: 10 minutes. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60 * 1000;

export interface BackupRunOptions {
    plan: BackupPlan;
    runbookPath: string;
    journal: Journal;
    /** The command line, for the lock and the journal. */
    command: string;
    version: string;
    wait?: boolean;
    failFast?: boolean;
    timeoutMs?: number;
    reporter: Reporter;
    /** Aborted on SIGINT/SIGTERM. */
    signal: AbortSignal;
    hostFor: (server: ServerModel) => Host;
    /** How to start the run's guardian (kernel/guardian.ts). */
    guardian?: GuardianLaunch;
    /** Set when the caller has already recovered unfinished runs. */
    recovered?: RecoveryResult;
    /** Called once pre-flight has decided to run, before the first lock and stop (the `start` notifications; must not throw). */
    onStart?: (runId: string) => void;
    /** What every restic command of the run gets (restic tapes). */
    restic?: ResticRunPlace;
}

export interface BackupRunResult {
    runId: string;
    ok: boolean;
    /** Why the run failed as a whole (preflight, lock, interruption). */
    error?: string;
    preflightProblems: string[];
    outcomes: ServerOutcome[];
}

/** Runs a backup plan. Never throws for failures of servers or tapes: see the result. */
export async function runBackup(options: BackupRunOptions): Promise<BackupRunResult> {
    const { journal, reporter, signal } = options;
    const session = await RunSession.begin({ verb: 'backup', command: options.command, runbookPath: options.runbookPath, journal, reporter, signal, guardian: options.guardian });
    const run = new BackupRun(options, session);
    try {
        await run.execute();
    } catch (err) {
        run.result.error = (err as Error).message;
    }
    const { result } = run;
    await session.end(result.ok, [result.error, ...result.outcomes.filter(o => !o.ok).map(o => `${o.server}: ${o.error}`)]);
    return result;
}

/** One backup run's state. */
class BackupRun {
    readonly result: BackupRunResult;
    private stopLaunching = false;
    /** Servers this run stopped and that are not running again (in flight, or start failed). */
    private readonly down = new Set<string>();
    private readonly timeoutMs: number;
    private pre?: PreflightResult;

    constructor(readonly options: BackupRunOptions, readonly session: RunSession) {
        this.result = { runId: session.runId, ok: false, preflightProblems: [], outcomes: [] };
        this.timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    }

    private planStep(action: PlanStep['action'], policy?: string): PlanStep | undefined {
        return this.options.plan.steps.find(s => s.action === action && (policy === undefined || s.policy === policy));
    }

    async execute(): Promise<void> {
        const { plan, signal, failFast } = this.options;
        if (!(await this.preflight())) return;
        this.options.onStart?.(this.session.runId);
        for (const item of plan.items) {
            if (signal.aborted || this.stopLaunching) break;
            const queue = item.servers.filter(sp => !this.pre!.skipped.has(sp.server.name));
            if (queue.length === 0) continue;
            const locked = await this.backupItem(item, queue);
            if (!locked && failFast) break;
        }
        const { result } = this;
        if (signal.aborted) result.error = 'interrupted: every stopped application was started again';
        else if (this.stopLaunching) result.error ??= 'stopped after the first failure (--fail-fast)';
        const planned = plan.items.reduce((n, i) => n + i.servers.length, 0);
        result.ok = !result.error && result.outcomes.length === planned && result.outcomes.every(o => o.ok);
    }

    /** Pre-flight; false when nothing may run. */
    private async preflight(): Promise<boolean> {
        const { plan, reporter, failFast } = this.options;
        const pre = this.pre = await preflight(plan.items, this.options.hostFor, this.options.restic);
        const needsCompressor = plan.items.some(i => i.tape.restic === undefined);
        const skipped = [...pre.skipped].map(([server, reason]) => `${server}: ${reason}`);
        const found = [...pre.problems, ...skipped];
        await this.session.step({ event: 'end', step: 'preflight', n: this.planStep('preflight')?.n, ok: found.length === 0, error: found.join('; ') || undefined });
        this.result.preflightProblems = found;
        if (pre.problems.length || (needsCompressor && !pre.compressor) || (failFast && skipped.length)) {
            this.result.error = `pre-flight failed, nothing was stopped${pre.problems.length ? '' : ' (--fail-fast)'}: ${found.join('; ')}`;
            return false;
        }
        // A server that failed its pre-flight fails alone: never stopped, the others run.
        for (const [server, reason] of pre.skipped) {
            reporter.notice(`${server}: skipped, never stopped: ${reason}`);
            await this.session.step({ event: 'end', step: 'preflight', server, ok: false, error: reason });
        }
        for (const item of plan.items) {
            for (const { server } of item.servers) {
                const reason = pre.skipped.get(server.name);
                if (reason !== undefined) this.result.outcomes.push({ server: server.name, policy: item.backup.name, tape: item.tape.name, ok: false, error: `skipped in pre-flight, never stopped: ${reason}` });
            }
        }
        if (needsCompressor && pre.compressor?.fallbackReason) reporter.notice(`warning: ${pre.compressor.fallbackReason} (recorded in the manifest)`);
        return true;
    }

    /** One backup block: lock, its servers, unlock. False when its tape could not be locked. */
    private async backupItem(item: BackupPlanItem, queue: ServerPlan[]): Promise<boolean> {
        const policy = item.backup.name;
        let tape: TapeStore;
        try {
            tape = await tapeStoreOf(item.tape, stateDirOf(this.options.journal));
            await this.session.lock(tape, { wait: this.options.wait, n: this.planStep('lock', policy)?.n });
        } catch (err) {
            if (!(err instanceof TapeLockError)) throw err;
            this.result.error = err.message;
            return false;
        }
        try {
            if (item.tape.restic !== undefined) queue = await this.prepareRestic(item, queue);
            await this.runServers(item, queue, tape);
        } finally {
            await this.session.unlock(tape, this.planStep('unlock', policy)?.n);
        }
        return true;
    }

    /** A restic tape's hosts made ready (init, stale locks); returns the servers that can run, the others failed unstopped. */
    private async prepareRestic(item: BackupPlanItem, queue: ServerPlan[]): Promise<ServerPlan[]> {
        const { reporter, journal } = this.options;
        const failed = await prepareResticPlaces(item, queue, this.pre!.restic, { journal, runId: this.session.runId, notice: m => reporter.notice(m) });
        for (const [server, error] of failed) {
            reporter.end(server, `FAILED: ${error}`);
            await this.session.step({ event: 'end', step: 'preflight', server, policy: item.backup.name, tape: item.tape.name, ok: false, error });
            this.result.outcomes.push({ server, policy: item.backup.name, tape: item.tape.name, ok: false, error });
        }
        return queue.filter(sp => !failed.has(sp.server.name));
    }

    /**
     * Up to N servers at once, but never the last running holder of a folder while another
     * holder of it is down (plan/holder-guard.ts): a blocked server waits for a slot that
     * keeps its folders online. Servers in flight always finish (and start their
     * applications) before this returns.
     */
    private async runServers(item: BackupPlanItem, queue: ServerPlan[], tape: TapeStore): Promise<void> {
        const { signal } = this.options;
        const inFlight = new Set<Promise<void>>();
        try {
            for (;;) {
                while (!signal.aborted && !this.stopLaunching && inFlight.size < item.parallel) {
                    const next = nextStoppable(queue, this.down);
                    if (next < 0) break;
                    const [sp] = queue.splice(next, 1);
                    const task: Promise<void> = this.runServer(item, sp, tape).finally(() => inFlight.delete(task));
                    inFlight.add(task);
                }
                if (inFlight.size === 0) break;
                await Promise.race(inFlight);
            }
            if (!signal.aborted && !this.stopLaunching) await this.failBlocked(item, queue, tape);
        } finally {
            await Promise.allSettled([...inFlight]);
        }
    }

    private async runServer(item: BackupPlanItem, sp: ServerPlan, tape: TapeStore): Promise<void> {
        const name = sp.server.name;
        this.down.add(name);
        const steps = this.options.plan.steps.filter(s => s.policy === item.backup.name && s.server === name);
        const { options, session, pre } = this;
        try {
            const outcome = await backupServer(item, sp, steps, options.hostFor(sp.server), tape, {
                runId: session.runId, runbookPath: options.runbookPath, version: options.version, journal: options.journal, reporter: options.reporter,
                compressor: pre!.compressor!, localTools: pre!.localTools, timeoutMs: this.timeoutMs, signal: options.signal,
                lastTarSize: pre!.lastTarSize.get(`${tape.name}/${name}`),
                restic: pre!.restic.targets.get(ResticBackupPreflight.key(item.tape.name, name))
            });
            this.result.outcomes.push(outcome);
            // A server whose start failed stays down: its folders' other holders keep running.
            if (outcome.started !== false) this.down.delete(name);
            if (!outcome.ok && options.failFast) this.stopLaunching = true;
        } catch (err) {
            // backupServer does not throw; if it ever did, that server failed, not the run
            // (and it stays "down": whether it started is unknown).
            this.result.outcomes.push({ server: name, policy: item.backup.name, tape: tape.name, ok: false, error: (err as Error).message });
            if (options.failFast) this.stopLaunching = true;
        }
    }

    /** Nothing in flight and servers left: each would take a folder offline whose other holders did not start again. */
    private async failBlocked(item: BackupPlanItem, queue: ServerPlan[], tape: TapeStore): Promise<void> {
        for (const sp of queue.splice(0)) {
            const block = blockingFolder(sp.server.name, sp.folders, this.down)!;
            const error = `not stopped: it is the last running holder of folder ${block.folder} (${block.down.join(', ')} did not start again)`;
            this.options.reporter.end(sp.server.name, `FAILED: ${error}`);
            await this.session.step({ event: 'end', step: 'stop', server: sp.server.name, policy: item.backup.name, tape: tape.name, ok: false, stopped: false, error });
            this.result.outcomes.push({ server: sp.server.name, policy: item.backup.name, tape: tape.name, ok: false, error });
        }
    }
}
