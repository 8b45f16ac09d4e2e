/**
 * The status of a runbook (DESIGN §8 `backplan status`): per backup block and server, the
 * last run and its result, the last success, the stop window and size of the last
 * archive, the last verify and the last drill; per block, whether it is stale; and the
 * applications that interrupted runs left stopped.
 *
 *   records = the journal's newest tail that status-tail.ts says is enough (the whole
 *             journal when a server never succeeded), less the lines `skipForStatus`
 *             (run-ledger.ts) skips unparsed
 *   fold    = each (block, server)'s last run, success and archive (run-fold.ts), made
 *             into outcomes once: the stop window is the runner's `window`, else stop
 *             begun → start ended; the size its `bytes`, else the archive file's on the tape
 *   per server: last verify from the block's tape (tape-facts.ts); last drill and last
 *     passed drill from the `drill` records (any drill block)
 *   per drill block and server: its last drill and last passed one (the drill metric)
 *   per block: last success = the oldest of its servers' last successes (a block is
 *     fresh only when every server of it is); staleness.ts with the clock `now`
 *   pending restarts = findUnfinished (journal/recovery.ts): shown, never acted on —
 *     `status` runs from monitoring and changes nothing; `repair` or any run verb starts them
 *   ok = no block stale, every server's last run succeeded, nothing left stopped
 *
 * Read-only: nothing is written, no lock is taken.
 */
import * as path from 'node:path';
import type { BackupModel, RunbookModel } from '@backplan/language/model';
import type { DrillRecord, JournalRecord, RunBeginRecord } from '../journal/journal-record.js';
import { findUnfinished } from '../journal/recovery.js';
import { TapeStore } from '../tape/tape-store.js';
import { foldRuns, liveHere, type Noted, type ServerNotes } from './run-fold.js';
import { partKey } from './run-ledger.js';
import { staleness } from './staleness.js';
import { TapeFacts, type VerifyFact } from './tape-facts.js';

/** A server's last run in a block. */
export interface RunOutcome {
    run: string;
    /** When its part ended (its last record; for a part never reached, the run's end). */
    time: string;
    ok: boolean;
    error?: string;
    /** From its first record to its last (undefined for a part never reached). */
    durationSeconds?: number;
}

/** The archive of a server's last recorded backup in a block. */
export interface ArchiveFacts {
    id: string;
    run: string;
    time: string;
    /** The application's downtime for it: stop begun → start done. */
    stopWindowSeconds?: number;
    bytes?: number;
}

/** One server of a block. */
export interface ServerStatus {
    server: string;
    lastRun?: RunOutcome;
    lastSuccess?: RunOutcome;
    lastArchive?: ArchiveFacts;
    /** The last full `backplan verify` of one of its archives on the block's tape, and the last that passed. */
    lastVerify?: VerifyFact;
    lastVerifySuccess?: VerifyFact;
    /** The server's last restore drill (DESIGN §11; any drill block): when, passed or not, the recovery time. */
    lastDrill?: DrillFact;
    /** Its last drill that passed. */
    lastDrillSuccess?: DrillFact;
}

/** One restore drill as status shows it. */
export interface DrillFact { time: string; ok: boolean; drill: string; archive?: string; recoverySeconds?: number; error?: string }

/** One drill block's last drill of one server (the drill metric is labelled by both). */
export interface DrillStatus {
    drill: string;
    server: string;
    lastDrill: DrillFact;
    lastDrillSuccess?: DrillFact;
}

/** One backup block. */
export interface BlockStatus {
    policy: string;
    tape?: string;
    schedule?: string;
    staleAfterSeconds?: number;
    stale: boolean;
    staleReason: string;
    /** The schedule's last fire at or before now − 2 h. */
    lastFire?: string;
    /** The oldest of its servers' last successes (undefined when one never succeeded). */
    lastSuccess?: string;
    /** A run of it still going on this host. */
    running?: { run: string; since: string; pid: number };
    servers: ServerStatus[];
}

/** A restart still owed, as status shows it. */
export interface StatusPendingRestart { run: string; command: string; server: string; stopped: string; runEnded: boolean }

/** The status of a runbook. */
export interface RunbookStatus {
    version: 1;
    /** The runbook's name in metrics and file names: its root file's name without `.backplan`. */
    runbook: string;
    title?: string;
    file: string;
    journal: string;
    now: string;
    ok: boolean;
    blocks: BlockStatus[];
    pendingRestarts: StatusPendingRestart[];
    /** Per drill block of the runbook and server it drills, once drilled: its last drill (a server two blocks drill has two). */
    drills: DrillStatus[];
    /** What could not be read (a tape, damaged journal lines): said, never fatal. */
    problems: string[];
}

/** What the status is made from. */
export interface StatusInput {
    model: RunbookModel;
    /** The journal's records, or a tail that `statusTailIsEnough` accepts (those `skipForStatus` keeps are enough). */
    records: readonly JournalRecord[];
    journalFile: string;
    now: Date;
    /** Problems found reading the journal, shown as they are. */
    problems?: string[];
    /** Whether a run that never ended is still going (default: its process lives on this host). */
    alive?: (begin: RunBeginRecord) => boolean;
}

/** The name of a runbook in metrics and file names (`acme.backplan` → `acme`). */
export function runbookName(model: RunbookModel): string {
    return path.basename(model.root.fsPath).replace(/\.backplan$/, '').replace(/[^\w.-]+/g, '_');
}

/** Builds the status of a runbook (see module comment). */
export async function buildStatus(input: StatusInput): Promise<RunbookStatus> {
    const { model, now } = input;
    const alive = input.alive ?? liveHere;
    const { blocks, notes } = foldRuns(model, input.records, alive);
    for (const b of blocks.values()) for (const st of b.servers) describe(st, notes.get(partKey(b.policy, st.server))!);
    const problems = [...(input.problems ?? [])];
    const facts = new Map<string, TapeFacts>();
    await Promise.all(model.backups.map(b => readTapeFacts(blocks.get(b.name)!, b, facts)));
    for (const f of facts.values()) {
        const problem = await f.problem();
        if (problem) problems.push(problem);
    }
    for (const b of model.backups) judge(blocks.get(b.name)!, b, now);
    const drills = addDrills(all(blocks), input.records, model);
    const pendingRestarts = findUnfinished(input.records, alive).flatMap(u => u.pending.map(p => ({
        run: u.begin.run, command: u.begin.command, server: p.server!, stopped: p.time, runEnded: u.ended
    })));
    const every = all(blocks);
    const ok = pendingRestarts.length === 0 && every.every(b => !b.stale && b.servers.every(s => !s.lastRun || s.lastRun.ok));
    return {
        version: 1, runbook: runbookName(model), title: model.title, file: model.root.fsPath, journal: input.journalFile,
        now: now.toISOString(), ok, blocks: every, pendingRestarts, drills, problems
    };
}

function all(blocks: Map<string, BlockStatus>): BlockStatus[] {
    return [...blocks.values()];
}

/**
 * Each server's last drill and last passed drill, from the journal's `drill` records: of any
 * drill block, and per drill block of the runbook and server it drills (returned; a block
 * renamed or removed leaves no series behind).
 */
function addDrills(blocks: readonly BlockStatus[], records: readonly JournalRecord[], model: RunbookModel): DrillStatus[] {
    const last = new Map<string, DrillRecord>();
    const lastOk = new Map<string, DrillRecord>();
    const perBlock = new Map<string, DrillStatus>();
    const fact = (r: DrillRecord): DrillFact => ({ time: r.time, ok: r.ok, drill: r.drill, archive: r.archive, recoverySeconds: r.recoverySeconds, error: r.error });
    for (const r of records) {
        if (r.type !== 'drill') continue;
        last.set(r.server, r);
        if (r.ok) lastOk.set(r.server, r);
        const key = `${r.drill}\0${r.server}`;
        perBlock.set(key, { drill: r.drill, server: r.server, lastDrill: fact(r), lastDrillSuccess: r.ok ? fact(r) : perBlock.get(key)?.lastDrillSuccess });
    }
    for (const b of blocks) for (const st of b.servers) {
        const [l, ok] = [last.get(st.server), lastOk.get(st.server)];
        st.lastDrill = l && fact(l);
        st.lastDrillSuccess = ok && fact(ok);
    }
    return model.drills.flatMap(d => d.servers.flatMap(sv => perBlock.get(`${d.name}\0${sv.name}`) ?? []));
}

/** Seconds between two journal times (undefined when one is not a time). */
function seconds(from: string, to: string): number | undefined {
    const s = (Date.parse(to) - Date.parse(from)) / 1000;
    return Number.isFinite(s) ? Math.max(0, s) : undefined;
}

/** A server's status from its notes. */
function describe(st: ServerStatus, n: ServerNotes): void {
    if (n.lastRun) st.lastRun = outcomeOf(n.lastRun);
    if (n.lastSuccess) st.lastSuccess = n.lastSuccess === n.lastRun ? st.lastRun : outcomeOf(n.lastSuccess);
    if (n.lastArchive) {
        const { run, part } = n.lastArchive;
        const window = part.window ?? (part.stopBegun !== undefined && part.startEnded !== undefined ? seconds(part.stopBegun, part.startEnded) : undefined);
        st.lastArchive = { id: part.archive!, run: run.begin.run, time: part.last, stopWindowSeconds: window, bytes: part.bytes };
    }
}

/** One run's outcome for a server. */
function outcomeOf({ run, part }: Noted): RunOutcome {
    const killed = !run.end || run.end.interrupted === true;
    const ok = part !== undefined && part.recorded && !part.failed;
    const error = ok ? undefined
        : part?.error ?? (killed ? 'the run was killed before it finished' : part ? 'not backed up' : `never reached: ${run.end?.error ?? 'the run ended first'}`);
    return { run: run.begin.run, time: part?.last ?? run.end?.time ?? run.last, ok, error, durationSeconds: part ? seconds(part.first, part.last) : undefined };
}

/** Adds what the block's tape says: verifications, and sizes the journal lacks. */
async function readTapeFacts(block: BlockStatus, model: BackupModel, facts: Map<string, TapeFacts>): Promise<void> {
    const tape = model.tape;
    if (!tape?.at?.startsWith('/')) return;
    let f = facts.get(tape.name);
    if (!f) facts.set(tape.name, f = new TapeFacts(TapeStore.of(tape)));
    const reader = f;
    await Promise.all(block.servers.map(async st => {
        const { last, lastOk } = await reader.verify(st.server);
        st.lastVerify = last;
        st.lastVerifySuccess = lastOk;
        if (st.lastArchive && st.lastArchive.bytes === undefined) st.lastArchive.bytes = await reader.bytes(st.lastArchive.id);
    }));
}

/** Sets a block's last success and staleness. */
function judge(block: BlockStatus, model: BackupModel, now: Date): void {
    // A time that is not one (a journal edited by hand) counts as no success.
    const times = block.servers.map(s => (s.lastSuccess ? Date.parse(s.lastSuccess.time) : NaN));
    const oldest = times.length && times.every(Number.isFinite) ? new Date(Math.min(...times)) : undefined;
    block.lastSuccess = oldest?.toISOString();
    const missing = block.servers.filter(st => !st.lastSuccess).map(st => st.server);
    const never = missing.length && missing.length < block.servers.length ? `${missing.join(', ')} never succeeded` : undefined;
    const s = staleness({ schedule: model.schedule, staleAfterMs: model.staleAfterMs, lastSuccess: oldest, never }, now);
    block.stale = s.stale;
    block.staleReason = s.reason;
    block.lastFire = s.lastFire?.toISOString();
}
