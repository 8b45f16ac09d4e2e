/**
 * The status of a runbook from hand-made journals (DESIGN §8): last run, success and
 * archive per (block, server), runs that failed as a whole or were killed, runs still
 * going, pending restarts, staleness, and the journal tail that is enough.
 */
import { describe, expect, it } from 'vitest';
import type { RunbookModel } from '@backplan/language';
import type { JournalRecord } from '../src/journal/journal-record.js';
import { buildStatus, type RunbookStatus } from '../src/status/status-model.js';
import { statusTailIsEnough } from '../src/status/status-tail.js';
import { skipForStatus } from '../src/status/run-ledger.js';
import { jsonLines, madeRun } from './journal-runs.js';
import { modelOf, RUNBOOK } from './model-support.js';

// Schedules fire in local time: these journals are written in UTC.
process.env.TZ = 'UTC';
const NOW = new Date('2026-11-25T10:00:00Z');
const dead = (): boolean => false;

async function statusOf(records: JournalRecord[], options: { now?: Date; model?: RunbookModel; alive?: () => boolean } = {}): Promise<RunbookStatus> {
    const model = options.model ?? (await modelOf(RUNBOOK)).model;
    return buildStatus({ model, records, journalFile: '/state/j.jsonl', now: options.now ?? NOW, alive: options.alive ?? dead });
}

const server = (s: RunbookStatus, policy: string, name: string) => s.blocks.find(b => b.policy === policy)!.servers.find(x => x.server === name)!;

const nightly = (run: string, at: string, extra: Partial<Parameters<typeof madeRun>[0]> = {}) => madeRun({
    run, at, command: 'backplan backup /rb/main.backplan --policy Nightly',
    parts: [{ server: 'Mail1', policy: 'Nightly', window: 12.5, bytes: 4096 }, { server: 'Cat1', policy: 'Nightly' }], ...extra
});

describe('status from the journal', () => {
    it('per block and server: the last run, the last success, the last archive with its stop window and size', async () => {
        const s = await statusOf([
            ...nightly('r1', '2026-11-24T02:00:00Z'),
            ...nightly('r2', '2026-11-25T02:00:00Z', { parts: [{ server: 'Mail1', policy: 'Nightly', fails: 'stop' }, { server: 'Cat1', policy: 'Nightly' }] })
        ]);
        const mail = server(s, 'Nightly', 'Mail1');
        expect(mail.lastRun).toMatchObject({ run: 'r2', ok: false, error: 'stop exited with code 1' });
        expect(mail.lastSuccess).toMatchObject({ run: 'r1', ok: true });
        // The window and size the runner wrote win; without them the window is stop begun → start ended.
        expect(mail.lastArchive).toMatchObject({ run: 'r1', stopWindowSeconds: 12.5, bytes: 4096 });
        const cat = server(s, 'Nightly', 'Cat1');
        expect(cat.lastRun).toMatchObject({ run: 'r2', ok: true });
        expect(cat.lastArchive?.stopWindowSeconds).toBe(50); // stop begun → start ended: five steps of 10 s
        expect(cat.lastArchive?.bytes).toBeUndefined();
        expect(cat.lastDrill).toBeUndefined();
        expect(s.ok).toBe(false);
        expect(s.blocks.find(b => b.policy === 'Nightly')!.lastSuccess).toBe(mail.lastSuccess!.time);
    });

    it('a run that failed before any server (pre-flight, lock) is the failed last run of every server it meant to back up', async () => {
        const s = await statusOf([...nightly('r1', '2026-11-24T02:00:00Z'), ...madeRun({ run: 'r2', at: '2026-11-25T02:00:00Z', failsFirst: 'tape Vault is not writable', parts: [] })]);
        for (const b of s.blocks) {
            for (const st of b.servers) {
                expect(st.lastRun, `${b.policy}/${st.server}`).toMatchObject({ run: 'r2', ok: false, error: expect.stringMatching(/never reached: pre-flight failed.*not writable/) });
            }
        }
        expect(server(s, 'Nightly', 'Mail1').lastSuccess?.run).toBe('r1');
        expect(server(s, 'Weekly', 'Cat2').lastSuccess).toBeUndefined();
    });

    it('--policy and --server limit a run to what it asked for; a pre-flight skip goes to the blocks it targeted', async () => {
        const s = await statusOf([
            ...madeRun({ run: 'r1', at: '2026-11-24T02:00:00Z', command: 'backplan backup /rb/main.backplan --server=Cat2', parts: [{ server: 'Cat2', policy: 'Weekly' }] }),
            ...madeRun({ run: 'r2', at: '2026-11-25T02:00:00Z', command: 'backplan backup /rb/main.backplan --policy Nightly', skipped: ['Cat1'], parts: [{ server: 'Mail1', policy: 'Nightly' }] })
        ]);
        expect(server(s, 'Weekly', 'Cat2').lastRun).toMatchObject({ run: 'r1', ok: true });
        expect(server(s, 'Weekly', 'Cat1').lastRun).toBeUndefined();
        expect(server(s, 'Nightly', 'Cat1').lastRun).toMatchObject({ run: 'r2', ok: false, error: 'host unreachable' });
        expect(server(s, 'Nightly', 'Mail1').lastRun).toMatchObject({ run: 'r2', ok: true });
    });

    it('a killed run: its servers failed, the application it stopped is a pending restart; a run still going is shown, not counted', async () => {
        const killed = madeRun({ run: 'r1', at: '2026-11-25T02:00:00Z', command: 'backplan backup /rb/main.backplan --policy Nightly', ends: false, parts: [{ server: 'Mail1', policy: 'Nightly' }, { server: 'Cat1', policy: 'Nightly', fails: 'killed' }] });
        const s = await statusOf(killed);
        expect(server(s, 'Nightly', 'Mail1').lastRun).toMatchObject({ ok: true });
        expect(server(s, 'Nightly', 'Cat1').lastRun).toMatchObject({ ok: false, error: 'the run was killed before it finished' });
        expect(s.pendingRestarts).toEqual([expect.objectContaining({ run: 'r1', server: 'Cat1', runEnded: false })]);
        expect(s.ok).toBe(false);
        const going = await statusOf(killed, { alive: () => true });
        expect(going.blocks.find(b => b.policy === 'Nightly')!.running).toMatchObject({ run: 'r1' });
        expect(server(going, 'Nightly', 'Cat1').lastRun).toBeUndefined();
        expect(going.pendingRestarts).toEqual([]);
    });

    it('a block is stale by its schedule, or by `stale after`; ok needs no stale block and every last run a success', async () => {
        const records = [
            ...nightly('r1', '2026-11-25T02:00:00Z'),
            ...madeRun({ run: 'r2', at: '2026-11-22T03:00:00Z', command: 'backplan backup /rb/main.backplan --policy Weekly', parts: [{ server: 'Cat1', policy: 'Weekly' }, { server: 'Cat2', policy: 'Weekly' }] })
        ];
        // 2026-11-22 is a Sunday: Weekly ("0 3 * * 0") fired then and succeeded after.
        let s = await statusOf(records);
        expect(s.blocks.map(b => [b.policy, b.stale])).toEqual([['Nightly', false], ['Weekly', false]]);
        expect(s.ok).toBe(true);
        s = await statusOf(records, { now: new Date('2026-11-26T04:30:00Z') });
        expect(s.blocks.map(b => [b.policy, b.stale])).toEqual([['Nightly', true], ['Weekly', false]]);
        expect(s.ok).toBe(false);
        // Weekly's Cat2 never succeeding makes the block stale, and says who.
        s = await statusOf(records.filter(r => !(r.type === 'step' && r.server === 'Cat2')));
        expect(s.blocks[1]).toMatchObject({ stale: true, staleReason: expect.stringMatching(/^Cat2 never succeeded, though its schedule fired at 2026-11-22T03:00/) });
        const { model } = await modelOf(RUNBOOK);
        const withStaleAfter = { ...model, backups: model.backups.map(b => ({ ...b, staleAfterMs: 48 * 3_600_000 })) };
        s = await statusOf(records, { now: new Date('2026-11-26T04:30:00Z'), model: withStaleAfter });
        expect(s.blocks.map(b => [b.policy, b.stale, b.staleAfterSeconds])).toEqual([['Nightly', false, 172_800], ['Weekly', true, 172_800]]);
    });
});

describe('the journal tail the status needs', () => {
    it('is enough once every run in it is whole and every server has its last success in it', async () => {
        const { model } = await modelOf(RUNBOOK);
        const enough = statusTailIsEnough(model, dead);
        const weekly = madeRun({ run: 'w1', at: '2026-11-22T03:00:00Z', parts: [{ server: 'Cat1', policy: 'Weekly' }, { server: 'Cat2', policy: 'Weekly' }] });
        const night = nightly('n1', '2026-11-25T02:00:00Z');
        expect(enough([...weekly, ...night])).toBe(true);
        expect(enough(night)).toBe(false); // Weekly's servers have no success in it
        // w1 without its begin is a run seen in part: left out, so Weekly's servers lack their success.
        expect(enough([...weekly.slice(1), ...night])).toBe(false);
        expect(enough([...nightly('n0', '2026-11-21T02:00:00Z').slice(4), ...weekly, ...night])).toBe(true);
    });

    it('waits for a passed drill of every (drill block, server): a failed last drill leaves its last pass further back', async () => {
        const { model } = await modelOf(`${RUNBOOK}drill Check { servers Mail1 from Vault }\n`);
        const enough = statusTailIsEnough(model, dead);
        const drilled = (run: string, time: string, ok: boolean): JournalRecord[] => [
            { type: 'run', event: 'begin', run, time, verb: 'drill', command: 'backplan drill', pid: 1, host: 'elsewhere', runbook: '/rb/main.backplan' },
            { type: 'drill', run, time, drill: 'Check', server: 'Mail1', tape: 'Vault', ok, archive: 'A', pick: { order: 'newest', index: 0, of: 1 }, verified: ok },
            { type: 'run', event: 'end', run, time, ok }
        ];
        const weekly = madeRun({ run: 'w1', at: '2026-11-22T03:00:00Z', parts: [{ server: 'Cat1', policy: 'Weekly' }, { server: 'Cat2', policy: 'Weekly' }] });
        const night = nightly('n1', '2026-11-25T02:00:00Z');
        expect(enough([...drilled('d1', '2026-11-21T04:00:00Z', true), ...weekly, ...night])).toBe(true);
        expect(enough([...weekly, ...night, ...drilled('d2', '2026-11-25T04:00:00Z', false)])).toBe(false);
        expect(enough([...drilled('d1', '2026-11-21T04:00:00Z', true), ...weekly, ...night, ...drilled('d2', '2026-11-25T04:00:00Z', false)])).toBe(true);
    });
});

it('skips unparsed only lines the status does not read', () => {
    const lines = jsonLines([...nightly('r1', '2026-11-24T02:00:00Z'), ...nightly('r2', '2026-11-25T02:00:00Z', { parts: [{ server: 'Mail1', policy: 'Nightly', fails: 'verify' }] })]).trim().split('\n');
    const kept = lines.filter(l => !skipForStatus(l)).map(l => JSON.parse(l));
    expect(kept.filter(r => r.type === 'step' && r.event === 'begin').every(r => r.step === 'stop')).toBe(true);
    expect(kept.filter(r => r.type === 'step' && r.event === 'end' && r.ok).map(r => r.step)).toEqual(expect.arrayContaining(['start', 'archive', 'record']));
    expect(kept.some(r => r.type === 'step' && r.event === 'end' && r.ok && ['stop', 'verify', 'preflight'].includes(r.step))).toBe(false);
    expect(kept.filter(r => r.type === 'step' && r.ok === false).map(r => r.step)).toEqual(['verify']);
    expect(kept.filter(r => r.type === 'run')).toHaveLength(4);
});
