/**
 * `backplan timeline` (DESIGN §12): before any run, the planner's estimate, labelled so;
 * after a real rolling backup (the CLI bundle, demo servers with real stop/start commands),
 * each server's stop window from the journal and never a moment with no holder of a
 * folder up; from a hand-written journal where both holders were down at once, that
 * moment drawn and said. Waits for nothing but the CLI's exit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journalFile } from '@backplan/engine';
import { Lab, seedMail } from '../engine/lab.js';
import { hasStackTrace } from '../helpers/run-cli.js';
import { expectSelfContainedSvg } from './picture-support.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

const SERVERS = [{ name: 'Mail1' }, { name: 'Cat1', role: 'catalog' as const }, { name: 'Cat2', role: 'catalog' as const }, { name: 'Cat3', role: 'catalog' as const }];

function makeLab(parallel?: number): Lab {
    const l = Lab.create();
    lab = l;
    l.writeRunbook(SERVERS, { parallel, folders: [{ name: 'Shared', on: ['Cat1', 'Cat2', 'Cat3'] }, { name: 'Pair', on: ['Cat1', 'Cat3'] }] });
    return l;
}

async function timelineJson(l: Lab, args: string[] = []): Promise<any> {
    const r = await l.cli('timeline', ['--format', 'json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
}

describe('backplan timeline', () => {
    it('before any run: the planner\'s estimate, labelled so; rolling keeps a holder of every folder up', async () => {
        const l = makeLab();
        const t = await timelineJson(l);
        expect(t).toMatchObject({ source: 'estimate', estimated: true, policies: ['Nightly'], problems: [] });
        expect(t.lanes.map((x: any) => x.server)).toEqual(['Mail1', 'Cat1', 'Cat2', 'Cat3']);
        const windows = t.lanes.map((x: any) => x.windows);
        for (const w of windows) expect(w).toHaveLength(1);
        // One server after another: each window ends before the next begins.
        for (let i = 1; i < windows.length; i++) expect(windows[i][0].startOffset).toBeGreaterThanOrEqual(windows[i - 1][0].endOffset);
        expect(t.folders.map((f: any) => [f.folder, f.minUp])).toEqual([['Shared', 2], ['Pair', 1]]);
        const svg = await l.cli('timeline');
        expect(svg.code, svg.stderr).toBe(0);
        expectSelfContainedSvg(svg.stdout);
        expect(svg.stdout).toContain('Estimated backup window');
        expect(svg.stdout).toContain('ESTIMATED: no run of this backup in the journal yet');
        expect(svg.stdout).not.toContain('NONE UP');
    });

    it('estimates parallel 3 in the planner\'s waves: never the last running holder of a folder', async () => {
        const t = await timelineJson(makeLab(3));
        expect(t.estimated).toBe(true);
        expect(t.problems).toEqual([]);
        expect(t.folders.every((f: any) => f.minUp >= 1)).toBe(true);
        // Three at once would stop Cat1–Cat3 together; the planner holds one back.
        const starts = t.lanes.map((x: any) => x.windows[0].startOffset);
        expect(new Set(starts).size).toBe(2);
    });

    it('after a real rolling backup: one stop window per server from the journal, never a folder with no holder up', async () => {
        const l = makeLab();
        for (const s of SERVERS) {
            seedMail(l.data(s.name), 20, 1000);
            expect(l.app(s.name, 'start', s.role ?? 'mail')).toBe(0);
        }
        const backup = await l.cli('backup');
        expect(backup.code, backup.stderr).toBe(0);
        const t = await timelineJson(l, ['--policy', 'Nightly']);
        expect(t).toMatchObject({ source: 'journal', estimated: false, verb: 'backup', problems: [] });
        const history = JSON.parse((await l.cli('history', ['--format', 'json'])).stdout);
        expect(t.run).toBe(history.runs.at(-1).run);
        for (const lane of t.lanes) {
            expect(lane.windows).toHaveLength(1);
            const [w] = lane.windows;
            expect(Date.parse(w.end)).toBeGreaterThanOrEqual(Date.parse(w.start));
            expect(w.seconds).toBeCloseTo(w.endOffset - w.startOffset, 6);
            expect(w.open).toBe(false);
        }
        expect(t.folders.map((f: any) => f.folder)).toEqual(['Shared', 'Pair']);
        for (const f of t.folders) expect(f.minUp).toBeGreaterThanOrEqual(1);
        expect(t.folders.flatMap((f: any) => f.segments.map((s: any) => s.up))).not.toContain(0);
        const svg = await l.cli('timeline', ['--run', t.run]);
        expect(svg.code, svg.stderr).toBe(0);
        expectSelfContainedSvg(svg.stdout);
        expect(svg.stdout).toContain(`backup run ${t.run}`);
        expect(svg.stdout).not.toContain('NONE UP');
        expect(svg.stdout).toContain('at every moment at least one holder of each folder was up.');
    });

    it('from a journal where both holders of a folder were down at once: that moment is drawn and said', async () => {
        const l = makeLab();
        const file = journalFile(l.state, l.runbook);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 2, 0, s)).toISOString();
        const step = (event: 'begin' | 'end', name: string, server: string, s: number, extra: object = {}) =>
            ({ type: 'step', event, run: 'R1', time: at(s), step: name, server, policy: 'Nightly', tape: 'T', ...extra });
        const records = [
            { type: 'run', event: 'begin', run: 'R1', time: at(0), verb: 'backup', command: 'backplan backup', pid: 1, host: 'elsewhere', runbook: l.runbook },
            step('begin', 'stop', 'Cat1', 1, { restart: { command: 'demo-app start', host: 'local', env: {} } }), step('end', 'stop', 'Cat1', 2, { ok: true }),
            step('begin', 'stop', 'Cat3', 4, { restart: { command: 'demo-app start', host: 'local', env: {} } }), step('end', 'stop', 'Cat3', 5, { ok: true }),
            // A kernel that measures stop windows itself also writes `window` (seconds): tolerated, times rule.
            step('end', 'start', 'Cat1', 10, { ok: true, window: 9 }), step('end', 'start', 'Cat3', 12, { ok: true, window: 8 }),
            { type: 'run', event: 'end', run: 'R1', time: at(14), ok: true }
        ];
        fs.writeFileSync(file, records.map(r => JSON.stringify(r)).join('\n') + '\n');
        const t = await timelineJson(l);
        expect(t).toMatchObject({ source: 'journal', run: 'R1', start: at(0), end: at(14), duration: 14 });
        expect(t.lanes.find((x: any) => x.server === 'Cat1').windows).toEqual([expect.objectContaining({ start: at(1), end: at(10), seconds: 9 })]);
        expect(t.lanes.find((x: any) => x.server === 'Cat2').windows).toEqual([]);
        const pair = t.folders.find((f: any) => f.folder === 'Pair');
        expect(pair.minUp).toBe(0);
        expect(pair.segments).toEqual([
            expect.objectContaining({ startOffset: 0, endOffset: 1, up: 2 }), expect.objectContaining({ startOffset: 1, endOffset: 4, up: 1 }),
            expect.objectContaining({ startOffset: 4, endOffset: 10, up: 0 }), expect.objectContaining({ startOffset: 10, endOffset: 12, up: 1 }),
            expect.objectContaining({ startOffset: 12, endOffset: 14, up: 2 })
        ]);
        expect(t.folders.find((f: any) => f.folder === 'Shared').minUp).toBe(1);
        expect(t.problems).toEqual([expect.objectContaining({
            folder: 'Pair', start: at(4), end: at(10),
            message: `Folder 'Pair' had no holder up from ${at(4)} to ${at(10)} (6 s): every holder (Cat1 and Cat3) was stopped, so no copy of it was reachable.`
        })]);
        const svg = await l.cli('timeline');
        expect(svg.code, svg.stderr).toBe(0);
        expectSelfContainedSvg(svg.stdout);
        expect(svg.stdout).toContain('⚠ NONE UP');
        expect(svg.stdout).toContain('Folder &apos;Pair&apos; had no holder up from');
    });

    it('exits 2 with one line for an unknown run or policy', async () => {
        const l = makeLab();
        const run = await l.cli('timeline', ['--run', 'nope']);
        expect(run.code).toBe(2);
        expect(run.stderr).toBe('backplan: no run nope in the journal of this runbook (see `backplan history`)\n');
        const policy = await l.cli('timeline', ['--policy', 'Weekly']);
        expect(policy.code).toBe(2);
        expect(policy.stderr).toBe('backplan: no backup named Weekly in this runbook (backups: Nightly)\n');
        for (const r of [run, policy]) expect(hasStackTrace(r.stderr)).toBe(false);
    });
});
