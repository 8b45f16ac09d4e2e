/**
 * Retention on a restic tape is restic's own `forget` with the tape's `keep`, per server
 * (DESIGN §9), against real restic 0.14: snapshots made at chosen times (`--time`) for two
 * servers; restic's decision for one server is exactly what Backplan's own keep policy
 * (retention/keep-policy.ts, restic's semantics) decides for the same times; the other
 * server and every manifest snapshot are left alone by it; the manifests of forgotten
 * snapshots are then orphans, forgotten in turn, and `prune` leaves a repository that
 * `check` passes and whose archives are exactly the kept ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyKeepPolicy } from '../../packages/engine/out/retention/keep-policy.js';
import { LocalResticShell, ResticRepository, type ResticSnapshot } from '../../packages/engine/out/restic/index.js';
import { ResticLab, resticSkip, resticSuiteName } from './restic-lab.js';

/** Local times of the snapshots: two on one day, a gap of days, weeks and months. */
const TIMES = ['2026-01-10T09:00:00', '2026-02-03T09:00:00', '2026-02-20T09:00:00', '2026-02-27T09:00:00', '2026-03-02T02:00:00',
    '2026-03-02T14:00:00', '2026-03-03T02:00:00', '2026-03-05T02:00:00', '2026-03-06T02:00:00', '2026-03-06T20:00:00'];
const KEEP = { last: 2, daily: 3, weekly: 2, monthly: 3 };

describe.skipIf(resticSkip)(resticSuiteName('restic retention'), () => {
    let lab: ResticLab;
    let repo: ResticRepository;
    const made = new Map<string, ResticSnapshot[]>([['Mail', []], ['Cat1', []]]);

    beforeAll(async () => {
        lab = ResticLab.create();
        repo = new ResticRepository(new LocalResticShell(), lab.target(path.join(lab.root, 'repo')), 'Offsite');
        await repo.init();
        const data = lab.dir('data');
        fs.writeFileSync(path.join(data, 'file'), 'data\n');
        for (const [i, time] of TIMES.entries()) {
            for (const server of ['Mail', 'Cat1'] as const) {
                if (server === 'Cat1' && i % 3 !== 0) continue;
                const runId = `run-${i}`;
                const { snapshot, summary } = await repo.backup(data, { server, runId, policy: 'Nightly', time: new Date(time) });
                await repo.writeManifest({
                    format: 'backplan-restic-manifest', version: 1, snapshot: snapshot.id, server, policy: 'Nightly', runId,
                    runbook: '/r.backplan', tape: 'Offsite', host: 'local', data, folders: [], summary, files: 1, entries: [],
                    times: { backupStarted: new Date(time).toISOString(), backupFinished: new Date(time).toISOString() }, tools: {}
                }, { time: new Date(time) });
                made.get(server)!.push(snapshot);
            }
        }
    }, 300_000);
    afterAll(() => lab?.remove());

    test('restic keeps, per server, exactly what Backplan\'s keep policy keeps for the same times', async () => {
        const mail = made.get('Mail')!;
        const expected = applyKeepPolicy(mail.map(s => ({ id: s.id, server: 'Mail', time: new Date(s.time), verified: false })), KEEP)
            .filter(d => d.keep).map(d => d.item.id).sort();
        const dry = await repo.forget('Mail', KEEP, { dryRun: true });
        expect(dry.keep.map(k => k.snapshot.id).sort()).toEqual(expected);
        expect(dry.remove.map(s => s.id).sort()).toEqual(mail.map(s => s.id).filter(id => !expected.includes(id)).sort());
        expect(dry.keep.every(k => k.reasons.length > 0)).toBe(true);
        expect(expected.length).toBeLessThan(mail.length);
        expect((await repo.archives({ host: 'Mail' })).archives).toHaveLength(mail.length); // a dry run removes nothing

        const done = await repo.forget('Mail', KEEP);
        expect(done.keep.map(k => k.snapshot.id).sort()).toEqual(expected);
        const { archives, unfinished, orphans } = await repo.archives();
        expect(archives.filter(a => a.snapshot.hostname === 'Mail').map(a => a.snapshot.id).sort()).toEqual(expected);
        expect(archives.filter(a => a.snapshot.hostname === 'Cat1').map(a => a.snapshot.id).sort()).toEqual(made.get('Cat1')!.map(s => s.id).sort());
        expect(unfinished).toEqual([]);
        expect(orphans.map(o => o.tags.find(t => t.startsWith('snapshot:'))!.slice(9)).sort()).toEqual(done.remove.map(s => s.id).sort());
    }, 300_000);

    test('the orphaned manifests are forgotten, prune frees the space, check passes', async () => {
        await repo.forgetIds((await repo.archives()).orphans.map(o => o.id));
        expect((await repo.archives()).orphans).toEqual([]);
        await repo.prune();
        expect(await repo.check()).toMatch(/no errors were found/);
        const left = await repo.snapshots();
        expect(left.filter(s => s.hostname === 'Mail' && s.tags.includes('backplan'))).toHaveLength((await repo.forget('Mail', KEEP, { dryRun: true })).keep.length);
    }, 300_000);

    test('a tape without keep forgets nothing', async () => {
        await expect(repo.forget('Mail', {})).rejects.toThrow(/tape Offsite has no `keep`: nothing is forgotten without a policy/);
    });
});
