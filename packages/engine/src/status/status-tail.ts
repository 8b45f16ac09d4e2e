/**
 * Which tail of the journal the status needs (Journal.readTail reads backwards until this
 * says enough):
 *
 *   start = where the longest suffix begins in which every run it mentions begins
 *   enough ⇔ such a suffix exists, and every (block, server) of the runbook has a last
 *            success in it (checked cheaply first: a committed archive of it), and
 *            every (drill block, server it drills) has a passed drill in it (so its last
 *            drill, and each server's last drill and last passed one, are in it too)
 *
 * Older records cannot change the status then: a last run, success or archive is never
 * older than a success, and an application an older run left stopped was started (or
 * tried) by the recovery every later run does first, which journals it under that run —
 * so that run is in the suffix. Runs the tail holds only in part are left out of the
 * status by runLedger and findUnfinished. A server that never succeeded means the whole
 * journal.
 */
import type { RunbookModel } from '@backplan/language/model';
import type { JournalRecord, RunBeginRecord } from '../journal/journal-record.js';
import { foldRuns, liveHere } from './run-fold.js';
import { partKey } from './run-ledger.js';

/**
 * Where the longest suffix of `records` starts in which every run it mentions begins
 * (undefined: none does). Backwards: a record of a run not begun yet opens it, its begin
 * closes it; a begin that leaves nothing open is such a start.
 */
function wholeRunsFrom(records: readonly JournalRecord[]): number | undefined {
    const open = new Set<string>();
    let start: number | undefined;
    for (let i = records.length - 1; i >= 0; i--) {
        const r = records[i];
        if (r.type === 'run' && r.event === 'begin') {
            open.delete(r.run);
            if (open.size === 0) start = i;
        } else {
            open.add(r.run);
        }
    }
    return start;
}

/**
 * Whether a tail of the journal (Journal.readTail) holds all the status needs: a suffix of
 * it in which every run it mentions begins (no run seen in part, and a recovery's records
 * bring in the run they recovered) has every server of every block's last success. Older
 * records cannot change the status then: a last run, success or archive is never older
 * than a success, and an application an older run left stopped was started (or tried) by
 * the recovery every later run does first, which journals it under that run. Runs the
 * tail holds only in part are left out of the status by runLedger and findUnfinished.
 */
export function statusTailIsEnough(model: RunbookModel, alive: (b: RunBeginRecord) => boolean = liveHere): (records: readonly JournalRecord[]) => boolean {
    const wanted = model.backups.flatMap(b => b.servers.map(s => partKey(b.name, s.name)));
    const drilled = [...new Set(model.drills.flatMap(d => d.servers.map(s => `${d.name}\0${s.name}`)))];
    return records => {
        const start = wholeRunsFrom(records);
        if (start === undefined) return false;
        const tail = records.slice(start);
        // Every server of every drill block: that block's last passed drill of it, so its last drill too (one never passed means the whole journal).
        const drills = new Set(tail.flatMap(r => (r.type === 'drill' && r.ok ? [`${r.drill}\0${r.server}`] : [])));
        if (!drilled.every(s => drills.has(s))) return false;
        // Cheap first: a success needs a committed archive of that (block, server) in the tail.
        const recorded = new Set<string>();
        for (const r of tail) if (r.type === 'step' && r.step === 'record' && r.ok && r.server !== undefined) recorded.add(partKey(r.policy, r.server));
        if (!wanted.every(k => recorded.has(k))) return false;
        for (const n of foldRuns(model, tail, alive).notes.values()) if (!n.lastSuccess) return false;
        return true;
    };
}
