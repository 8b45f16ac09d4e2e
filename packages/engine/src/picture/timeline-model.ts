/**
 * The backup window as lanes: what `backplan timeline` draws and prints as JSON.
 *
 *   servers  the servers of the backup (--policy, else every backup block), one lane each
 *   windows  from the journal, run --run ID or else the last `backup` run (of --policy):
 *              a server's stop window = its `stop` step's begin → its `start` step's end
 *              (ok or not); a start that failed or was never recorded is closed by a later
 *              command's `recover` record, else it stays open to the end of the picture;
 *              a `window` field on a start record (seconds) is not read: times are
 *            before any such run: estimated from the planner (plan/backup-plan.ts): rolling
 *              = one server after another, parallel N = its waves (plan/holder-guard.ts),
 *              every window drawn ESTIMATED_WINDOW long, said so in the picture
 *   folders  one lane per folder held on 2+ servers, one of them in the picture: how many
 *            holders are up over time (holders outside the backup count as up, as in
 *            holder-guard.ts); a stretch with none up is a problem, said in words
 *
 * At equal times a start that ends comes before a stop that begins: the journal writes
 * them in that order (one server's start ends before the next one's stop begins).
 * Linear in the journal's size, plus a sort of each folder's holders' windows.
 */
import { listNames, type RunbookModel, type ServerModel } from '@backplan/language/model';
import type { JournalRecord, RunBeginRecord } from '../journal/journal-record.js';
import { planBackup, PlanRefusedError, PlanUsageError, type BackupPlanItem } from '../plan/backup-plan.js';
import { parallelWaves } from '../plan/holder-guard.js';

/** How long each estimated stop window is drawn, and the pause between one and the next (verify, record). */
export const ESTIMATED_WINDOW = 60;
const ESTIMATED_GAP = 15;

/** One time a server's application was down. Offsets are seconds from the picture's start. */
export interface StopWindow {
    startOffset: number;
    endOffset: number;
    seconds: number;
    /** ISO times (journal only). */
    start?: string;
    end?: string;
    policy?: string;
    /** No start was recorded to end it: drawn up to the end of the picture. */
    open?: boolean;
    /** Ended by a later command's recovery, not by the run's own start. */
    recovered?: boolean;
    /** The start failed (the window then lasts until a recovery, if any). */
    startFailed?: boolean;
}

/** A server's lane. */
export interface ServerLane {
    kind: 'server';
    server: string;
    role?: 'mail' | 'catalog';
    windows: StopWindow[];
}

/** How many holders of a folder are up, from one offset to the next. */
export interface UpSegment { startOffset: number; endOffset: number; start?: string; end?: string; up: number }

/** A folder held on 2+ servers: its holders' count over time. */
export interface FolderLane {
    kind: 'folder';
    folder: string;
    holders: string[];
    segments: UpSegment[];
    /** The fewest holders up at any moment. */
    minUp: number;
}

/** A stretch during which no holder of a folder was up. */
export interface TimelineProblem { folder: string; startOffset: number; endOffset: number; start?: string; end?: string; message: string }

export interface Timeline {
    version: 1;
    title?: string;
    source: 'journal' | 'estimate';
    estimated: boolean;
    /** The run shown (journal). */
    run?: string;
    verb?: string;
    /** The backup blocks shown. */
    policies: string[];
    /** Start and end of the picture (journal). */
    start?: string;
    end?: string;
    /** Its length in seconds. */
    duration: number;
    /** What the picture is, in words: which run, or how it was estimated (and why not, when refused). */
    note: string;
    lanes: ServerLane[];
    folders: FolderLane[];
    problems: TimelineProblem[];
}

export interface TimelineOptions { policy?: string; run?: string }

/** The timeline of a run from the journal, or the planner's estimate when there is no such run. */
export function buildTimeline(model: RunbookModel, records: readonly JournalRecord[], options: TimelineOptions): Timeline {
    const backups = pictureBackups(model, options.policy);
    const servers = unique(backups.flatMap(b => b.servers));
    const begin = chooseRun(records, options);
    const shown = begin ? fromJournal(records, begin, options.policy) : estimate(model, options.policy);
    const lanes: ServerLane[] = servers.map(s => ({ kind: 'server', server: s.name, role: s.role, windows: shown.windows.get(s.name) ?? [] }));
    for (const [name, windows] of shown.windows) {
        if (!lanes.some(l => l.server === name)) lanes.push({ kind: 'server', server: name, windows });
    }
    const folders = folderLanes(model, lanes, shown.duration, shown.at);
    return {
        version: 1, title: model.title, source: begin ? 'journal' : 'estimate', estimated: !begin,
        run: begin?.run, verb: begin?.verb, policies: backups.map(b => b.name),
        start: shown.at?.(0), end: shown.at?.(shown.duration), duration: shown.duration, note: shown.note,
        lanes, folders, problems: problemsOf(folders)
    };
}

/** The backup blocks a picture shows: `policy`, else every one (a usage error when there are none, or no such block). */
export function pictureBackups(model: RunbookModel, policy?: string): RunbookModel['backups'] {
    if (model.backups.length === 0) throw new PlanUsageError('this runbook has no backup block: the backup window and the history show the runs of a backup');
    if (policy === undefined) return model.backups;
    const backup = model.backups.find(b => b.name === policy);
    if (!backup) throw new PlanUsageError(`no backup named ${policy} in this runbook (backups: ${model.backups.map(b => b.name).join(', ')})`);
    return [backup];
}

/** --run ID (any verb), else the last `backup` run that has a step of --policy (or any step). */
function chooseRun(records: readonly JournalRecord[], options: TimelineOptions): RunBeginRecord | undefined {
    const begins = records.filter((r): r is RunBeginRecord => r.type === 'run' && r.event === 'begin');
    if (options.run !== undefined) {
        const found = begins.find(b => b.run === options.run);
        if (!found) throw new PlanUsageError(`no run ${options.run} in the journal of this runbook (see \`backplan history\`)`);
        return found;
    }
    const touched = new Set(records.filter(r => r.type === 'step' && (options.policy === undefined || r.policy === options.policy)).map(r => r.run));
    return begins.filter(b => b.verb === 'backup' && touched.has(b.run)).at(-1);
}

/** What one source gives: windows per server, the picture's length, and (journal) offset → ISO time. */
export interface Shown {
    windows: Map<string, StopWindow[]>;
    duration: number;
    at?: (offset: number) => string;
    note: string;
}

/** The stop windows of one run (`begin`) from the journal: its records, or the whole journal. */
export function fromJournal(records: readonly JournalRecord[], begin: RunBeginRecord, policy?: string): Shown {
    const t0 = Date.parse(begin.time);
    const offset = (time: string): number => Math.max(0, (Date.parse(time) - t0) / 1000);
    const windows = new Map<string, StopWindow[]>();
    const open = new Map<string, StopWindow>();
    let last = 0;
    for (const r of records) {
        if (r.run !== begin.run) continue;
        last = Math.max(last, offset(r.time));
        if (r.type === 'recover') closeWindow(open, r.server, offset(r.time), { recovered: true });
        if (r.type !== 'step' || !r.server || (policy !== undefined && r.policy !== policy)) continue;
        if (r.step === 'stop' && r.event === 'begin') {
            const w: StopWindow = { startOffset: offset(r.time), endOffset: 0, seconds: 0, policy: r.policy, open: true };
            (windows.get(r.server) ?? windows.set(r.server, []).get(r.server)!).push(w);
            open.set(r.server, w);
        } else if (r.step === 'start' && r.event === 'end') {
            closeWindow(open, r.server, offset(r.time), r.ok ? {} : { startFailed: true }, r.ok !== false);
        }
    }
    const at = (o: number): string => new Date(t0 + o * 1000).toISOString();
    for (const list of windows.values()) {
        for (const w of list) {
            if (w.open) w.endOffset = last;
            w.seconds = w.endOffset - w.startOffset;
            w.start = at(w.startOffset);
            w.end = at(w.endOffset);
        }
    }
    const stopped = [...windows.values()].reduce((n, l) => n + l.length, 0);
    const note = `${begin.verb} run ${begin.run}, begun ${begin.time}${stopped === 0 ? ': it stopped no server' : ''}`;
    return { windows, duration: last, at, note };
}

/** Ends a server's open window at `end`; a failed start leaves it open (the application is still down) but marked. */
function closeWindow(open: Map<string, StopWindow>, server: string, end: number, marks: Partial<StopWindow>, close = true): void {
    const w = open.get(server);
    if (!w) return;
    Object.assign(w, marks);
    w.endOffset = end;
    if (close) {
        w.open = false;
        open.delete(server);
    }
}

function estimate(model: RunbookModel, policy?: string): Shown {
    let items: BackupPlanItem[];
    try {
        items = planBackup(model, { policy }).items;
    } catch (err) {
        if (!(err instanceof PlanRefusedError)) throw err;
        return { windows: new Map(), duration: ESTIMATED_WINDOW, note: `no run in the journal yet, and no estimate: the runner would refuse this backup (${err.message})` };
    }
    const windows = new Map<string, StopWindow[]>();
    let t = 0;
    for (const item of items) {
        for (const wave of waves(item)) {
            for (const server of wave) {
                const w: StopWindow = { startOffset: t, endOffset: t + ESTIMATED_WINDOW, seconds: ESTIMATED_WINDOW, policy: item.backup.name };
                (windows.get(server.name) ?? windows.set(server.name, []).get(server.name)!).push(w);
            }
            t += ESTIMATED_WINDOW + ESTIMATED_GAP;
        }
    }
    const note = 'ESTIMATED: no run of this backup in the journal yet. The order is the planner\'s (rolling: one server after another; '
        + `parallel N: waves that never stop the last running holder of a folder); each stop window is drawn ${ESTIMATED_WINDOW} s long`;
    return { windows, duration: Math.max(t - ESTIMATED_GAP, ESTIMATED_WINDOW), note };
}

/** The servers of a backup as the runner stops them: one at a time, or the planner's waves. */
function waves(item: BackupPlanItem): ServerModel[][] {
    if (item.parallel <= 1) return item.servers.map(s => [s.server]);
    const out: ServerModel[][] = [];
    for (const slot of parallelWaves(item.servers, item.parallel)) (out[slot.wave - 1] ??= []).push(slot.item.server);
    return out;
}

function folderLanes(model: RunbookModel, lanes: readonly ServerLane[], duration: number, at?: (offset: number) => string): FolderLane[] {
    const windowsOf = new Map(lanes.map(l => [l.server, l.windows]));
    const out: FolderLane[] = [];
    for (const folder of model.folders) {
        const holders = unique(folder.holders).map(h => h.name);
        if (holders.length < 2 || !holders.some(h => windowsOf.has(h))) continue;
        const segments = upSegments(holders.map(h => windowsOf.get(h) ?? []), duration);
        if (at) for (const s of segments) { s.start = at(s.startOffset); s.end = at(s.endOffset); }
        out.push({ kind: 'folder', folder: folder.name, holders, segments, minUp: Math.min(...segments.map(s => s.up)) });
    }
    return out;
}

/**
 * Piecewise-constant count of holders up, from 0 to `duration`: a holder is down while any
 * of its windows is (ups before downs at equal times).
 */
export function upSegments(windowLists: ReadonlyArray<readonly StopWindow[]>, duration: number): UpSegment[] {
    const events: Array<{ t: number; d: number; holder: number }> = [];
    windowLists.forEach((list, holder) => {
        for (const w of list) events.push({ t: w.startOffset, d: +1, holder }, { t: w.endOffset, d: -1, holder });
    });
    events.sort((a, b) => a.t - b.t || a.d - b.d);
    const downCount = windowLists.map(() => 0);
    const segments: UpSegment[] = [];
    let up = windowLists.length;
    let from = 0;
    for (const e of events) {
        if (e.t > from) {
            pushSegment(segments, from, e.t, up);
            from = e.t;
        }
        const before = downCount[e.holder] > 0;
        downCount[e.holder] += e.d;
        const after = downCount[e.holder] > 0;
        if (before !== after) up += after ? -1 : 1;
    }
    if (duration > from || segments.length === 0) pushSegment(segments, from, Math.max(duration, from), up);
    return segments;
}

function pushSegment(segments: UpSegment[], startOffset: number, endOffset: number, up: number): void {
    const prev = segments.at(-1);
    if (prev && prev.up === up) prev.endOffset = endOffset;
    else segments.push({ startOffset, endOffset, up });
}

function problemsOf(folders: readonly FolderLane[]): TimelineProblem[] {
    const problems: TimelineProblem[] = [];
    for (const lane of folders) {
        for (const s of lane.segments) {
            if (s.up > 0 || s.endOffset <= s.startOffset) continue;
            const when = s.start ? `from ${s.start} to ${s.end}` : `from +${seconds(s.startOffset)} to +${seconds(s.endOffset)}`;
            problems.push({
                folder: lane.folder, startOffset: s.startOffset, endOffset: s.endOffset, start: s.start, end: s.end,
                message: `Folder '${lane.folder}' had no holder up ${when} (${seconds(s.endOffset - s.startOffset)}): every holder (${listNames(lane.holders)}) was stopped, so no copy of it was reachable.`
            });
        }
    }
    return problems;
}

/** "12.3 s". */
export function seconds(value: number): string {
    return `${Math.round(value * 10) / 10} s`;
}

function unique<T>(items: readonly T[]): T[] {
    return [...new Set(items)];
}
