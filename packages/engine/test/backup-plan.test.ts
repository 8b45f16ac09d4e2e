import { describe, expect, it } from 'vitest';
import { planBackup, PlanRefusedError, PlanUsageError, runScope } from '../src/plan/backup-plan.js';
import { planJson, renderPlanText } from '../src/plan/plan-render.js';
import { classifyDiagnostics } from '../src/plan/refusal-codes.js';
import { modelOf, RUNBOOK } from './model-support.js';

const actions = (plan: ReturnType<typeof planBackup>): string[] =>
    plan.steps.map(s => [s.action, s.server ?? s.tape ?? s.servers?.join('+')].join(' '));

describe('backup planner', () => {
    it('runs every backup in file order, rolling one server at a time, start after every stop', async () => {
        const { model } = await modelOf(RUNBOOK);
        const plan = planBackup(model, {});
        expect(plan.items.map(i => i.backup.name)).toEqual(['Nightly', 'Weekly']);
        expect(actions(plan).slice(0, 13)).toEqual([
            'preflight Mail1+Cat1+Cat2', 'lock Vault',
            'stop Mail1', 'archive Mail1', 'start Mail1', 'verify Mail1', 'record Mail1',
            'stop Cat1', 'archive Cat1', 'start Cat1', 'verify Cat1', 'record Cat1', 'unlock Vault'
        ]);
        expect(plan.steps.map(s => s.n)).toEqual(plan.steps.map((_, i) => i + 1));
    });

    it('marks the batches of parallel N', async () => {
        const { model } = await modelOf(RUNBOOK);
        const plan = planBackup(model, { policy: 'Weekly' });
        expect(plan.items[0].parallel).toBe(2);
        // Cat1 and Cat2 hold the same folders: the runner never stops both at once, and the
        // plan says so (Cat2 in batch 2, waiting for Cat1) instead of numbering by position.
        const stops = plan.steps.filter(s => s.action === 'stop');
        expect(stops.map(s => [s.server, s.concurrent])).toEqual([['Cat1', 1], ['Cat2', 2]]);
        expect(stops[1].waitsFor).toMatchObject({ down: ['Cat1'] });
    });

    it('--server alone uses the one backup that holds it and asks for --policy when several do', async () => {
        const { model } = await modelOf(RUNBOOK);
        expect(planBackup(model, { servers: ['Mail1'] }).items.map(i => i.backup.name)).toEqual(['Nightly']);
        expect(() => planBackup(model, { servers: ['Cat1'] })).toThrow(PlanUsageError);
        expect(() => planBackup(model, { servers: ['Cat1'] })).toThrow(/--policy/);
        const one = planBackup(model, { policy: 'Weekly', servers: ['Cat2'] });
        expect(one.items[0].servers.map(s => s.server.name)).toEqual(['Cat2']);
        expect(() => planBackup(model, { servers: ['Nope'] })).toThrow(/no server named Nope/);
        expect(() => planBackup(model, { policy: 'Nightly', servers: ['Cat2'] })).toThrow(/does not hold Cat2/);
    });

    it('carries each server\'s folders from the coverage model', async () => {
        const { model } = await modelOf(RUNBOOK);
        const plan = planBackup(model, { policy: 'Nightly' });
        expect(plan.items[0].servers.map(s => [s.server.name, s.folders.map(f => f.name)])).toEqual([['Mail1', []], ['Cat1', ['Engineering', 'Sales']]]);
        const json = planJson(plan) as { backups: Array<{ servers: Array<{ folders: Array<{ path: string }> }> }> };
        expect(json.backups[0].servers[1].folders.map(f => f.path)).toEqual(['Engineering', 'Sales Dept']);
        expect(renderPlanText(plan)).toMatch(/Cat1: \/srv\/cat1 \(folders Engineering, Sales\)/);
    });

    it('refuses a server without stop in this run, and only in this run', async () => {
        const text = RUNBOOK.replace('stop "stop cat" start "start cat" }\nfolder', 'start "start cat" }\nfolder');
        const { model, diagnostics } = await modelOf(text);
        expect(diagnostics.some(d => d.code === 'backup.no-stop')).toBe(true);
        expect(() => planBackup(model, { policy: 'Weekly' })).toThrow(PlanRefusedError);
        const nightly = planBackup(model, { policy: 'Nightly' });
        const scoped = classifyDiagnostics('backup', diagnostics, runScope(nightly.items, model, { policy: 'Nightly' }));
        expect(scoped.blocking).toEqual([]);
        expect(scoped.warnings.map(d => d.code)).toContain('backup.no-stop');
    });
});

describe('refusal codes', () => {
    it('blocks run verbs on unsafe errors and shows coverage errors as warnings', async () => {
        const { diagnostics } = await modelOf(RUNBOOK.replace('folder Sales on Cat1, Cat2', 'folder Sales on Cat2\nfolder Lonely on Cat2'));
        const split = classifyDiagnostics('backup', diagnostics);
        expect(split.blocking).toEqual([]);
        expect(split.warnings.map(d => d.code)).toContain('master.incomplete');
    });

    it('refuses every verb on a bad host; prune also on retention.invalid', async () => {
        const bad = await modelOf(RUNBOOK.replace('server Cat2 { role catalog host local', 'server Cat2 { role catalog host "ftp://x"'));
        for (const verb of ['backup', 'verify', 'archives', 'history'] as const) {
            expect(classifyDiagnostics(verb, bad.diagnostics).blocking.map(d => d.code)).toContain('host.invalid');
        }
        const keep = await modelOf(RUNBOOK.replace('keep last 3', 'keep last 0'));
        expect(classifyDiagnostics('prune', keep.diagnostics).blocking.map(d => d.code)).toEqual(['retention.invalid']);
        expect(classifyDiagnostics('backup', keep.diagnostics).blocking).toEqual([]);
    });
});

describe('backup planner, restic tapes', () => {
    const RESTIC = `
tape Offsite { restic "sftp:backup@vault:/srv/restic" password-file "/etc/backplan/offsite.pass" keep daily 7 }
server Mail1 { role mail host local data "/srv/mail" stop "systemctl stop mail" start "systemctl start mail" }
backup Nightly { servers Mail1 to Offsite }
`;

    it('plans a backup to a restic tape with a folder tape\'s steps, and the plan says restic runs them', async () => {
        const { model } = await modelOf(RESTIC);
        const plan = planBackup(model, {});
        expect(actions(plan)).toEqual(['preflight Mail1', 'lock Offsite', 'stop Mail1', 'archive Mail1', 'start Mail1', 'verify Mail1', 'record Mail1', 'unlock Offsite']);
        expect(plan.steps.filter(s => s.restic).map(s => s.action)).toEqual(['lock', 'archive', 'verify', 'record']);
        const text = renderPlanText(plan);
        expect(text).toContain('tape Offsite (restic repository sftp:backup@vault:/srv/restic, restic runs on each server\'s host)');
        expect(text).toContain('Mail1: restic backup of the data folder on the server\'s host into sftp:backup@vault:/srv/restic (--host Mail1');
        expect(text).toContain('create the repository (restic init) if pre-flight found none');
        expect((planJson(plan) as { backups: Array<{ tape: object }> }).backups[0].tape).toEqual({ name: 'Offsite', restic: 'sftp:backup@vault:/srv/restic' });
    });

    it('refuses a restic tape without its password file', async () => {
        const { model } = await modelOf(RESTIC.replace(' password-file "/etc/backplan/offsite.pass"', ''));
        expect(() => planBackup(model, {})).toThrow(/restic tape Offsite has no `password-file`/);
    });
});
