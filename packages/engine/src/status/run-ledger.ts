/**
 * The backup runs of a journal, and each server's part in each, in one pass:
 *
 *   run begin (verb backup)      → a ledger run
 *   step record with a server    → that run's part of (policy, server): its first and last
 *                                  record times, stop begun, start ended (and `window`),
 *                                  the archive (and `bytes`), recorded (record end ok), and
 *                                  the first failure (any end with ok false)
 *   run end                      → the run's end
 *   anything else                → only the run's last record time
 *
 * A part without a policy is a server that failed the run's pre-flight (that record names
 * no block). Which parts a run set out to do, and so which it never reached, is
 * run-targets.ts's business; the ledger holds only what was written.
 *
 * Most records of a run carry nothing the status needs (step begins other than `stop`,
 * successful ends of stop, verify, lock, unlock): `skipForStatus` skips them unparsed.
 */
import type { JournalRecord, RunBeginRecord, RunEndRecord, StepRecord } from '../journal/journal-record.js';

/** One server's part in one backup run, as the journal tells it. */
export interface RunPart {
    /** Undefined for a server's pre-flight failure (the record names no block). */
    policy?: string;
    server: string;
    /** Times of its first and last record. */
    first: string;
    last: string;
    stopBegun?: string;
    startEnded?: string;
    /** Seconds from stop begun to start done, when the runner wrote it. */
    window?: number;
    archive?: string;
    /** The archive's size, when the runner wrote it. */
    bytes?: number;
    /** The archive was checked and committed (record end ok). */
    recorded: boolean;
    /** Some step of it ended failed; `error` is the first such step's reason. */
    failed: boolean;
    error?: string;
}

/** One backup run. */
export interface LedgerRun {
    begin: RunBeginRecord;
    end?: RunEndRecord;
    /** Time of its last record (the end of a run that was killed). */
    last: string;
    parts: Map<string, RunPart>;
}

/** Steps whose successful end records the status (and findUnfinished's pending restarts) read. */
const OK_ENDS_READ = new Set(['start', 'record']);

/**
 * Lines the status can skip unparsed: step begin records other than `stop`, and step end
 * records that succeeded of steps it does not read (stop, verify, lock, unlock, an archive
 * end that carries no `bytes`, …). JSON.stringify escapes every quote inside a string, so
 * these quoted tokens can only be the record's own fields: the first `"event":"` and
 * `"step":"` of a line are its own (stop begins, the one kind with a nested map, hold that
 * map after them; end records hold no nested object). A line in another order is parsed.
 */
export function skipForStatus(line: string): boolean {
    if (!line.startsWith('{"type":"step"')) return false;
    const event = line.indexOf('"event":"');
    if (event < 0) return false;
    if (line.startsWith('begin"', event + 9)) return !line.includes('"step":"stop"');
    if (!line.includes('"ok":true')) return false;
    const at = line.indexOf('"step":"');
    const step = at < 0 ? '' : line.slice(at + 8, line.indexOf('"', at + 8));
    if (step === '' || OK_ENDS_READ.has(step)) return false;
    // A successful archive end matters for its size alone (the record end names the archive).
    return step !== 'archive' || !line.includes('"bytes":');
}

/** The key of a part in a run. */
export function partKey(policy: string | undefined, server: string): string {
    return `${policy ?? ''}\u0000${server}`;
}

/** Backup runs in journal order, with their parts (see module comment). */
export function runLedger(records: readonly JournalRecord[]): LedgerRun[] {
    const runs = new Map<string, LedgerRun>();
    for (const r of records) {
        if (r.type === 'run' && r.event === 'begin') {
            if (r.verb === 'backup') runs.set(r.run, { begin: r, last: r.time, parts: new Map() });
            continue;
        }
        const run = runs.get(r.run);
        if (!run) continue;
        run.last = r.time;
        if (r.type === 'run') run.end = r;
        else if (r.type === 'step' && r.server !== undefined) notePart(run, r, r.server);
    }
    return [...runs.values()];
}

function notePart(run: LedgerRun, r: StepRecord, server: string): void {
    const key = partKey(r.policy, server);
    let part = run.parts.get(key);
    if (!part) run.parts.set(key, part = { policy: r.policy, server, first: r.time, last: r.time, recorded: false, failed: false });
    part.last = r.time;
    if (r.event === 'begin') {
        if (r.step === 'stop') part.stopBegun = r.time;
        return;
    }
    if (r.ok === false && !part.failed) {
        part.failed = true;
        part.error = r.error ?? `${r.step} failed`;
    }
    if (r.step === 'start') {
        part.startEnded = r.time;
        if (r.window !== undefined) part.window = r.window;
    } else if (r.step === 'archive' && r.ok) {
        part.archive = r.archive;
        if (r.bytes !== undefined) part.bytes = r.bytes;
    } else if (r.step === 'record' && r.ok) {
        part.recorded = true;
        part.archive = r.archive ?? part.archive;
    }
}
