import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../src/journal/journal-record.js';
import { findUnfinished } from '../src/journal/recovery.js';

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
