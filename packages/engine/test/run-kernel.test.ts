/**
 * The run kernel against the fake host (real tar and files, scripted runbook commands):
 * truthful stop/start state (a stop that never ran owes no start), `ready`, a hanging
 * stop interrupted by Ctrl-C, the stop window in the journal, and the executed steps
 * being the planned ones for a rolling and a parallel backup.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerModel } from '@backplan/language/model';
import { Journal } from '../src/journal/journal.js';
import type { StepRecord } from '../src/journal/journal-record.js';
import { findUnfinished } from '../src/journal/recovery.js';
import { planBackup, type BackupPlan } from '../src/plan/backup-plan.js';
import { silentReporter } from '../src/progress/progress-reporter.js';
import { runBackup, type BackupRunResult } from '../src/run/backup-runner.js';
import { planRestore } from '../src/plan/restore-plan.js';
import { readCatalog, runRestore } from '../src/restore/restore-runner.js';
import { FakeHost, type CommandScript } from './fake-host.js';
import { modelOf } from './model-support.js';

const root = mkdtempSync(path.join(tmpdir(), 'bp-kernel-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A runbook of local servers with real data folders; `extra` is added to every server block. */
async function lab(servers: string[], backup: string, extra = ''): Promise<{ plan: BackupPlan; journal: Journal; dir: string; servers: readonly ServerModel[] }> {
    const dir = path.join(root, `lab${++n}`);
    for (const s of servers) {
        mkdirSync(path.join(dir, s, 'People'), { recursive: true });
        writeFileSync(path.join(dir, s, 'People', 'a.txt'), `${s}\n`);
    }
    const { model } = await modelOf([
        `tape T { at "${path.join(dir, 'tape')}" }`,
        ...servers.map(s => `server ${s} { role catalog host local data "${path.join(dir, s)}" stop "app stop" start "app start" ${extra} }`),
        `folder People on ${servers.join(', ')}`,
        backup
    ].join('\n'));
    return { plan: planBackup(model, {}), journal: new Journal(path.join(dir, 'journal.jsonl')), dir, servers: model.servers };
}

async function run(plan: BackupPlan, journal: Journal, host: FakeHost, signal = new AbortController().signal): Promise<BackupRunResult> {
    return runBackup({
        plan, runbookPath: '/ws/main.backplan', journal, command: 'test', version: 'test', reporter: silentReporter, signal, hostFor: () => host
    });
}

/**
 * Answers the runbook's commands by their BACKPLAN_ACTION (default: success) and the
 * pre-flight's `command -v` of them (found); Backplan's own commands (mkdir, mv…) run for real.
 */
function byAction(answers: Partial<Record<string, CommandScript>>): CommandScript {
    return (command, env) => {
        if (env.BACKPLAN_ACTION) return answers[env.BACKPLAN_ACTION]?.(command, env) ?? { code: 0 };
        return command.startsWith('command -v') ? { code: 0 } : undefined;
    };
}

const steps = async (journal: Journal): Promise<StepRecord[]> => (await journal.read()).filter((r): r is StepRecord => r.type === 'step');

describe('the run kernel: truthful state', () => {
    it('a stop that was not found (exit 127) stopped nothing: no start, no "NOT running", nothing pending', async () => {
        const { plan, journal } = await lab(['Cat1'], 'backup B { servers Cat1 to T }');
        const host = new FakeHost('local', byAction({ stop: () => ({ code: 127, output: 'sh: 1: app: not found' }) }));
        const result = await run(plan, journal, host);
        const [o] = result.outcomes;
        expect(o).toMatchObject({ ok: false, stopped: false });
        expect(o.started).toBeUndefined();
        expect(o.error).toMatch(/stop command `app stop` was not found on local \(exit 127\): Cat1 was never stopped; archive skipped/);
        expect(o.error).not.toMatch(/NOT running/);
        expect(host.actions).toEqual(['stop']);
        const stopEnd = (await steps(journal)).find(r => r.step === 'stop' && r.event === 'end');
        expect(stopEnd).toMatchObject({ ok: false, stopped: false });
        expect(findUnfinished(await journal.read(), () => false)).toEqual([]);
    });

    it('a stop that failed otherwise (exit 1) may have stopped it: start is still run', async () => {
        const { plan, journal } = await lab(['Cat1'], 'backup B { servers Cat1 to T }');
        const host = new FakeHost('local', byAction({ stop: () => ({ code: 1 }) }));
        const [o] = (await run(plan, journal, host)).outcomes;
        expect(o).toMatchObject({ ok: false, stopped: true, started: true });
        expect(o.error).toMatch(/stop command `app stop` exited with code 1; archive skipped/);
        expect(host.actions).toEqual(['stop', 'start']);
    });

    it('`ready` is retried after a start until it succeeds; a start that exits 89 (already running) is then up', async () => {
        const { plan, journal } = await lab(['Cat1'], 'backup B { servers Cat1 to T }', 'ready "app ready"');
        let readyCalls = 0;
        const host = new FakeHost('local', byAction({ start: () => ({ code: 89 }), ready: () => ({ code: ++readyCalls < 3 ? 1 : 0 }) }));
        const [o] = (await run(plan, journal, host)).outcomes;
        expect(o).toMatchObject({ ok: true, started: true });
        expect(host.actions).toEqual(['stop', 'start', 'ready', 'ready', 'ready']);
        const startEnd = (await steps(journal)).find(r => r.step === 'start' && r.event === 'end')!;
        expect(startEnd.ok).toBe(true);
        expect(startEnd.window).toBeGreaterThanOrEqual(0);
        expect(o.stopWindow).toBe(startEnd.window);
    });

    it('"NOT running" only when the start failed and `ready` did not succeed', async () => {
        const { plan, journal } = await lab(['Cat1'], 'backup B { servers Cat1 to T }', 'ready "app ready" timeout 1s');
        const host = new FakeHost('local', byAction({ start: () => ({ code: 1 }), ready: () => ({ code: 1 }) }));
        const [o] = (await run(plan, journal, host)).outcomes;
        expect(o).toMatchObject({ ok: false, started: false });
        expect(o.error).toMatch(/start command `app start` exited with code 1, and ready check `app ready` did not succeed either: Cat1 is NOT running/);
    });

    it('Ctrl-C interrupts a hanging stop at once, and the application is started again', async () => {
        const { plan, journal } = await lab(['Cat1'], 'backup B { servers Cat1 to T }');
        const ctl = new AbortController();
        // The interrupt arrives while the stop hangs (sent when the stop command begins).
        const host = new FakeHost('local', byAction({ stop: () => { setImmediate(() => ctl.abort()); return { hang: true }; } }));
        const result = await run(plan, journal, host, ctl.signal);
        const [o] = result.outcomes;
        expect(result.error).toMatch(/interrupted: every stopped application was started again/);
        expect(o).toMatchObject({ ok: false, started: true });
        expect(host.actions).toEqual(['stop', 'start']);
    });
});

describe('the run kernel: executed steps are the planned steps', () => {
    /** Journal step records of a planned run: step number and name, in journal order. */
    const executed = async (journal: Journal): Promise<Array<{ n: number; step: string; server?: string }>> =>
        (await steps(journal)).filter(r => r.n !== undefined && (r.event === 'begin' || !['stop', 'start', 'archive', 'verify', 'snapshot', 'dump'].includes(r.step)))
            .map(r => ({ n: r.n!, step: r.step, server: r.server }));

    it('rolling: the journal holds every planned step, in plan order', async () => {
        const { plan, journal } = await lab(['Cat1', 'Cat2'], 'backup B { servers Cat1, Cat2 to T rolling }');
        const host = new FakeHost('local', byAction({}));
        expect((await run(plan, journal, host)).ok).toBe(true);
        const done = await executed(journal);
        expect(done.map(d => d.n)).toEqual(plan.steps.map(s => s.n));
        expect(done.map(d => d.step)).toEqual(plan.steps.map(s => s.action));
    });

    it('parallel: every planned step ran, each server in its planned order, holders never all down', async () => {
        const { plan, journal } = await lab(['Cat1', 'Cat2', 'Cat3'], 'backup B { servers Cat1, Cat2, Cat3 to T parallel 2 }');
        const host = new FakeHost('local', byAction({}));
        expect((await run(plan, journal, host)).ok).toBe(true);
        const done = await executed(journal);
        expect([...done.map(d => d.n)].sort((a, b) => a - b)).toEqual(plan.steps.map(s => s.n));
        for (const server of ['Cat1', 'Cat2', 'Cat3']) {
            expect(done.filter(d => d.server === server).map(d => d.n)).toEqual(plan.steps.filter(s => s.server === server).map(s => s.n));
        }
        const down = new Set<string>();
        let most = 0;
        for (const r of await steps(journal)) {
            if (r.step === 'stop' && r.event === 'begin') down.add(r.server!);
            if (r.step === 'start' && r.event === 'end' && r.ok) down.delete(r.server!);
            most = Math.max(most, down.size);
        }
        expect(most, 'two at once, never all three holders of People').toBe(2);
    });
});

describe('the run kernel: a restore runs its planned steps', () => {
    it('a whole server from tape: the journal\'s steps are the plan\'s, in order', async () => {
        const { plan, journal, dir } = await lab(['Cat1', 'Cat2'], 'backup B { servers Cat1, Cat2 to T rolling }');
        const host = new FakeHost('local', byAction({}));
        expect((await run(plan, journal, host)).ok).toBe(true);
        const { model } = await modelOf([
            `tape T { at "${path.join(dir, 'tape')}" }`,
            ...['Cat1', 'Cat2'].map(s => `server ${s} { role catalog host local data "${path.join(dir, s)}" stop "app stop" start "app start" }`),
            'folder People on Cat1, Cat2', 'backup B { servers Cat1, Cat2 to T rolling }'
        ].join('\n'));
        rmSync(path.join(dir, 'Cat1'), { recursive: true });
        const catalog = await readCatalog(model.tapes);
        const restorePlan = planRestore(model, catalog.map(c => c.info), { server: 'Cat1', from: 'tape' });
        const restoreJournal = new Journal(path.join(dir, 'restore-journal.jsonl'));
        const result = await runRestore({
            verb: 'restore', ops: [restorePlan.op], catalog, runbookPath: '/ws/main.backplan', journal: restoreJournal, command: 'test',
            timeoutMs: 60_000, reporter: silentReporter, signal: new AbortController().signal, hostFor: () => host
        });
        expect(result.ok, result.error ?? result.outcomes[0]?.error).toBe(true);
        // One entry per step: a begin/end pair counts once; `stage` is the journal's note of the staging folder the extract fills.
        const journalled: string[] = [];
        for (const r of await steps(restoreJournal)) {
            if (r.step === 'stage' || (r.event === 'end' && ['stop', 'start'].includes(r.step))) continue;
            journalled.push(r.step);
        }
        expect(journalled).toEqual(restorePlan.steps.map(s => s.action));
        expect(host.actions).toEqual(['stop', 'start', 'stop', 'start', 'stop', 'start']);
    });
});
