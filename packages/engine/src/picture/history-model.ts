/**
 * The history of a runbook's backups, per server over past runs, and of its drills: what
 * the VS Code *Show History* webview draws (history-render.ts).
 *
 *   runs     the backup runs of the journal (status/run-ledger.ts, the one reader of
 *            backup runs) that touched the backup blocks shown, the last `limit` of them
 *   servers  one row per server of those blocks; per run its part from the ledger: the
 *            archive's size (`bytes` of the archive end), its duration (first → last record
 *            of the server in that run), its stop window (timeline-model.ts's reader of
 *            stop windows, so both pictures agree), and its result: ok, failed (with the
 *            first failed step's reason), or not reached (the run ended or was killed
 *            before it got to the server)
 *   drills   every drill record (DESIGN §11): the drill, the server, passed or failed,
 *            the recovery time
 *
 * Read-only; linear in the journal's size (records are grouped by run once).
 */
import type { RunbookModel } from '@backplan/language/model';
import type { DrillRecord, JournalRecord } from '../journal/journal-record.js';
import { runLedger, type LedgerRun, type RunPart } from '../status/run-ledger.js';
import { pictureBackups, fromJournal, type StopWindow } from './timeline-model.js';

/** How many backup runs the history shows by default (the newest). */
export const HISTORY_RUNS = 20;

/** One backup run, as a column of the history. */
export interface HistoryRun {
    run: string;
    time: string;
    /** ok, failed (its error), interrupted (killed, closed by a later command), or running/killed without an end yet. */
    result: 'ok' | 'failed' | 'interrupted' | 'no end';
    error?: string;
}

/** One server's part in one run. */
export interface HistoryEntry {
    run: string;
    result: 'ok' | 'failed' | 'not reached';
    error?: string;
    /** The archive's size in bytes, when the runner wrote it. */
    bytes?: number;
    /** Seconds from the server's first to its last record in the run. */
    seconds?: number;
    /** Its stop window(s) in the run (usually one), as the timeline reads them. */
    windows: StopWindow[];
    /** Seconds the application was down in the run (sum of the windows). */
    stopSeconds?: number;
}

/** A server's row. */
export interface ServerHistory {
    server: string;
    role?: 'mail' | 'catalog';
    /** One entry per run of {@link History.runs}, in the same order. */
    entries: HistoryEntry[];
}

/** One server's drill. */
export interface DrillEntry {
    run: string;
    time: string;
    drill: string;
    server: string;
    tape: string;
    ok: boolean;
    verified: boolean;
    recoverySeconds?: number;
    error?: string;
}

export interface History {
    version: 1;
    title?: string;
    policies: string[];
    runs: HistoryRun[];
    servers: ServerHistory[];
    drills: DrillEntry[];
    /** What is wrong, in words: failed runs and servers, failed drills. */
    problems: string[];
}

export interface HistoryOptions { policy?: string; limit?: number }

/** The history of a runbook's backups and drills from its journal. */
export function buildHistory(model: RunbookModel, records: readonly JournalRecord[], options: HistoryOptions = {}): History {
    const backups = pictureBackups(model, options.policy);
    const policies = new Set(backups.map(b => b.name));
    const byRun = groupByRun(records);
    const ledger = runLedger(records).filter(r => [...r.parts.values()].some(p => p.policy === undefined || policies.has(p.policy)));
    const shown = ledger.slice(-Math.max(1, options.limit ?? HISTORY_RUNS));
    const servers = [...new Set(backups.flatMap(b => b.servers))];
    const rows: ServerHistory[] = servers.map(s => ({
        server: s.name, role: s.role,
        entries: shown.map(run => entryOf(run, s.name, policies, byRun.get(run.begin.run) ?? []))
    }));
    const runs = shown.map(runOf);
    const drills = records.filter((r): r is DrillRecord => r.type === 'drill').map(drillOf);
    return { version: 1, title: model.title, policies: [...policies], runs, servers: rows, drills, problems: problemsOf(runs, rows, drills) };
}

function groupByRun(records: readonly JournalRecord[]): Map<string, JournalRecord[]> {
    const out = new Map<string, JournalRecord[]>();
    for (const r of records) (out.get(r.run) ?? out.set(r.run, []).get(r.run)!).push(r);
    return out;
}

function runOf(run: LedgerRun): HistoryRun {
    const base = { run: run.begin.run, time: run.begin.time };
    if (!run.end) return { ...base, result: 'no end' };
    if (run.end.interrupted) return { ...base, result: 'interrupted', error: run.end.error };
    return run.end.ok ? { ...base, result: 'ok' } : { ...base, result: 'failed', error: run.end.error };
}

/** A server's part in a run: its parts of the blocks shown (and a pre-flight failure, which names no block). */
function entryOf(run: LedgerRun, server: string, policies: ReadonlySet<string>, records: readonly JournalRecord[]): HistoryEntry {
    const parts = [...run.parts.values()].filter(p => p.server === server && (p.policy === undefined || policies.has(p.policy)));
    const windows = [...policies].flatMap(policy => fromJournal(records, run.begin, policy).windows.get(server) ?? []);
    if (parts.length === 0) return { run: run.begin.run, result: 'not reached', windows };
    const failed = parts.find(p => p.failed);
    const bytes = sumOf(parts.map(p => p.bytes));
    const stopSeconds = windows.length ? windows.reduce((n, w) => n + w.seconds, 0) : undefined;
    return {
        run: run.begin.run, result: failed ? 'failed' : 'ok', error: failed?.error,
        bytes, seconds: secondsOf(parts), windows, stopSeconds
    };
}

function secondsOf(parts: readonly RunPart[]): number {
    const first = Math.min(...parts.map(p => Date.parse(p.first)));
    const last = Math.max(...parts.map(p => Date.parse(p.last)));
    return (last - first) / 1000;
}

function sumOf(values: ReadonlyArray<number | undefined>): number | undefined {
    const known = values.filter((v): v is number => v !== undefined);
    return known.length ? known.reduce((a, b) => a + b, 0) : undefined;
}

function drillOf(r: DrillRecord): DrillEntry {
    return {
        run: r.run, time: r.time, drill: r.drill, server: r.server, tape: r.tape, ok: r.ok, verified: r.verified,
        recoverySeconds: r.recoverySeconds, error: r.error
    };
}

function problemsOf(runs: readonly HistoryRun[], rows: readonly ServerHistory[], drills: readonly DrillEntry[]): string[] {
    const out: string[] = [];
    runs.forEach((run, i) => {
        const failedServers = rows.filter(r => r.entries[i].result === 'failed');
        if (run.result === 'ok' && failedServers.length === 0) return;
        const what = run.result === 'no end' ? 'has no end record (still running, or killed and not yet recovered)' : run.result;
        const servers = failedServers.map(r => `${r.server}: ${r.entries[i].error ?? 'failed'}`).join('; ');
        out.push(`Backup run ${run.run} (${run.time}) ${what}${run.error ? `: ${run.error}` : ''}${servers ? ` — ${servers}` : ''}`);
    });
    for (const d of drills) {
        if (!d.ok) out.push(`Drill ${d.drill} of ${d.server} (run ${d.run}, ${d.time}) failed${d.error ? `: ${d.error}` : d.verified ? ': its test failed' : ': the copy was not verified'}`);
    }
    return out;
}
