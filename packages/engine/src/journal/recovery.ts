/**
 * Recovery of applications that a run stopped and never started again: runs that never
 * ended (killed by SIGKILL, a crash, a power cut), and runs that ended with a start that
 * failed (host still down, start command failed). Runs at the start of every command on
 * the runbook, BEFORE any lock is taken (a dead run's lock must not keep its applications
 * down), even if the command then fails; `repair` runs it alone, and a killed run's
 * guardian (kernel/guardian.ts) runs it for that run only (`only`).
 *
 *   pending = servers whose `stop` began and whose `start` did not end ok, in a run that
 *             never ended (and whose process is not alive on this host) or that ended;
 *             a later ok start of the same server (by any run or recovery) clears it
 *   none → done (no lock, no write: read-only state folders are fine)
 *   else, holding the journal's recovery lock (recovery-lock.ts), on a fresh read:
 *   for each pending: run the runbook's current start command (else the recorded one)
 *             → append a `recover` record with `by` (a command line, or `guardian`)
 *   a run that never ended on this host, first: end the commands it left running here
 *             (hosts/orphan-commands.ts: a stop still running would stop it again)
 *   a run that never ended, then: finish or roll back a swap it left half-done
 *             (swap-recovery.ts; before the restart, whose guarded command removes staging)
 *   a run that never ended, after the restarts: remove the set-aside copy of a swap that
 *             is done once its application runs (else journal it as an open leftover)
 *   a run that never ended, after the restarts: clean what its step-begin records with
 *             `cleanup` name — staging or a drill's scratch (`stage`), a snapshot
 *             (`snapshot`), a dump folder (`dump`) — only names of ours for that run and
 *             step (`.NAME.backplan-KIND-RUN`): with a recorded `command` (a snapshot's
 *             delete) → run it, only while the path exists; else remove the folder;
 *             all started and cleaned →
 *             append `run end {ok:false, interrupted:true, by}`
 *   a failed recovery is reported and tried again by the next command
 *
 * Interruption: a recovery killed half-way is simply done again by the next command: a
 * start command may run twice (guardian, then `repair` under systemd, say), which is why
 * start commands must be idempotent (`systemctl start`); docs/runner.md says so.
 */
import * as os from 'node:os';
import { commandFailure, type CommandResult, type Host } from '../hosts/host.js';
import { endOrphanedCommands } from './orphan-commands.js';
import { pathExists, removeOwnFolder } from '../hosts/host-folders.js';
import { processAlive } from '../tape/tape-lock.js';
import type { Journal } from './journal.js';
import type { JournalRecord, RunBeginRecord, StepRecord } from './journal-record.js';
import { isOurSibling, isOurStagedFolder } from '../hosts/sibling-names.js';
import { withRecoveryLock } from './recovery-lock.js';
import { asideRemoved, removeAside, resolveSwap, swapFolders, swapsOf, type JournalledSwap } from './swap-recovery.js';

/** A run that left applications stopped (or never ended), and those applications. */
export interface UnfinishedRun {
    begin: RunBeginRecord;
    pending: StepRecord[];
    /** The run ended (a start failed) rather than being killed before its end. */
    ended: boolean;
    /** Folders a killed run may have left: staging, drill scratch, snapshots, dumps (none for a run that ended). */
    leftovers: Leftover[];
}

/** A folder a step of a killed run made, from its begin record's `cleanup`. */
export interface Leftover {
    server: string;
    host: string;
    path: string;
    /** The step that made it (`stage`, `snapshot`, `dump`): which of our names it must have. */
    step: StepRecord['step'];
    /** The command that removes it (a snapshot's delete), with its environment. */
    command?: string;
    env?: Record<string, string>;
}

/** What a leftover is, for messages, by the step that made it. */
const LEFTOVER_WHAT: Readonly<Partial<Record<StepRecord['step'], string>>> = { stage: 'staging folder', snapshot: 'snapshot', dump: 'dump folder' };

/** Whether a leftover has the name its step gives (hosts/sibling-names.ts) for that run: nothing else is removed. */
function isOurLeftover(left: Leftover, run: string): boolean {
    if (left.step === 'stage') return isOurStagedFolder(left.path, run);
    if (left.step === 'snapshot') return isOurSibling(left.path, run, 'snap');
    if (left.step === 'dump') return isOurSibling(left.path, run, 'dump');
    return false;
}

/** Finds runs that never ended (process gone) or left an application stopped. */
export function findUnfinished(records: readonly JournalRecord[], alive: (b: RunBeginRecord) => boolean = isAlive): UnfinishedRun[] {
    const begins = new Map<string, RunBeginRecord>();
    const ended = new Set<string>();
    const stops = new Map<string, Map<string, StepRecord>>();
    /** Per server, the runs holding a stop of it not followed by a start yet (a year of runs: no scan of them all per start). */
    const stoppedIn = new Map<string, Set<string>>();
    const staged = new Map<string, UnfinishedRun['leftovers']>();
    for (const r of records) {
        if (r.type === 'step' && r.event === 'begin' && r.cleanup) {
            let list = staged.get(r.run);
            if (!list) staged.set(r.run, list = []);
            const { host, path, command, env } = r.cleanup;
            list.push({ server: r.server ?? '', host, path, step: r.step, ...(command !== undefined && { command }), ...(env !== undefined && { env }) });
        }
        if (r.type === 'run' && r.event === 'begin') begins.set(r.run, r);
        else if (r.type === 'run' && r.event === 'end') ended.add(r.run);
        else if (r.type === 'step' && r.step === 'stop' && r.event === 'begin' && r.server) {
            let m = stops.get(r.run);
            if (!m) stops.set(r.run, m = new Map());
            m.set(r.server, r);
            let runs = stoppedIn.get(r.server);
            if (!runs) stoppedIn.set(r.server, runs = new Set());
            runs.add(r.run);
        } else if (r.type === 'step' && r.step === 'stop' && r.event === 'end' && r.stopped === false && r.server) {
            // The stop never ran (command not found): nothing is owed to that server.
            stops.get(r.run)?.delete(r.server);
        } else if ((r.type === 'step' && r.step === 'start' && r.event === 'end' && r.ok && r.server) || (r.type === 'recover' && r.ok)) {
            // The application runs now: no earlier stop of it is pending any more.
            for (const run of stoppedIn.get(r.server!) ?? []) stops.get(run)?.delete(r.server!);
            stoppedIn.delete(r.server!);
        }
    }
    const out: UnfinishedRun[] = [];
    for (const [run, begin] of begins) {
        const pending = [...(stops.get(run)?.values() ?? [])];
        if (ended.has(run)) {
            if (pending.length > 0) out.push({ begin, pending, ended: true, leftovers: [] });
        } else if (!alive(begin)) {
            out.push({ begin, pending, ended: false, leftovers: staged.get(run) ?? [] });
        }
    }
    return out;
}

/** One application a run stopped and that is not running again: what `status` shows as a pending restart. */
export interface PendingRestart {
    run: string;
    server: string;
    host: string;
    /** When its stop began. */
    since: string;
    /** The run ended (its start failed) rather than being killed. */
    ended: boolean;
}

/** Every pending restart of a journal (runs still in progress excepted), oldest first. */
export function pendingRestarts(records: readonly JournalRecord[], alive: (b: RunBeginRecord) => boolean = isAlive): PendingRestart[] {
    return findUnfinished(records, alive).flatMap(u => u.pending.map(p => ({
        run: u.begin.run, server: p.server!, host: p.restart?.host ?? '', since: p.time, ended: u.ended
    })));
}

function isAlive(begin: RunBeginRecord): boolean {
    return begin.host === os.hostname() && processAlive(begin.pid);
}

export interface RecoveryOptions {
    hostFor: (hostLabel: string) => Host;
    timeoutMs: number;
    /** The command doing the recovery (for the record). */
    by: string;
    notice: (message: string) => void;
    /**
     * The runbook's current start command of a server, when the runbook still declares it:
     * a pending restart uses it rather than the one recorded (the admin may have fixed it).
     */
    currentStart?: (server: string) => string | undefined;
    /**
     * Only this run, whose runner is known to be gone (its guardian saw it die): a run
     * that ended, or another run, is left to the next command.
     */
    only?: string;
}

/** The command that starts a stopped server again: the prelude recorded, then its start. */
export function restartCommand(restart: NonNullable<StepRecord['restart']>, server: string, currentStart?: (server: string) => string | undefined): string {
    // Records written before `prelude` existed carry the prelude inside `command`.
    const legacyGuarded = restart.prelude === undefined && restart.command.includes('BP_R_');
    const start = (legacyGuarded ? undefined : currentStart?.(server)) ?? restart.command;
    return [...(restart.prelude ?? []), start].join('\n');
}

/** What recovery did for one run. */
export interface RecoveredRun {
    run: string; ended: boolean; started: string[]; removed: string[]; failed: Array<{ server: string; error: string }>;
    /** Swaps the killed run left half-done: finished or rolled back, with the data folders. */
    swaps: Array<{ server: string; action: 'finished' | 'rolled-back'; folders: string[] }>;
}

/** What recovery did. */
export interface RecoveryResult {
    runs: RecoveredRun[];
}

/** Says which journal lines were skipped as damaged (at most 5, then how many more). */
function reportDamage(journal: Journal, notice: (m: string) => void): void {
    const { damaged } = journal;
    for (const d of damaged.slice(0, 5)) notice(`warning: the journal ${journal.file} has a damaged record that was skipped: ${d.reason}`);
    if (damaged.length > 5) notice(`warning: … and ${damaged.length - 5} more damaged records in ${journal.file}, skipped`);
}

/** The unfinished runs this recovery is for: all of them, or the guardian's own (its runner is gone, even as an unreaped zombie). */
function unfinishedFor(records: readonly JournalRecord[], options: RecoveryOptions): UnfinishedRun[] {
    const { only } = options;
    if (only === undefined) return findUnfinished(records);
    return findUnfinished(records, b => b.run !== only && isAlive(b)).filter(u => u.begin.run === only && !u.ended);
}

/** Recovers every unfinished run of a journal (see module comment). */
export async function recoverUnfinished(journal: Journal, options: RecoveryOptions): Promise<RecoveryResult> {
    const first = await journal.read();
    reportDamage(journal, options.notice);
    // Nothing to do (nearly always): no lock file, so a read-only state folder is fine.
    if (unfinishedFor(first, options).length === 0) return { runs: [] };
    return withRecoveryLock(journal, options.by, options.notice, async () => {
        // Read again under the lock: another recoverer may have done it meanwhile.
        const records = await journal.read();
        const result: RecoveryResult = { runs: [] };
        for (const unfinished of unfinishedFor(records, options)) result.runs.push(await recoverRun(unfinished, records, journal, options));
        return result;
    });
}

/** Recovers one run: swaps resolved, applications started, staging removed, the run closed. */
async function recoverRun(unfinished: UnfinishedRun, records: readonly JournalRecord[], journal: Journal, options: RecoveryOptions): Promise<RecoveredRun> {
    const { begin, pending, ended, leftovers } = unfinished;
    const entry: RecoveredRun = { run: begin.run, ended, started: [], removed: [], failed: [], swaps: [] };
    const swaps = ended ? [] : swapsOf(records, begin.run);
    options.notice(ended
        ? `run ${begin.run} ("${begin.command}", started ${begin.time}) left applications stopped (their start did not complete); starting them again: ${pending.map(p => p.server).join(', ')}`
        : `run ${begin.run} ("${begin.command}", pid ${begin.pid}, started ${begin.time}) never finished`
            + (pending.length ? `; starting the applications it stopped: ${pending.map(p => p.server).join(', ')}` : ''));
    if (!ended && begin.host === os.hostname()) {
        // A stop still running would stop the application again after the restart.
        const orphans = await endOrphanedCommands(begin.run);
        if (orphans.length) options.notice(`ended ${orphans.length === 1 ? 'a command' : `${orphans.length} commands`} the killed run left running here (pid ${orphans.join(', ')})`);
    }
    // Before the restart: its guarded command removes staging, which may hold the rest of a swap.
    for (const swap of swaps.filter(s => !s.done && !s.rolledBack)) await resolveOpenSwap(swap, begin.run, journal, options, entry);
    for (const stop of pending) await restartPending(stop, begin.run, journal, options, entry);
    for (const swap of swaps.filter(s => s.done && s.aside && !s.keepOld && !asideRemoved(records, begin.run, s.server))) {
        await removeLeftAside(swap, begin.run, journal, options, entry);
    }
    for (const left of leftovers) await removeLeftStaging(left, begin.run, options, entry);
    if (!ended && entry.failed.length === 0) {
        await journal.append({
            type: 'run', event: 'end', run: begin.run, time: new Date().toISOString(), ok: false, interrupted: true,
            error: 'the run was killed before it finished', by: options.by
        });
    }
    return entry;
}

/** Starts one application a run left stopped (the runbook's current start) and journals a `recover` record. */
async function restartPending(stop: StepRecord, run: string, journal: Journal, options: RecoveryOptions, entry: RecoveredRun): Promise<void> {
    const restart = stop.restart;
    if (!restart) return;
    const res = await runRecorded(restart.host, restartCommand(restart, stop.server!, options.currentStart), restart.env, options);
    const error = res.ok ? undefined : commandFailure('start', res, options.timeoutMs);
    await journal.append({
        type: 'recover', run, time: new Date().toISOString(), server: stop.server!, ok: res.ok,
        by: options.by, output: res.output.slice(-4000), error
    });
    if (res.ok) {
        entry.started.push(stop.server!);
        options.notice(`started ${stop.server} again`);
    } else {
        entry.failed.push({ server: stop.server!, error: `${error}: ${res.output.trim().split('\n').slice(-3).join(' | ')}` });
        options.notice(`could not start ${stop.server} again: ${error}`);
    }
}

/** Removes one folder a killed run left (only a name of ours for that run and step). */
async function removeLeftStaging(left: Leftover, run: string, options: RecoveryOptions, entry: RecoveredRun): Promise<void> {
    const what = LEFTOVER_WHAT[left.step] ?? 'folder';
    if (!isOurLeftover(left, run)) {
        // Never will be: said, and not kept open for it (a journal edited by hand, say).
        options.notice(`left ${left.host}:${left.path} alone: it is not a ${what} of run ${run}`);
        return;
    }
    const { removed, error } = await removeLeftover(left, options);
    if (error) {
        entry.failed.push({ server: left.server, error });
        options.notice(`could not remove ${left.host}:${left.path}, the ${what} of the killed run: ${error}`);
    } else if (removed) {
        entry.removed.push(`${left.host}:${left.path}`);
        options.notice(`removed the ${what} it left: ${left.host}:${left.path}`);
    }
}

/** Finishes or rolls back a swap the killed run left half-done, and says which (swap-recovery.ts). */
async function resolveOpenSwap(swap: JournalledSwap, run: string, journal: Journal, options: RecoveryOptions, entry: RecoveredRun): Promise<void> {
    const folders = swapFolders(swap);
    try {
        const action = await resolveSwap(swap, options.hostFor(swap.host), journal, run, options.by);
        swap.done = action === 'finished';
        entry.swaps.push({ server: swap.server, action, folders: swap.parts.map(p => p.data) });
        options.notice(action === 'finished'
            ? `finished the swap of ${swap.server} (${folders}) that run ${run} began: every staged folder was verified before it, so the restored data is now in place`
            : `rolled back the swap of ${swap.server} (${folders}) that run ${run} began: not every staged folder was there to finish it, so the previous data is back in place`);
    } catch (err) {
        entry.failed.push({ server: swap.server, error: (err as Error).message });
        options.notice(`could not finish or roll back the swap of ${swap.server} (${folders}) that run ${run} began: ${(err as Error).message}`);
    }
}

/** After a swap that is done and an application that runs again: the set-aside copy goes; otherwise it is kept open. */
async function removeLeftAside(swap: JournalledSwap, run: string, journal: Journal, options: RecoveryOptions, entry: RecoveredRun): Promise<void> {
    const where = `${swap.host}:${swap.aside}`;
    const notStarted = entry.failed.find(f => f.server === swap.server);
    const base = { type: 'leftover' as const, run, server: swap.server, host: swap.host, path: swap.aside!, by: options.by };
    const error = notStarted
        ? `${swap.server} is not running again`
        : await removeAside(options.hostFor(swap.host), swap.aside!, run).then(() => undefined, (err: Error) => err.message);
    await journal.append({ ...base, time: new Date().toISOString(), state: error ? 'open' : 'removed', error });
    if (error) {
        options.notice(`kept the set-aside copy ${where} of ${swap.server}: ${error}; remove it by hand once the restored data is right`);
        entry.failed.push({ server: swap.server, error: `set-aside copy ${where} kept: ${error}` });
    } else {
        options.notice(`removed the set-aside copy ${where} of ${swap.server}: the swapped-in data was verified and ${swap.server} runs`);
    }
}

/** Removes a leftover on its host: whether it was there, or why it could not be removed. */
async function removeLeftover(left: Leftover, options: RecoveryOptions): Promise<{ removed?: boolean; error?: string }> {
    // A restart command may have removed it already: only a real removal is reported.
    try {
        const host = options.hostFor(left.host);
        if (left.command === undefined) return { removed: await removeOwnFolder(host, left.path) };
        // The recorded delete command (a snapshot's) only for what is still there: it may have been dropped before the kill.
        if (!(await pathExists(host, left.path))) return { removed: false };
        const r = await host.run(left.command, { env: left.env ?? {}, timeoutMs: options.timeoutMs });
        if (r.ok) return { removed: true };
        const last = r.output.trim().split('\n').filter(Boolean).slice(-2).join(' | ');
        return { error: `${commandFailure(`its delete command \`${left.command}\``, r, options.timeoutMs)}${last ? `: ${last}` : ''}` };
    } catch (err) {
        return { error: (err as Error).message };
    }
}

/** Runs a recorded command on its host; a host that cannot be opened gives a failed result. */
function runRecorded(host: string, command: string, env: Record<string, string>, options: RecoveryOptions): Promise<CommandResult> {
    return Promise.resolve()
        .then(() => options.hostFor(host).run(command, { env, timeoutMs: options.timeoutMs }))
        .catch((err: Error): CommandResult => ({ ok: false, timedOut: false, code: undefined, signal: undefined, output: err.message, durationMs: 0 }));
}
