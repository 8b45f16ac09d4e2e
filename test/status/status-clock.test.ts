/**
 * `backplan status` on hand-made journals, with the clock set by BACKPLAN_NOW (and TZ=UTC,
 * since cron fires in local time): the staleness rule of DESIGN §8 on both sides of its
 * 2 h grace, a block that never succeeded, a killed run's pending restart (shown, never
 * acted on), a run still going, and a damaged journal line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journalFile } from '../../packages/engine/src/journal/state-dir.js';
import type { JournalRecord } from '../../packages/engine/src/journal/journal-record.js';
import { jsonLines, madeRun, type MadeRun } from '../../packages/engine/test/journal-runs.js';
import type { Lab } from '../engine/lab.js';
import { sample, statusLab } from './status-lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

function labWithJournal(records: JournalRecord[], schedule?: string, drills?: readonly string[]): Lab {
    const l = statusLab({ schedule, drills });
    lab = l;
    const file = journalFile(l.state, l.runbook);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, jsonLines(records));
    return l;
}

const run = (id: string, at: string, extra: Partial<MadeRun> = {}): JournalRecord[] => madeRun({
    run: id, at, command: `backplan backup ${lab?.runbook ?? 'lab.backplan'}`,
    parts: [{ server: 'Mail1', policy: 'Nightly', tape: 'T' }, { server: 'Mail2', policy: 'Nightly', tape: 'T' }], ...extra
});

const at = (now: string) => ({ BACKPLAN_NOW: now, TZ: 'UTC' });

describe('the staleness rule, clock injected', () => {
    it('a daily 02:00 block that succeeded at 02:30 yesterday is fresh until 04:00 today, stale after', async () => {
        const l = labWithJournal(run('r1', '2026-11-24T02:30:00Z'));
        let r = await l.cli('status', [], at('2026-11-25T03:59:00Z'));
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toMatch(/ok — succeeded since its schedule fired at 2026-11-24T02:00:00.000Z/);
        r = await l.cli('status', [], at('2026-11-25T04:01:00Z'));
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/STALE — no success since its schedule fired at 2026-11-25T02:00:00.000Z/);
        const json = JSON.parse((await l.cli('status', ['--format', 'json'], at('2026-11-25T04:01:00Z'))).stdout);
        expect(json.blocks[0]).toMatchObject({ stale: true, lastFire: '2026-11-25T02:00:00.000Z', lastSuccess: expect.stringMatching(/^2026-11-24T02:3/) });
        const prom = (await l.cli('status', ['--format', 'prometheus'], at('2026-11-25T04:01:00Z'))).stdout;
        expect(sample(prom, 'backplan_stale', { runbook: 'lab', policy: 'Nightly' })).toBe(1);
    });

    it('the block is as fresh as its least fresh server: one server failing since is enough to go stale', async () => {
        const l = labWithJournal([
            ...run('r1', '2026-11-24T02:00:00Z'),
            ...run('r2', '2026-11-25T02:00:00Z', { parts: [{ server: 'Mail1', policy: 'Nightly', tape: 'T' }, { server: 'Mail2', policy: 'Nightly', tape: 'T', fails: 'archive' }] })
        ]);
        const r = await l.cli('status', [], at('2026-11-25T05:00:00Z'));
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/STALE — no success since .*; 1 server failed its last run/);
        expect(r.stdout).toMatch(/^Mail2: archive failed: tar exited 2 \(run r2\)$/m);
    });

    it('a scheduled block that never succeeded is stale; one with no schedule is not', async () => {
        let l = labWithJournal([]);
        let r = await l.cli('status', [], at('2026-11-25T05:00:00Z'));
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/STALE — never succeeded, though its schedule fired at 2026-11-25T02:00:00.000Z/);
        lab!.dispose();
        l = labWithJournal([], '');
        r = await l.cli('status', [], at('2026-11-25T05:00:00Z'));
        expect(r.code, r.stdout).toBe(0);
    });
});

describe('what interrupted runs left', () => {
    it('shows an application a killed run left stopped, exits 1, and starts nothing (the next run verb does)', async () => {
        const marker = path.join(os.tmpdir(), `bp-status-started-${process.pid}`);
        fs.rmSync(marker, { force: true });
        const killed = run('r2', '2026-11-25T02:00:00Z', { ends: false, parts: [{ server: 'Mail1', policy: 'Nightly', tape: 'T' }, { server: 'Mail2', policy: 'Nightly', tape: 'T', fails: 'killed' }] })
            .map(rec => (rec.type === 'step' && rec.restart ? { ...rec, restart: { ...rec.restart, command: `touch ${marker}` } } : rec));
        const l = labWithJournal([...run('r1', '2026-11-24T02:00:00Z'), ...killed]);
        const journal = fs.readFileSync(journalFile(l.state, l.runbook), 'utf8');
        const r = await l.cli('status', [], at('2026-11-25T03:00:00Z'));
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/^Mail2 may be NOT running: run r2 stopped it at 2026-11-25T02:\d\d:\d\d.\d+Z and was killed before starting it again; `backplan repair`/m);
        expect(r.stdout).toMatch(/^Mail2: the run was killed before it finished \(run r2\)$/m);
        expect(JSON.parse((await l.cli('status', ['--format', 'json'], at('2026-11-25T03:00:00Z'))).stdout).pendingRestarts)
            .toEqual([{ run: 'r2', command: expect.any(String), server: 'Mail2', stopped: expect.any(String), runEnded: false }]);
        expect(fs.existsSync(marker), 'status ran no start command').toBe(false);
        expect(fs.readFileSync(journalFile(l.state, l.runbook), 'utf8')).toBe(journal);
        expect((await l.cli('history')).code).toBe(0); // a run verb: recovers first
        expect(fs.existsSync(marker), 'the next command started it').toBe(true);
        fs.rmSync(marker, { force: true });
        expect(JSON.parse((await l.cli('status', ['--format', 'json'], at('2026-11-25T03:00:00Z'))).stdout).pendingRestarts).toEqual([]);
    });

    it('shows a run still going on this host, which does not count as a last run', async () => {
        const l = labWithJournal([...run('r1', '2026-11-24T02:00:00Z'), ...run('r2', '2026-11-25T02:00:00Z', { ends: false, host: os.hostname(), pid: process.pid })]);
        const r = await l.cli('status', [], at('2026-11-25T02:30:00Z'));
        expect(r.code, r.stdout).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`running since 2026-11-25T02:00:00.000Z \\(run r2, pid ${process.pid}\\)`));
        expect(JSON.parse((await l.cli('status', ['--format', 'json'], at('2026-11-25T02:30:00Z'))).stdout).blocks[0].servers[0].lastRun.run).toBe('r1');
    });

    it('reports a damaged journal line and goes on', async () => {
        const l = labWithJournal(run('r1', '2026-11-24T02:00:00Z'));
        fs.appendFileSync(journalFile(l.state, l.runbook), '{"type":"step","run":"r1"}\n');
        const r = await l.cli('status', [], at('2026-11-24T03:00:00Z'));
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/warning: the journal .* has 1 damaged record, skipped \(first: line \d+ is not valid: /);
    });
});

describe('drills in status', () => {
    it('shows each server\'s last drill and its recovery time, and the drill metric labelled by drill', async () => {
        const drill: JournalRecord[] = [
            { type: 'run', event: 'begin', run: 'd1', time: '2026-11-24T04:00:00Z', verb: 'drill', command: 'backplan drill', pid: 1, host: 'elsewhere', runbook: 'lab.backplan' },
            {
                type: 'drill', run: 'd1', time: '2026-11-24T04:00:12Z', drill: 'Weekly', server: 'Mail1', tape: 'T', ok: true, archive: 'A1',
                pick: { order: 'newest', index: 0, of: 1 }, verified: true, recoverySeconds: 12.5
            },
            {
                type: 'drill', run: 'd1', time: '2026-11-24T04:00:20Z', drill: 'Weekly', server: 'Mail2', tape: 'T', ok: false, archive: 'A2',
                pick: { order: 'newest', index: 0, of: 1 }, verified: false, error: 'a file differs'
            },
            { type: 'run', event: 'end', run: 'd1', time: '2026-11-24T04:00:21Z', ok: false }
        ];
        const l = labWithJournal([...run('r1', '2026-11-24T02:30:00Z'), ...drill], undefined, ['Weekly']);
        const json = JSON.parse((await l.cli('status', ['--format', 'json'], at('2026-11-24T05:00:00Z'))).stdout);
        const [mail1, mail2] = json.blocks[0].servers;
        expect(mail1.lastDrill).toMatchObject({ ok: true, drill: 'Weekly', recoverySeconds: 12.5, archive: 'A1' });
        expect(mail2.lastDrill).toMatchObject({ ok: false, error: 'a file differs' });
        expect(mail2.lastDrillSuccess).toBeNull();
        const text = (await l.cli('status', [], at('2026-11-24T05:00:00Z'))).stdout;
        expect(text).toMatch(/Mail1 .* ok \(12\.5 s\)/);
        const prom = (await l.cli('status', ['--format', 'prometheus'], at('2026-11-24T05:00:00Z'))).stdout;
        expect(sample(prom, 'backplan_last_drill_success_timestamp_seconds', { runbook: 'lab', drill: 'Weekly', server: 'Mail1' })).toBe(Date.parse('2026-11-24T04:00:12Z') / 1000);
        expect(prom).not.toMatch(/backplan_last_drill_success_timestamp_seconds\{[^}]*server="Mail2"/);
    });

    it('a server drilled by two drill blocks has a drill metric for each, with that block\'s last passed drill', async () => {
        const drilled = (run: string, time: string, drill: string, ok: boolean): JournalRecord[] => [
            { type: 'run', event: 'begin', run, time, verb: 'drill', command: 'backplan drill', pid: 1, host: 'elsewhere', runbook: 'lab.backplan' },
            { type: 'drill', run, time, drill, server: 'Mail1', tape: 'T', ok, archive: 'A1', pick: { order: 'newest', index: 0, of: 1 }, verified: ok, error: ok ? undefined : 'a file differs' },
            { type: 'run', event: 'end', run, time, ok }
        ];
        const l = labWithJournal([
            ...run('r1', '2026-11-24T02:30:00Z'),
            ...drilled('d1', '2026-11-24T04:00:00Z', 'Weekly', true),
            ...drilled('d2', '2026-11-24T05:00:00Z', 'Monthly', true),
            ...drilled('d3', '2026-11-24T06:00:00Z', 'Weekly', false),
            ...drilled('d4', '2026-11-24T06:30:00Z', 'Retired', true) // a drill block no longer in the runbook
        ], undefined, ['Weekly', 'Monthly']);
        const prom = (await l.cli('status', ['--format', 'prometheus'], at('2026-11-24T07:00:00Z'))).stdout;
        expect(sample(prom, 'backplan_last_drill_success_timestamp_seconds', { runbook: 'lab', drill: 'Weekly', server: 'Mail1' })).toBe(Date.parse('2026-11-24T04:00:00Z') / 1000);
        expect(sample(prom, 'backplan_last_drill_success_timestamp_seconds', { runbook: 'lab', drill: 'Monthly', server: 'Mail1' })).toBe(Date.parse('2026-11-24T05:00:00Z') / 1000);
        const json = JSON.parse((await l.cli('status', ['--format', 'json'], at('2026-11-24T07:00:00Z'))).stdout);
        expect(json.blocks[0].servers[0].lastDrill).toMatchObject({ drill: 'Retired', ok: true }); // the server's last drill, of any block
        expect(json.drills.map((d: { drill: string; lastDrill: { ok: boolean } }) => [d.drill, d.lastDrill.ok])).toEqual([['Weekly', false], ['Monthly', true]]);
        expect(prom).not.toMatch(/drill="Retired"/);
    });
});
