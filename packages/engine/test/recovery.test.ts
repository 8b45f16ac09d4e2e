import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../src/journal/journal-record.js';
import { LocalHost } from '../src/hosts/local-host.js';
import { Journal } from '../src/journal/journal.js';
import { findUnfinished, recoverUnfinished } from '../src/journal/recovery.js';

const begin = (run: string): JournalRecord => ({ type: 'run', event: 'begin', run, time: 't', verb: 'backup', command: 'backplan backup', pid: 1, host: 'h', runbook: '/r' });
const stop = (run: string, server: string): JournalRecord => ({ type: 'step', event: 'begin', step: 'stop', run, time: 't', server, restart: { command: 'start', host: 'local', env: {} } });
const started = (run: string, server: string, ok: boolean): JournalRecord => ({ type: 'step', event: 'end', step: 'start', run, time: 't', server, ok });

describe('finding runs that never ended', () => {
    it('lists the servers whose stop began and whose start did not complete', () => {
        const records: JournalRecord[] = [
            begin('r1'), stop('r1', 'A'), started('r1', 'A', true), stop('r1', 'B'), started('r1', 'B', false), stop('r1', 'C')
        ];
        const [run] = findUnfinished(records, () => false);
        expect(run.begin.run).toBe('r1');
        expect(run.pending.map(p => p.server)).toEqual(['B', 'C']);
    });

    it('ignores ended runs that started everything again, live runs, and servers a recovery already started', () => {
        const records: JournalRecord[] = [
            begin('done'), stop('done', 'A'), started('done', 'A', true), { type: 'run', event: 'end', run: 'done', time: 't', ok: false },
            begin('live'), stop('live', 'C'),
            begin('killed'), stop('killed', 'A'), stop('killed', 'B'),
            { type: 'recover', run: 'killed', time: 't', server: 'A', ok: true, by: 'x' }
        ];
        const found = findUnfinished(records, b => b.run === 'live');
        expect(found.map(f => [f.begin.run, f.pending.map(p => p.server)])).toEqual([['killed', ['B']]]);
    });

    it('an ended run whose start failed (or never ran) is pending until a start of that server succeeds', () => {
        const end = (run: string): JournalRecord => ({ type: 'run', event: 'end', run, time: 't', ok: false });
        const records: JournalRecord[] = [
            begin('r1'), stop('r1', 'A'), started('r1', 'A', false), stop('r1', 'B'), end('r1'),
            { type: 'recover', run: 'r1', time: 't', server: 'A', ok: false, by: 'x' }
        ];
        // Its process may well still be alive: an ended run is never "in progress".
        expect(findUnfinished(records, () => true).map(f => [f.begin.run, f.ended, f.pending.map(p => p.server)])).toEqual([['r1', true, ['A', 'B']]]);
        // A later run that stopped and started A again leaves only B pending.
        const later = [...records, begin('r2'), stop('r2', 'A'), started('r2', 'A', true), end('r2')];
        expect(findUnfinished(later, () => false).map(f => [f.begin.run, f.pending.map(p => p.server)])).toEqual([['r1', ['B']]]);
        // A recovery that started B clears it.
        expect(findUnfinished([...later, { type: 'recover', run: 'r1', time: 't', server: 'B', ok: true, by: 'x' }], () => false)).toEqual([]);
    });
});

describe('staging folders of killed runs', () => {
    const stage = (run: string, server: string, p: string): JournalRecord => ({ type: 'step', event: 'begin', step: 'stage', run, time: 't', server, cleanup: { host: 'local', path: p } });
    const end = (run: string): JournalRecord => ({ type: 'run', event: 'end', run, time: 't', ok: true });

    it('are listed for a killed run only, never for a run that ended or is alive', () => {
        const records: JournalRecord[] = [
            begin('done'), stage('done', 'A', '/srv/.a.backplan-new-done'), end('done'),
            begin('live'), stage('live', 'B', '/srv/.b.backplan-new-live'),
            begin('killed'), stage('killed', 'C', '/srv/.c.backplan-new-killed')
        ];
        expect(findUnfinished(records, b => b.run === 'live').map(f => [f.begin.run, f.leftovers])).toEqual([
            ['killed', [{ server: 'C', host: 'local', path: '/srv/.c.backplan-new-killed', step: 'stage' }]]
        ]);
    });

    it('are removed by the next command, which then closes the run; a path not named as ours is left alone, said', async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-recovery-'));
        try {
            const staging = path.join(root, '.data.backplan-new-k1');
            fs.mkdirSync(path.join(staging, 'People'), { recursive: true });
            fs.writeFileSync(path.join(staging, 'People', 'half-copied.txt'), 'x');
            const notOurs = path.join(root, 'data');
            fs.mkdirSync(notOurs);
            const journal = new Journal(path.join(root, 'journal.jsonl'));
            for (const r of [begin('k1'), stage('k1', 'Cat1', staging)]) await journal.append(r);
            const notices: string[] = [];
            const options = { hostFor: () => new LocalHost(), timeoutMs: 10_000, by: 'test', notice: (m: string) => notices.push(m) };
            const result = await recoverUnfinished(journal, options);
            expect(fs.existsSync(staging)).toBe(false);
            expect(result.runs[0].removed).toEqual([`local:${staging}`]);
            expect(notices.join('\n')).toContain(`removed the staging folder it left: local:${staging}`);
            expect((await journal.read()).at(-1)).toMatchObject({ type: 'run', event: 'end', run: 'k1', interrupted: true });
            expect(findUnfinished(await journal.read(), () => false)).toEqual([]);

            // A path not named as this run's staging is left alone and said; the run is closed all the same.
            notices.length = 0;
            await journal.append(begin('k2'));
            await journal.append(stage('k2', 'Cat1', notOurs));
            const other = path.join(root, '.data.backplan-new-k1');
            fs.mkdirSync(other);
            await journal.append(stage('k2', 'Cat1', other));
            const refused = await recoverUnfinished(journal, options);
            expect(fs.existsSync(notOurs)).toBe(true);
            expect(fs.existsSync(other)).toBe(true);
            expect(refused.runs[0]).toMatchObject({ run: 'k2', removed: [], failed: [] });
            expect(notices.join('\n')).toMatch(new RegExp(`left local:${notOurs} alone: it is not a staging folder of run k2`));
            expect(notices.join('\n')).toMatch(/backplan-new-k1 alone: it is not a staging folder of run k2/);
            expect(findUnfinished(await journal.read(), () => false)).toEqual([]);

            // Gone already (a restart command removed it): closed without a "removed" notice.
            notices.length = 0;
            await journal.append(begin('k4'));
            await journal.append(stage('k4', 'Cat1', path.join(root, '.data.backplan-new-k4')));
            const gone = await recoverUnfinished(journal, options);
            expect(gone.runs.find(r => r.run === 'k4')).toMatchObject({ removed: [], failed: [] });
            expect(notices.join('\n')).not.toMatch(/removed the staging folder/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe('swaps of killed runs', () => {
    /** A data folder with parts A and B: each set aside (old), staged (new), neither in place — as a rollback killed half-way leaves it. */
    function halfRolledBack(root: string): { parts: Array<{ data: string; aside: string; staged: string }>; aside: string } {
        const aside = path.join(root, '.data.backplan-old-s1');
        const staging = path.join(root, '.data.backplan-new-s1');
        const parts = ['A', 'B'].map(n => ({ data: path.join(root, 'data', n), aside: path.join(aside, n), staged: path.join(staging, n) }));
        fs.mkdirSync(path.join(root, 'data'));
        for (const p of parts) {
            fs.mkdirSync(p.aside, { recursive: true });
            fs.writeFileSync(path.join(p.aside, 'v'), 'old');
            fs.mkdirSync(p.staged, { recursive: true });
            fs.writeFileSync(path.join(p.staged, 'v'), 'new');
        }
        return { parts, aside };
    }

    it('a recovery killed half-way keeps to its journalled decision (rolling back), and a second recovery does nothing more', async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-swap-'));
        try {
            const { parts, aside } = halfRolledBack(root);
            const journal = new Journal(path.join(root, 'journal.jsonl'));
            const swap = { type: 'swap' as const, run: 's1', time: 't', server: 'Cat2' };
            for (const r of [begin('s1'), { ...swap, event: 'plan', host: 'local', parts, aside, keepOld: false }, { ...swap, event: 'renamed', part: 0 },
                { ...swap, event: 'rolling-back', by: 'killed recovery' }] as JournalRecord[]) await journal.append(r);
            const notices: string[] = [];
            const options = { hostFor: () => new LocalHost(), timeoutMs: 10_000, by: 'test', notice: (m: string) => notices.push(m) };
            const result = await recoverUnfinished(journal, options);
            expect(result.runs[0].swaps).toEqual([{ server: 'Cat2', action: 'rolled-back', folders: parts.map(p => p.data) }]);
            expect(parts.map(p => fs.readFileSync(path.join(p.data, 'v'), 'utf8'))).toEqual(['old', 'old']);
            expect(fs.existsSync(aside)).toBe(false);
            expect(notices.join('\n')).toMatch(/rolled back the swap of Cat2 \(A, B\) that run s1 began/);
            notices.length = 0;
            await recoverUnfinished(journal, options);
            expect(notices).toEqual([]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

/** Runs a test body in a fresh temporary folder, removed afterwards. */
async function inTemp(body: (root: string) => Promise<void>): Promise<void> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-recovery-'));
    try {
        await body(root);
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

describe('snapshots and dump folders of killed runs', () => {
    const step = (run: string, name: 'snapshot' | 'dump', cleanup: NonNullable<Extract<JournalRecord, { type: 'step' }>['cleanup']>): JournalRecord =>
        ({ type: 'step', event: 'begin', step: name, run, time: 't', server: 'Cat1', cleanup });
    const notices: string[] = [];
    const options = { hostFor: () => new LocalHost(), timeoutMs: 10_000, by: 'test', notice: (m: string) => notices.push(m) };

    it('a snapshot is dropped by its recorded delete command, a dump folder removed; then the run is closed', async () => {
        await inTemp(async root => {
            const snap = path.join(root, '.data.backplan-snap-k1');
            const dump = path.join(root, '.data.backplan-dump-k1');
            for (const d of [snap, dump]) fs.mkdirSync(d);
            fs.writeFileSync(path.join(dump, 'backplan.dump'), 'dn: o=x\n');
            const log = path.join(root, 'deletes.log');
            const journal = new Journal(path.join(root, 'journal.jsonl'));
            const drop = { host: 'local', path: snap, command: 'echo "$BACKPLAN_ACTION $BACKPLAN_SNAPSHOT" >> "$LOG"; rm -rf -- "$BACKPLAN_SNAPSHOT"', env: { BACKPLAN_SNAPSHOT: snap, BACKPLAN_ACTION: 'snapshot-delete', LOG: log } };
            for (const r of [begin('k1'), step('k1', 'snapshot', drop), step('k1', 'dump', { host: 'local', path: dump })]) await journal.append(r);
            const result = await recoverUnfinished(journal, options);
            expect(fs.readFileSync(log, 'utf8')).toBe(`snapshot-delete ${snap}\n`);
            expect([fs.existsSync(snap), fs.existsSync(dump)]).toEqual([false, false]);
            expect(result.runs[0]).toMatchObject({ removed: [`local:${snap}`, `local:${dump}`], failed: [] });
            expect(notices.join('\n')).toContain(`removed the snapshot it left: local:${snap}`);
            expect(notices.join('\n')).toContain(`removed the dump folder it left: local:${dump}`);
            expect((await journal.read()).at(-1)).toMatchObject({ type: 'run', event: 'end', run: 'k1', interrupted: true });

            // Already dropped before the kill: the delete command is not run again.
            await journal.append(begin('k2'));
            await journal.append(step('k2', 'snapshot', { ...drop, path: path.join(root, '.data.backplan-snap-k2') }));
            await recoverUnfinished(journal, options);
            expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
        });
    });

    it('a delete command is never run on a path that is not that run\'s snapshot, nor a dump folder named as staging', async () => {
        await inTemp(async root => {
            const data = path.join(root, 'data');
            const stagingName = path.join(root, '.data.backplan-new-k3');
            for (const d of [data, stagingName]) fs.mkdirSync(d);
            const journal = new Journal(path.join(root, 'journal.jsonl'));
            for (const r of [begin('k3'), step('k3', 'snapshot', { host: 'local', path: data, command: 'rm -rf -- "$P"', env: { P: data } }),
                step('k3', 'dump', { host: 'local', path: stagingName })]) await journal.append(r);
            notices.length = 0;
            const result = await recoverUnfinished(journal, options);
            expect([fs.existsSync(data), fs.existsSync(stagingName)]).toEqual([true, true]);
            expect(result.runs[0]).toMatchObject({ removed: [], failed: [] });
            expect(notices.join('\n')).toContain(`left local:${data} alone: it is not a snapshot of run k3`);
            expect(notices.join('\n')).toContain(`left local:${stagingName} alone: it is not a dump folder of run k3`);
        });
    });

    it('a delete command that fails keeps the run open: the next command tries again', async () => {
        await inTemp(async root => {
            const snap = path.join(root, '.data.backplan-snap-k5');
            fs.mkdirSync(snap);
            const journal = new Journal(path.join(root, 'journal.jsonl'));
            for (const r of [begin('k5'), step('k5', 'snapshot', { host: 'local', path: snap, command: 'echo busy >&2; exit 3', env: {} })]) await journal.append(r);
            notices.length = 0;
            const result = await recoverUnfinished(journal, options);
            expect(result.runs[0].failed[0].error).toMatch(/delete command `echo busy >&2; exit 3` exited with code 3: busy/);
            expect(findUnfinished(await journal.read(), () => false).map(f => f.begin.run)).toEqual(['k5']);
        });
    });
});
