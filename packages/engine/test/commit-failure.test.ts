/**
 * A failure while a server's archive is checked and recorded (here: the state folder's
 * journal refuses one write) fails that server only: the run goes on, the other server of
 * `parallel 2` is backed up, every application runs again, the tape is unlocked only after
 * both are done, and no archive is left without its manifest.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../src/hosts/local-host.js';
import { Journal } from '../src/journal/journal.js';
import type { JournalRecord } from '../src/journal/journal-record.js';
import { planBackup } from '../src/plan/backup-plan.js';
import { silentReporter } from '../src/progress/progress-reporter.js';
import { runBackup } from '../src/run/backup-runner.js';
import { modelOf } from './model-support.js';

/** A journal whose disk fails for one record. */
class FailingJournal extends Journal {
    constructor(file: string, private readonly failOn: (r: JournalRecord) => boolean) { super(file); }
    override async append(record: JournalRecord): Promise<void> {
        if (this.failOn(record)) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
        return super.append(record);
    }
}

describe('a failure while recording an archive', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'bp-commitfail-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('fails that server only; the other is backed up, both apps run, nothing half-committed', async () => {
        const log = path.join(root, 'apps.log');
        for (const s of ['a', 'b']) {
            mkdirSync(path.join(root, s), { recursive: true });
            writeFileSync(path.join(root, s, 'data.txt'), `${s}\n`.repeat(1000));
        }
        const { model } = await modelOf([
            `tape T { at "${path.join(root, 'tape')}" }`,
            ...['A', 'B'].map(n => `server ${n} { role mail host local data "${path.join(root, n.toLowerCase())}" stop "echo stop ${n} >> ${log}" start "echo start ${n} >> ${log}" }`),
            'backup Nightly { servers A, B to T parallel 2 }'
        ].join('\n'));
        const journal = new FailingJournal(path.join(root, 'state', 'journal.jsonl'), r => r.type === 'step' && r.step === 'verify' && r.event === 'begin' && r.server === 'A');
        const result = await runBackup({
            plan: planBackup(model, {}), runbookPath: path.join(root, 'main.backplan'), journal, command: 'test', version: 'test',
            reporter: silentReporter, signal: new AbortController().signal, hostFor: () => new LocalHost()
        });
        expect(result.ok).toBe(false);
        const byServer = Object.fromEntries(result.outcomes.map(o => [o.server, o]));
        expect(byServer.A).toMatchObject({ ok: false, started: true });
        expect(byServer.A.error).toMatch(/checking and recording the archive failed: EIO/);
        expect(byServer.B).toMatchObject({ ok: true, started: true });
        expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['start A', 'start B', 'stop A', 'stop B']);
        const files = readdirSync(path.join(root, 'tape', 'archives'));
        const archives = files.filter(f => f.endsWith('.tar.zst') || f.endsWith('.tar.gz'));
        expect(archives).toHaveLength(1);
        expect(archives[0]).toContain('-B-');
        expect(files.filter(f => f.startsWith('.tmp'))).toEqual([]);
        // The run ended properly: its end record follows both servers' records.
        const records = await new Journal(path.join(root, 'state', 'journal.jsonl')).read();
        expect(records.at(-1)).toMatchObject({ type: 'run', event: 'end', ok: false });
        expect(records.filter(r => r.type === 'step' && r.step === 'unlock')).toHaveLength(1);
        const unlockAt = records.findIndex(r => r.type === 'step' && r.step === 'unlock');
        const lastServerRecord = records.map((r, i) => (r.type === 'step' && (r.server === 'A' || r.server === 'B') ? i : -1)).reduce((a, b) => Math.max(a, b));
        expect(unlockAt).toBeGreaterThan(lastServerRecord);
    });

    it('a start that failed before it stays in the report (the application is NOT running)', async () => {
        mkdirSync(path.join(root, 'c'), { recursive: true });
        writeFileSync(path.join(root, 'c', 'data.txt'), 'c\n');
        const { model } = await modelOf([
            `tape T { at "${path.join(root, 'tape-c')}" }`,
            `server C { role mail host local data "${path.join(root, 'c')}" stop "true" start "exit 3" }`,
            'backup Nightly { servers C to T }'
        ].join('\n'));
        const journal = new FailingJournal(path.join(root, 'state-c', 'journal.jsonl'), r => r.type === 'step' && r.step === 'verify' && r.event === 'begin');
        const result = await runBackup({
            plan: planBackup(model, {}), runbookPath: path.join(root, 'c.backplan'), journal, command: 'test', version: 'test',
            reporter: silentReporter, signal: new AbortController().signal, hostFor: () => new LocalHost()
        });
        const [c] = result.outcomes;
        expect(c).toMatchObject({ ok: false, started: false });
        expect(c.error).toMatch(/start command `exit 3` exited with code 3: C is NOT running; checking and recording the archive failed: EIO/);
    });
});

