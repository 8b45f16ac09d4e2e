import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../src/journal/journal-record.js';
import { liveRuns } from '../src/journal/restic-stale-locks.js';

const begin = (run: string, pid: number, host = os.hostname()): JournalRecord =>
    ({ type: 'run', event: 'begin', run, time: '2026-12-03T02:00:00.000Z', verb: 'backup', command: 'backplan backup', pid, host, runbook: '/r.backplan' });

describe('liveRuns: when the journal proves no run is live', () => {
    it('counts a begun, unended run whose process lives here; not an ended one, a dead one, or the caller\'s own', () => {
        const records: JournalRecord[] = [
            begin('a', process.pid),
            begin('b', process.pid), { type: 'run', event: 'end', run: 'b', time: '2026-12-03T02:01:00.000Z', ok: true },
            begin('c', 2 ** 22 + 17), // no such process
            begin('self', process.pid)
        ];
        expect(liveRuns(records, 'self').map(r => r.run)).toEqual(['a']);
        expect(liveRuns(records.slice(1), 'self')).toEqual([]);
    });
});
