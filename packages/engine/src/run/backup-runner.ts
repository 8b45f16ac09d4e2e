/**
 * The backup runner (DESIGN §4):
 *
 *   recover unfinished runs of this runbook (before any lock; journal/recovery.ts)
 *   journal run-begin
 *   preflight (preflight.ts)   a whole-run problem (tape not writable, no compressor)
 *                              → stop nothing, exit 1; a server's own problem (host
 *                              unreachable, data folder or tar missing) → that server
 *                              fails and is never stopped, the others run, exit 1
 *                              (with --fail-fast: stop nothing)
 *   for each backup block, in order:
 *     lock its tape (fail naming the holder, or --wait; a dead holder is taken over)
 *     servers one at a time (`rolling`) or up to N at once (`parallel N`), in plan
 *     order, never stopping the last running holder of a folder while another holder of
 *     it is down (plan/holder-guard.ts; a blocked server waits for a slot that keeps its
 *     folders online, or fails unstopped when the other holder's start failed):
 *       stop → archive → START ALWAYS → verify → manifest → journal   (server-backup.ts)
 *     --fail-fast: after the first failure start no further server
 *     unlock
 *   journal run-end; copy the run's records to every tape used
 *
 * SIGINT/SIGTERM abort the signal: archives in flight are killed, no new server is
 * stopped, every stopped application is started again, then the run ends failed.
 * Interruption by SIGKILL: see server-backup.ts and journal/recovery.ts.
 */
import * as os from 'node:os';
import type { Host } from '../hosts/host.js';
import type { Journal } from '../journal/journal.js';
import { type RecoveryResult } from '../journal/recovery.js';
import type { BackupPlan, BackupPlanItem } from '../plan/backup-plan.js';
import { blockingFolder, nextStoppable } from '../plan/holder-guard.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { newRunId } from '../tape/archive-id.js';
import { LockHeldError, TapeLock } from '../tape/tape-lock.js';
import { TapeStore } from '../tape/tape-store.js';
import { preflight } from './preflight.js';
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
    hostFor: (item: BackupPlanItem, server: string) => Host;
    /** Set when the caller has already recovered unfinished runs. */
    recovered?: RecoveryResult;
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
    const { journal, reporter, signal, plan } = options;
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const runId = newRunId();
    const result: BackupRunResult = { runId, ok: false, preflightProblems: [], outcomes: [] };
    await journal.append({ type: 'run', event: 'begin', run: runId, time: new Date().toISOString(), verb: 'backup', command: options.command, pid: process.pid, host: os.hostname(), runbook: options.runbookPath });
    const usedTapes = new Map<string, TapeStore>();
    try {
        const pre = await preflight(plan.items, options.hostFor);
        const skipped = [...pre.skipped].map(([server, reason]) => `${server}: ${reason}`);
        const found = [...pre.problems, ...skipped];
        await journal.append({ type: 'step', event: 'end', step: 'preflight', run: runId, time: new Date().toISOString(), ok: found.length === 0, error: found.join('; ') || undefined });
        result.preflightProblems = found;
        if (pre.problems.length || !pre.compressor || (options.failFast && skipped.length)) {
            result.error = `pre-flight failed, nothing was stopped${pre.problems.length ? '' : ' (--fail-fast)'}: ${found.join('; ')}`;
            return result;
        }
        // A server that failed its pre-flight fails alone: never stopped, the others run.
        for (const [server, reason] of pre.skipped) {
            reporter.notice(`${server}: skipped, never stopped: ${reason}`);
            await journal.append({ type: 'step', event: 'end', step: 'preflight', run: runId, server, time: new Date().toISOString(), ok: false, error: reason });
        }
        for (const item of plan.items) {
            for (const { server } of item.servers) {
                const reason = pre.skipped.get(server.name);
                if (reason !== undefined) result.outcomes.push({ server: server.name, policy: item.backup.name, tape: item.tape.name, ok: false, error: `skipped in pre-flight, never stopped: ${reason}` });
            }
        }
        if (pre.compressor.fallbackReason) reporter.notice(`warning: ${pre.compressor.fallbackReason} (recorded in the manifest)`);
        let stopLaunching = false;
        /** Servers this run stopped and that are not running again (in flight, or start failed). */
        const down = new Set<string>();
        for (const item of plan.items) {
            if (signal.aborted || stopLaunching) break;
            const queue = item.servers.filter(sp => !pre.skipped.has(sp.server.name));
            if (queue.length === 0) continue;
            const tape = TapeStore.of(item.tape);
            usedTapes.set(tape.name, tape);
            let lock: TapeLock;
            try {
                lock = await TapeLock.acquire(tape.name, tape.root, { command: options.command, wait: options.wait, notice: m => reporter.notice(m), signal });
            } catch (err) {
                const message = err instanceof LockHeldError ? err.message : signal.aborted ? 'interrupted while waiting for the lock' : `cannot lock tape ${tape.name}: ${(err as Error).message}`;
                await journal.append({ type: 'step', event: 'end', step: 'lock', run: runId, tape: tape.name, time: new Date().toISOString(), ok: false, error: message });
                result.error = message;
                if (options.failFast) break;
                continue;
            }
            await journal.append({ type: 'step', event: 'end', step: 'lock', run: runId, tape: tape.name, time: new Date().toISOString(), ok: true });
            const inFlight = new Set<Promise<void>>();
            try {
                // Up to N servers at once, but never the last running holder of a folder
                // while another holder of it is down (plan/holder-guard.ts): a blocked
                // server waits for a slot that keeps its folders online.
                for (;;) {
                    while (!signal.aborted && !stopLaunching && inFlight.size < item.parallel) {
                        const next = nextStoppable(queue, down);
                        if (next < 0) break;
                        const [sp] = queue.splice(next, 1);
                        down.add(sp.server.name);
                        const task: Promise<void> = backupServer(item, sp, options.hostFor(item, sp.server.name), tape, {
                            runId, runbookPath: options.runbookPath, version: options.version, journal, reporter,
                            compressor: pre.compressor!, localTools: pre.localTools, timeoutMs, signal,
                            lastTarSize: pre.lastTarSize.get(`${tape.name}/${sp.server.name}`)
                        }).then(outcome => {
                            result.outcomes.push(outcome);
                            // A server whose start failed stays down: its folders' other holders keep running.
                            if (outcome.started !== false) down.delete(sp.server.name);
                            if (!outcome.ok && options.failFast) stopLaunching = true;
                        }, (err: Error) => {
                            // backupServer does not throw; if it ever did, that server failed,
                            // not the run (and it stays "down": whether it started is unknown).
                            result.outcomes.push({ server: sp.server.name, policy: item.backup.name, tape: tape.name, ok: false, error: err.message });
                            if (options.failFast) stopLaunching = true;
                        }).finally(() => inFlight.delete(task));
                        inFlight.add(task);
                    }
                    if (inFlight.size === 0) break;
                    await Promise.race(inFlight);
                }
                if (!signal.aborted && !stopLaunching) {
                    // Nothing in flight and servers left: each would take a folder offline
                    // whose other holders did not start again.
                    for (const sp of queue.splice(0)) {
                        const block = blockingFolder(sp.server.name, sp.folders, down)!;
                        const error = `not stopped: it is the last running holder of folder ${block.folder} (${block.down.join(', ')} did not start again)`;
                        reporter.end(sp.server.name, `FAILED: ${error}`);
                        await journal.append({ type: 'step', event: 'end', step: 'stop', run: runId, server: sp.server.name, policy: item.backup.name, tape: tape.name, time: new Date().toISOString(), ok: false, error });
                        result.outcomes.push({ server: sp.server.name, policy: item.backup.name, tape: tape.name, ok: false, error });
                    }
                }
            } finally {
                // Whatever ended this loop, servers still in flight finish (and start
                // their applications) before the tape is unlocked.
                await Promise.allSettled([...inFlight]);
                await lock.release();
                await journal.append({ type: 'step', event: 'end', step: 'unlock', run: runId, tape: tape.name, time: new Date().toISOString(), ok: true }).catch(() => undefined);
            }
        }
        if (signal.aborted) result.error = 'interrupted: every stopped application was started again';
        else if (stopLaunching) result.error ??= 'stopped after the first failure (--fail-fast)';
        const planned = plan.items.reduce((n, i) => n + i.servers.length, 0);
        result.ok = !result.error && result.outcomes.length === planned && result.outcomes.every(o => o.ok);
        return result;
    } catch (err) {
        result.error = (err as Error).message;
        return result;
    } finally {
        const failed = result.outcomes.filter(o => !o.ok).map(o => `${o.server}: ${o.error}`);
        await journal.append({ type: 'run', event: 'end', run: runId, time: new Date().toISOString(), ok: result.ok, error: [result.error, ...failed].filter(Boolean).join('; ') || undefined }).catch(() => undefined);
        const records = (await journal.read().catch(() => [])).filter(r => r.run === runId);
        for (const tape of usedTapes.values()) {
            await tape.writeRunRecord(runId, records).catch(err => reporter.notice(`warning: the run record could not be copied to tape ${tape.name}: ${(err as Error).message}`));
        }
    }
}

