/**
 * The history picture (DESIGN §12, *Show History*): per server of a backup block, over past
 * runs, the archive size, duration and stop window, and the drills with their recovery
 * times — from a hand-written journal (a failed run, a server not reached, a failed drill)
 * and from the journal of real runs of the CLI bundle (two backups and a drill of a local
 * mail server). Waits for nothing but the CLI's exit.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHistory, journalFile, renderHistorySvg, type JournalRecord } from '@backplan/engine';
import { loadRunbook } from '@backplan/language/node';
import { RunbookLab } from '../helpers/lab.js';
import { expectSelfContainedSvg } from './picture-support.js';

let lab: RunbookLab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

/** A lab with a mail server (a few messages) and two catalog servers, backed up to T, and a drill of the mail server. */
function makeLab(test = 'test -d "$BACKPLAN_DRILL_DIR"'): RunbookLab {
    const l = lab = new RunbookLab(fs.mkdtempSync(path.join(tmpdir(), 'backplan-history-')));
    for (const name of ['Mail1', 'Cat1', 'Cat2']) fs.mkdirSync(path.join(l.data(name), 'Inbox'), { recursive: true });
    for (let i = 1; i <= 5; i++) fs.writeFileSync(path.join(l.data('Mail1'), 'Inbox', `m${i}.eml`), `Subject: message ${i}\n\n${'text '.repeat(400)}\n`);
    l.write(`tape T { at "${l.tape}" }
server Mail1 { role mail host local data "${l.data('Mail1')}" stop "true" start "true" }
server Cat1 { role catalog master host local data "${l.data('Cat1')}" stop "true" start "true" }
server Cat2 { role catalog host local data "${l.data('Cat2')}" stop "true" start "true" }
folder Shared on Cat1, Cat2
backup Nightly { servers Mail1, Cat1, Cat2 to T rolling }
drill Weekly { servers Mail1 from T test ${JSON.stringify(test)} }
`);
    return l;
}

async function historyOf(l: RunbookLab, records: readonly JournalRecord[]) {
    const { model } = await loadRunbook(l.runbook);
    return buildHistory(model, records);
}

const at = (s: number, day = 25) => new Date(Date.UTC(2026, 10, day, 2, 0, s)).toISOString();

/** Two nights: the first ok for all three, the second failed at Cat1's archive, so Cat2 was never reached; two drills. */
function handJournal(runbook: string): object[] {
    const begin = (run: string, day: number, verb = 'backup') => ({ type: 'run', event: 'begin', run, time: at(0, day), verb, command: `backplan ${verb}`, pid: 1, host: 'h', runbook });
    const step = (run: string, day: number, event: 'begin' | 'end', name: string, server: string, s: number, extra: object = {}) =>
        ({ type: 'step', event, run, time: at(s, day), step: name, server, policy: 'Nightly', tape: 'T', ...(event === 'end' ? { ok: true } : {}), ...extra });
    const server = (run: string, day: number, name: string, s: number, bytes: number) => [
        step(run, day, 'begin', 'stop', name, s, { restart: { command: 'true', host: 'local', env: {} } }), step(run, day, 'end', 'stop', name, s + 1),
        step(run, day, 'begin', 'archive', name, s + 1), step(run, day, 'end', 'archive', name, s + 4, { bytes }),
        step(run, day, 'begin', 'start', name, s + 4), step(run, day, 'end', 'start', name, s + 5),
        step(run, day, 'begin', 'record', name, s + 5), step(run, day, 'end', 'record', name, s + 6)
    ];
    return [
        begin('R1', 24), ...server('R1', 24, 'Mail1', 1, 2_000_000), ...server('R1', 24, 'Cat1', 10, 5_000_000), ...server('R1', 24, 'Cat2', 20, 4_000_000),
        { type: 'run', event: 'end', run: 'R1', time: at(30, 24), ok: true },
        begin('R2', 25), ...server('R2', 25, 'Mail1', 1, 2_100_000),
        step('R2', 25, 'begin', 'stop', 'Cat1', 10, { restart: { command: 'true', host: 'local', env: {} } }), step('R2', 25, 'end', 'stop', 'Cat1', 11),
        step('R2', 25, 'begin', 'archive', 'Cat1', 11), step('R2', 25, 'end', 'archive', 'Cat1', 13, { ok: false, error: 'tar exited 2: No space left on device' }),
        step('R2', 25, 'begin', 'start', 'Cat1', 13), step('R2', 25, 'end', 'start', 'Cat1', 14),
        { type: 'run', event: 'end', run: 'R2', time: at(15, 25), ok: false, error: 'Cat1: archive failed' },
        begin('D1', 26, 'drill'),
        { type: 'drill', run: 'D1', time: at(9, 26), drill: 'Weekly', server: 'Mail1', tape: 'T', ok: true, verified: true, recoverySeconds: 7.5, pick: { order: 'newest', index: 1, of: 2 } },
        { type: 'run', event: 'end', run: 'D1', time: at(10, 26), ok: true },
        begin('D2', 27, 'drill'),
        { type: 'drill', run: 'D2', time: at(9, 27), drill: 'Weekly', server: 'Mail1', tape: 'T', ok: false, verified: true, recoverySeconds: 6, pick: { order: 'newest', index: 1, of: 2 }, error: 'test exited 1' },
        { type: 'run', event: 'end', run: 'D2', time: at(10, 27), ok: false, error: 'drill failed' }
    ];
}

describe('the history picture', () => {
    it('from a hand-made journal: sizes, durations and stop windows per run; a failed run, a server not reached and a failed drill said in words', async () => {
        const l = makeLab();
        const h = await historyOf(l, handJournal(l.runbook) as JournalRecord[]);
        expect(h.policies).toEqual(['Nightly']);
        expect(h.runs).toEqual([
            { run: 'R1', time: at(0, 24), result: 'ok' },
            { run: 'R2', time: at(0, 25), result: 'failed', error: 'Cat1: archive failed' }
        ]);
        expect(h.servers.map(s => s.server)).toEqual(['Mail1', 'Cat1', 'Cat2']);
        const [mail, cat1, cat2] = h.servers;
        expect(mail.entries.map(e => [e.result, e.bytes, e.seconds, e.stopSeconds])).toEqual([['ok', 2_000_000, 6, 5], ['ok', 2_100_000, 6, 5]]);
        expect(mail.entries[0].windows).toEqual([expect.objectContaining({ start: at(1, 24), end: at(6, 24), seconds: 5, open: false })]);
        expect(cat1.entries[1]).toMatchObject({ result: 'failed', error: 'tar exited 2: No space left on device', bytes: undefined, stopSeconds: 4 });
        expect(cat2.entries.map(e => e.result)).toEqual(['ok', 'not reached']);
        expect(h.drills.map(d => [d.run, d.ok, d.recoverySeconds])).toEqual([['D1', true, 7.5], ['D2', false, 6]]);
        expect(h.problems).toEqual([
            `Backup run R2 (${at(0, 25)}) failed: Cat1: archive failed — Cat1: tar exited 2: No space left on device`,
            `Drill Weekly of Mail1 (run D2, ${at(9, 27)}) failed: test exited 1`
        ]);
        const svg = renderHistorySvg(h, 'lab.backplan');
        expectSelfContainedSvg(svg);
        expect(svg).toContain('data-id="server:Cat2"');
        expect(svg).toContain('data-id="drill:Weekly"');
        expect(svg).toContain('⚠ failed');
        expect(svg).toContain('not reached');
        expect(svg).toContain('⚠ FAILED');
        expect(svg).toContain('passed 7.5 s');
        expect(svg).toContain('5 MB');
        expect(svg).toContain('Problems (2)');
        // The last run only (limit 1).
        const { model } = await loadRunbook(l.runbook);
        expect(buildHistory(model, handJournal(l.runbook) as JournalRecord[], { limit: 1 }).runs.map(r => r.run)).toEqual(['R2']);
    });

    it('from the journal of real runs: two backups and a passing drill, then a failing one', async () => {
        const l = makeLab();
        for (let n = 1; n <= 2; n++) {
            const r = await l.cli('backup');
            expect(r.code, r.stderr).toBe(0);
            fs.writeFileSync(path.join(l.data('Mail1'), 'Inbox', `new${n}.eml`), 'Subject: more\n\n' + 'x'.repeat(50_000));
        }
        const drill = await l.cli('drill');
        expect(drill.code, drill.stderr).toBe(0);
        l.write(fs.readFileSync(l.runbook, 'utf8').replace(/test ".*"/, 'test "exit 3"'));
        const failing = await l.cli('drill');
        expect(failing.code).not.toBe(0);
        const records = l.journal<JournalRecord>();
        expect(fs.existsSync(journalFile(l.state, l.runbook))).toBe(true);
        const h = await historyOf(l, records);
        expect(h.runs.map(r => r.result)).toEqual(['ok', 'ok']);
        for (const row of h.servers) {
            for (const e of row.entries) {
                expect(e.result).toBe('ok');
                expect(e.bytes).toBeGreaterThan(0);
                expect(e.seconds).toBeGreaterThanOrEqual(e.stopSeconds!);
                expect(e.windows).toHaveLength(1);
            }
        }
        // The second archive of Mail1 holds the message written between the runs.
        const [first, second] = h.servers[0].entries;
        expect(second.bytes!).toBeGreaterThan(first.bytes!);
        expect(h.drills.map(d => [d.drill, d.server, d.ok])).toEqual([['Weekly', 'Mail1', true], ['Weekly', 'Mail1', false]]);
        expect(h.drills[0].recoverySeconds).toBeGreaterThan(0);
        expect(h.problems).toHaveLength(1);
        expect(h.problems[0]).toMatch(/^Drill Weekly of Mail1 .* failed/);
        const svg = renderHistorySvg(h, 'lab.backplan');
        expectSelfContainedSvg(svg);
        expect(svg).toContain('⚠ FAILED');
        expect(svg).toContain('Problems (1)');

        // The CLI draws the same picture: `history --format svg`, the last run only with --limit.
        const cli = await l.cli('history', ['--format', 'svg']);
        expect(cli.code, cli.stderr).toBe(0);
        expect(cli.stdout).toBe(renderHistorySvg(h, path.basename(l.runbook)));
        const last = await l.cli('history', ['--format', 'svg', '--limit', '1', '--policy', 'Nightly']);
        expect(last.code, last.stderr).toBe(0);
        expectSelfContainedSvg(last.stdout);
        const { model } = await loadRunbook(l.runbook);
        expect(last.stdout).toBe(renderHistorySvg(buildHistory(model, records, { limit: 1 }), path.basename(l.runbook)));
        expect(last.stdout).not.toBe(cli.stdout);
    });

    it('`history --format svg` refuses an unknown backup block and a bad --limit with one line, exit 2', async () => {
        const l = makeLab();
        const unknown = await l.cli('history', ['--format', 'svg', '--policy', 'Weekly']);
        expect([unknown.code, unknown.stdout]).toEqual([2, '']);
        expect(unknown.stderr.trim().split('\n')).toEqual([expect.stringMatching(/no backup named Weekly in this runbook \(backups: Nightly\)/)]);
        for (const bad of ['0', 'two', '1.5']) {
            const r = await l.cli('history', ['--format', 'svg', '--limit', bad]);
            expect([r.code, r.stdout]).toEqual([2, '']);
            expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`--limit takes a whole number of runs ≥ 1, not "${bad}"`)]);
        }
        // Before any run: the rows of the servers, no columns yet.
        const empty = await l.cli('history', ['--format', 'svg']);
        expect(empty.code, empty.stderr).toBe(0);
        expectSelfContainedSvg(empty.stdout);
        expect(empty.stdout).toContain('data-id="server:Mail1"');
    });
});
