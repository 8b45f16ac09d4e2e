import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { guardRun } from '../src/kernel/guardian.js';
import { LocalHost } from '../src/hosts/local-host.js';
import { Journal } from '../src/journal/journal.js';
import type { JournalRecord } from '../src/journal/journal-record.js';
import { pendingRestarts, recoverUnfinished } from '../src/journal/recovery.js';

let dir: string | undefined;
afterEach(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); dir = undefined; });

function journalWith(records: JournalRecord[]): Journal {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-guardian-'));
    const file = path.join(dir, 'journal.jsonl');
    fs.writeFileSync(file, records.map(r => JSON.stringify(r)).join('\n') + '\n');
    return new Journal(file);
}

/** A run begun by this (live) process on this host, or by a dead pid. */
const begin = (run: string, pid = process.pid): JournalRecord => ({ type: 'run', event: 'begin', run, time: 't', verb: 'backup', command: 'backplan backup', pid, host: os.hostname(), runbook: '/r' });
const stop = (run: string, server: string, command = 'true'): JournalRecord => ({ type: 'step', event: 'begin', step: 'stop', run, time: `stop ${server}`, server, restart: { command, host: 'local', env: {} } });
const end = (run: string): JournalRecord => ({ type: 'run', event: 'end', run, time: 't', ok: false });
const noRecovery = async (): Promise<never> => { throw new Error('recovery must not run'); };

describe('the guardian side', () => {
    it('"end" on the pipe: the run ended normally, nothing is done', async () => {
        const input = new PassThrough();
        const outcome = guardRun(input, journalWith([begin('r1')]), 'r1', noRecovery);
        input.end('end\n');
        expect(await outcome).toEqual({ kind: 'ended' });
    });

    it('end of file without "end": recovers, unless the journal has the run\'s end (the runner died after ending)', async () => {
        const gone = new PassThrough();
        const recovered = guardRun(gone, journalWith([begin('r1'), stop('r1', 'A')]), 'r1', async () => ({ runs: [] }));
        gone.end();
        expect(await recovered).toEqual({ kind: 'recovered', result: { runs: [] } });
        const late = new PassThrough();
        const ended = guardRun(late, journalWith([begin('r1'), end('r1')]), 'r1', noRecovery);
        late.end();
        expect(await ended).toEqual({ kind: 'ended' });
    });
});

describe('recovery of one run (`only`)', () => {
    it('recovers that run although its pid looks alive, and leaves every other run alone', async () => {
        // r1's runner "is" this live process: the guardian knows better from its pipe.
        const journal = journalWith([begin('r1'), stop('r1', 'A'), begin('r2', 0x7ffffffe), stop('r2', 'B'), begin('r3'), stop('r3', 'C'), end('r3')]);
        const result = await recoverUnfinished(journal, { hostFor: () => new LocalHost(), timeoutMs: 10_000, by: 'guardian', notice: () => undefined, only: 'r1' });
        expect(result.runs.map(r => [r.run, r.started])).toEqual([['r1', ['A']]]);
        const records = await journal.read();
        expect(records.filter(r => r.type === 'recover')).toMatchObject([{ run: 'r1', server: 'A', ok: true, by: 'guardian' }]);
        expect(records.at(-1)).toMatchObject({ type: 'run', event: 'end', run: 'r1', interrupted: true, by: 'guardian' });
        // What is left for the next command: the dead r2, and r3 that ended with C down.
        expect(pendingRestarts(records).map(p => [p.run, p.server, p.host, p.since, p.ended])).toEqual([['r2', 'B', 'local', 'stop B', false], ['r3', 'C', 'local', 'stop C', true]]);
    });

    it('with nothing to recover, writes nothing (no lock file either: a read-only state folder is fine)', async () => {
        const journal = journalWith([begin('r1'), end('r1')]);
        const before = fs.readFileSync(journal.file, 'utf8');
        expect(await recoverUnfinished(journal, { hostFor: () => new LocalHost(), timeoutMs: 10_000, by: 'x', notice: () => undefined })).toEqual({ runs: [] });
        expect(fs.readFileSync(journal.file, 'utf8')).toBe(before);
        expect(fs.readdirSync(dir!)).toEqual(['journal.jsonl']);
    });
});
