/**
 * The fold of a journal's backup runs into what the status needs of each (block, server):
 *
 *   for each backup run, in journal order (a run still going on this host is skipped,
 *   and marked as running on the blocks it targets):
 *     parts   = its journalled parts; a pre-flight failure (no block named) goes to
 *               the blocks the run targeted that hold that server
 *     targets = run-targets.ts; a target with no part was never reached: failed
 *     each (block, server) of the runbook now: last run = this part; a part recorded
 *     and not failed → last success; a part recorded → last archive
 *
 * Only references are kept (a year of runs makes no outcome objects): status-model.ts
 * turns the last ones into outcomes once.
 */
import * as os from 'node:os';
import type { BackupModel, RunbookModel } from '@backplan/language/model';
import type { JournalRecord, RunBeginRecord } from '../journal/journal-record.js';
import { processAlive } from '../tape/tape-lock.js';
import { partKey, runLedger, type LedgerRun, type RunPart } from './run-ledger.js';
import { RunTargets } from './run-targets.js';
import type { BlockStatus } from './status-model.js';

/** A server's part in a run (undefined: a target the run never reached). */
export interface Noted { run: LedgerRun; part: RunPart | undefined }

/** What the fold keeps of a (block, server): references only, made into outcomes once at the end. */
export interface ServerNotes { lastRun?: Noted; lastSuccess?: Noted; lastArchive?: { run: LedgerRun; part: RunPart } }

/** Blocks, and the notes of each (block, server), folded from the journal's backup runs. */
export interface Folded {
    blocks: Map<string, BlockStatus>;
    /** By partKey(block, server). */
    notes: Map<string, ServerNotes>;
}

/** Whether a run that never ended is still going: its process lives on this host. */
export const liveHere = (b: RunBeginRecord): boolean => b.host === os.hostname() && processAlive(b.pid);

/** The journal's backup runs, oldest first, folded into each (block, server)'s last run, success and archive. */
export function foldRuns(model: RunbookModel, records: readonly JournalRecord[], alive: (b: RunBeginRecord) => boolean): Folded {
    const blocks = new Map(model.backups.map(b => [b.name, newBlock(b)]));
    const notes = new Map<string, ServerNotes>();
    for (const b of blocks.values()) for (const s of b.servers) notes.set(partKey(b.policy, s.server), {});
    const targets = new RunTargets(model);
    for (const run of runLedger(records)) {
        if (!run.end && alive(run.begin)) {
            for (const t of targets.of(run.begin.command)) blocks.get(t.policy)!.running = { run: run.begin.run, since: run.begin.time, pid: run.begin.pid };
            continue;
        }
        for (const [key, part] of runParts(run, targets.of(run.begin.command), model)) {
            const n = notes.get(key);
            if (!n) continue;
            // Runs come oldest first: the last one noted is the last run.
            n.lastRun = { run, part };
            if (part?.recorded && !part.failed) n.lastSuccess = n.lastRun;
            if (part?.recorded && part.archive) n.lastArchive = { run, part };
        }
    }
    return { blocks, notes };
}

function newBlock(b: BackupModel): BlockStatus {
    return {
        policy: b.name, tape: b.tape?.name, schedule: b.schedule,
        staleAfterSeconds: b.staleAfterMs === undefined ? undefined : b.staleAfterMs / 1000,
        stale: false, staleReason: '', servers: b.servers.map(s => ({ server: s.name }))
    };
}

/** A run's parts by (block, server) key: journalled ones, pre-flight failures given to their blocks, and targets never reached (undefined). */
function runParts(run: LedgerRun, targets: readonly { policy: string; server: string }[], model: RunbookModel): Map<string, RunPart | undefined> {
    const out = new Map<string, RunPart | undefined>();
    for (const part of run.parts.values()) if (part.policy !== undefined) out.set(partKey(part.policy, part.server), part);
    for (const part of run.parts.values()) {
        if (part.policy !== undefined) continue;
        const mine = targets.filter(t => t.server === part.server);
        const policies = mine.length ? mine.map(t => t.policy) : model.backups.filter(b => b.servers.some(s => s.name === part.server)).map(b => b.name);
        for (const policy of policies) if (!out.has(partKey(policy, part.server))) out.set(partKey(policy, part.server), part);
    }
    for (const t of targets) if (!out.has(partKey(t.policy, t.server))) out.set(partKey(t.policy, t.server), undefined);
    return out;
}
