// A year of history for `backplan status` (DESIGN.md §7: 365 runs × 20 servers), written
// the way the runner writes it: one runbook (20 servers, one tape, one scheduled backup
// block), its journal in a state folder (every record a real backup run appends: run
// begin, preflight, lock, per server stop → archive → start → verify → record, unlock,
// run end) and a tape holding what retention keeps of each server's archives (a small
// archive file, its manifest and its verification record).
//
//   generateYear({ root, servers = 20, runs = 365, verifyEvery, neverSucceeds })
//     → { runbook, state, journal, tape, records, now }
//
// Deterministic: the same arguments give the same files. One run in 50 has a server whose
// stop command failed, as a real year has. `verifyEvery: 7` adds a weekly `backplan verify`
// (a full verification record on every archive the tape holds then); `neverSucceeds: NAME`
// makes that server's stop fail every night (a server that never had a backup: the
// status must then read the whole journal).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const DAY = 86_400_000;

/** The journal file of a runbook, as the engine names it (journal/state-dir.ts). */
export function journalFileOf(state, runbook) {
    const abs = path.resolve(runbook);
    const key = createHash('sha256').update(abs).digest('hex').slice(0, 8);
    return path.join(state, 'journals', `${path.basename(abs).replace(/\.backplan$/, '').replace(/[^\w.-]+/g, '_')}-${key}.jsonl`);
}

const compact = ms => new Date(ms).toISOString().replace(/[-:]/g, '');
const iso = ms => new Date(ms).toISOString();
const hex4 = n => (n * 2654435761 >>> 0).toString(16).padStart(8, '0').slice(0, 4);

function writeRunbook(file, tape, data, names) {
    const lines = [`runbook "Bench year" {}`, `tape Vault { at "${tape}" keep daily 7 weekly 4 monthly 12 }`];
    names.forEach((name, i) => lines.push(`server ${name} { role mail host local data "${path.join(data, name)}" stop "systemctl stop app${i}" start "systemctl start app${i}" }`));
    lines.push(`backup Nightly { servers ${names.join(', ')} to Vault schedule "0 2 * * *" }`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** The records of one nightly run, in the order the runner appends them. */
function runRecords(day, n, names, runbook, neverSucceeds) {
    const start = day + 2 * 3_600_000;
    const run = `${compact(start)}-run-${hex4(n)}`;
    const out = [{ type: 'run', event: 'begin', run, time: iso(start), verb: 'backup', command: `backplan backup ${runbook}`, pid: 4000 + n, host: 'backup1', runbook }];
    let t = start + 800;
    out.push({ type: 'step', event: 'end', step: 'preflight', run, time: iso(t), ok: true });
    out.push({ type: 'step', event: 'end', step: 'lock', run, tape: 'Vault', time: iso(t += 5), ok: true });
    const failing = n % 50 === 49 ? (n * 7) % names.length : -1;
    const failed = [];
    names.forEach((server, i) => {
        const base = { type: 'step', run, server, policy: 'Nightly', tape: 'Vault' };
        const id = `${compact(t)}-${server}-${hex4(n * 31 + i)}`;
        const env = { BACKPLAN_SERVER: server, BACKPLAN_DATA: `/srv/${server}`, BACKPLAN_ROLE: 'mail', BACKPLAN_POLICY: 'Nightly', BACKPLAN_TAPE: 'Vault', BACKPLAN_RUN: run, BACKPLAN_RUNBOOK: runbook, BACKPLAN_ACTION: 'start' };
        out.push({ ...base, event: 'begin', step: 'stop', time: iso(t), restart: { command: `systemctl start app${i}`, host: 'local', data: `/srv/${server}`, env } });
        const stopOk = i !== failing && server !== neverSucceeds;
        out.push({ ...base, event: 'end', step: 'stop', time: iso(t += 900), ok: stopOk, output: stopOk ? '' : 'Job for app.service failed.\n', error: stopOk ? undefined : 'stop exited with code 1' });
        if (stopOk) {
            out.push({ ...base, event: 'begin', step: 'archive', time: iso(t += 2), archive: id });
            out.push({ ...base, event: 'end', step: 'archive', time: iso(t += 40_000 + i * 500), ok: true, archive: id });
        }
        out.push({ ...base, event: 'begin', step: 'start', time: iso(t += 2) });
        out.push({ ...base, event: 'end', step: 'start', time: iso(t += 1200), ok: true, output: '' });
        if (!stopOk) {
            failed.push(`${server}: stop command \`systemctl stop app${i}\` exited with code 1; archive skipped`);
            return;
        }
        out.push({ ...base, event: 'begin', step: 'verify', time: iso(t += 2), archive: id });
        out.push({ ...base, event: 'end', step: 'verify', time: iso(t += 3000), ok: true, archive: id });
        out.push({ ...base, event: 'end', step: 'record', time: iso(t += 20), ok: true, archive: id });
    });
    out.push({ type: 'step', event: 'end', step: 'unlock', run, tape: 'Vault', time: iso(t += 5), ok: true });
    out.push({ type: 'run', event: 'end', run, time: iso(t += 5), ok: failed.length === 0, error: failed.join('; ') || undefined });
    return out;
}

/** The archive IDs a `keep daily 7 weekly 4 monthly 12` tape still holds: the last of each kept day. */
function keptArchives(records) {
    const ids = records.filter(r => r.step === 'record' && r.ok).map(r => ({ id: r.archive, server: r.server, time: r.time }));
    const byServer = new Map();
    for (const a of ids) byServer.set(a.server, [...(byServer.get(a.server) ?? []), a]);
    const kept = [];
    for (const list of byServer.values()) {
        const newest = list.slice(-7);
        const weekly = list.filter((_, i) => i % 7 === 0).slice(-4);
        const monthly = list.filter((_, i) => i % 30 === 0).slice(-12);
        kept.push(...new Set([...newest, ...weekly, ...monthly]));
    }
    return kept;
}

/** The verification record of an archive: the last weekly verify since it was made, else the backup's own check. */
function verification(a, verifies) {
    const after = verifies.filter(v => v > Date.parse(a.time)).pop();
    return after === undefined ? { id: a.id, time: a.time, ok: true, kind: 'archive-hash' } : { id: a.id, time: iso(after), ok: true, kind: 'full' };
}

function writeTape(tape, kept, verifies) {
    const dir = path.join(tape, 'archives');
    fs.mkdirSync(dir, { recursive: true });
    for (const a of kept) {
        const body = Buffer.alloc(4096 + (a.id.charCodeAt(a.id.length - 1) % 7) * 512, 7);
        fs.writeFileSync(path.join(dir, `${a.id}.tar.zst`), body);
        const manifest = {
            format: 'backplan-manifest', version: 1, id: a.id, server: a.server, role: 'mail', policy: 'Nightly', runId: 'bench', runbook: 'bench',
            tape: 'Vault', host: 'local', data: `/srv/${a.server}`, folders: [],
            archive: { file: `${a.id}.tar.zst`, compression: 'zstd', size: body.length, sha256: createHash('sha256').update(body).digest('hex'), tarSize: body.length },
            times: { archiveStarted: a.time, archiveFinished: a.time }, tools: {}, files: 0, entries: []
        };
        fs.writeFileSync(path.join(dir, `${a.id}.manifest.json`), JSON.stringify(manifest) + '\n');
        fs.writeFileSync(path.join(dir, `${a.id}.verified.json`), JSON.stringify(verification(a, verifies)) + '\n');
    }
}

/** Writes the runbook, the journal and the tape below `root` (see module comment). */
export function generateYear({ root, servers = 20, runs = 365, verifyEvery, neverSucceeds, end = Date.parse('2026-11-25T00:00:00Z') }) {
    fs.rmSync(root, { recursive: true, force: true });
    const tape = path.join(root, 'tape');
    const state = path.join(root, 'state');
    const runbook = path.join(root, 'year.backplan');
    fs.mkdirSync(tape, { recursive: true });
    const names = Array.from({ length: servers }, (_, i) => `Mail${String(i + 1).padStart(2, '0')}`);
    writeRunbook(runbook, tape, path.join(root, 'data'), names);
    const journal = journalFileOf(state, runbook);
    fs.mkdirSync(path.dirname(journal), { recursive: true });
    const all = [];
    const chunks = [];
    for (let n = 0; n < runs; n++) {
        const records = runRecords(end - (runs - n) * DAY, n, names, runbook, neverSucceeds);
        all.push(...records);
        chunks.push(records.map(r => JSON.stringify(r)).join('\n') + '\n');
    }
    fs.writeFileSync(journal, chunks.join(''));
    // A weekly verify at 05:00, the last one three days before the end.
    const verifies = verifyEvery ? Array.from({ length: Math.floor(runs / verifyEvery) }, (_, k) => end - 3 * DAY - k * verifyEvery * DAY + 5 * 3_600_000).reverse() : [];
    writeTape(tape, keptArchives(all), verifies);
    // The status is judged at 10:00 the morning after the last run: fresh, unless a server never succeeds.
    return { runbook, state, journal, tape, records: all.length, bytes: fs.statSync(journal).size, now: new Date(end - DAY + 10 * 3_600_000).toISOString() };
}
