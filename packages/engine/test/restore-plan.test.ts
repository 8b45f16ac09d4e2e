import { describe, expect, it } from 'vitest';
import { PlanRefusedError, PlanUsageError } from '../src/plan/backup-plan.js';
import { planRecover } from '../src/plan/recover-plan.js';
import { renderRecoverPlanText, renderRestorePlanText } from '../src/plan/restore-render.js';
import { planRestore, siblingPaths, type ArchiveInfo } from '../src/plan/restore-plan.js';
import { modelOf, RUNBOOK } from './model-support.js';

const archive = (server: string, time: string, folders: string[] = [], extra: Partial<ArchiveInfo> = {}): ArchiveInfo => ({
    tape: 'Vault', at: '/mnt/vault', id: `${time.replace(/[-:]/g, '')}-${server}-0000`, server, time,
    folders: folders.map(f => ({ name: f, path: f })), files: 1, size: 1, tarSize: 1, ...extra
});
const CATALOG = [
    archive('Mail1', '2026-11-20T02:00:00.000Z'),
    archive('Mail1', '2026-11-24T02:00:00.000Z'),
    archive('Mail1', '2026-11-25T02:00:00.000Z', [], { bad: 'its last verification failed' }),
    archive('Cat1', '2026-11-24T02:10:00.000Z', ['Engineering', 'Sales'])
];
const actions = (steps: Array<{ action: string; server?: string }>): string[] => steps.map(s => `${s.action}${s.server ? ` ${s.server}` : ''}`);

describe('restore planner: source', () => {
    it('a mail server comes from tape, the newest archive not known to be bad, in the DESIGN order', async () => {
        const { model } = await modelOf(RUNBOOK);
        const plan = planRestore(model, CATALOG, { server: 'Mail1' });
        expect(plan.op.kind).toBe('tape');
        expect(plan.why).toMatch(/mail server comes back from tape/);
        expect(plan.op.kind === 'tape' && plan.op.archive.time).toBe('2026-11-24T02:00:00.000Z');
        expect(actions(plan.steps)).toEqual(['check Mail1', 'lock', 'stop Mail1', 'set-aside Mail1', 'extract Mail1', 'verify Mail1', 'swap Mail1', 'start Mail1', 'cleanup Mail1', 'unlock']);
        expect(renderRestorePlanText(plan, new Date('2026-11-24T04:00:00Z'))).toMatch(/data of 2026-11-24T02:00:00.000Z \(2 h 0 min old\)/);
    });

    it('a catalog server whose folders are all elsewhere comes from replicas; one that holds a folder alone from tape', async () => {
        const { model } = await modelOf(RUNBOOK);
        const replica = planRestore(model, CATALOG, { server: 'Cat2' });
        expect(replica.op.kind).toBe('replica');
        expect(replica.why).toMatch(/every folder Cat2 should hold \(Engineering, Sales\) is live on another server/);
        expect(actions(replica.steps)).toEqual(['stop Cat1', 'copy Cat2', 'start Cat1', 'verify Cat2', 'stop Cat2', 'set-aside Cat2', 'swap Cat2', 'start Cat2', 'cleanup Cat2']);
        expect(replica.notes).toContain('data in /srv/cat2 outside the declared folders is kept as it is');
        const { model: solo } = await modelOf(RUNBOOK.replace('folder Sales on Cat1, Cat2', 'folder Sales on Cat1'));
        const tape = planRestore(solo, CATALOG, { server: 'Cat1' });
        expect(tape.op.kind).toBe('tape');
        expect(tape.why).toMatch(/Sales is on no other server/);
        expect(tape.notes).toEqual(['Sales is held on Cat1 only: it is unavailable while Cat1 is stopped (restore of Cat1)']);
        expect(() => planRestore(solo, CATALOG, { server: 'Cat1', from: 'replica' })).toThrow(/Sales has no other holder/);
    });

    it('rejects contradictory or unknown options as usage errors', async () => {
        const { model } = await modelOf(RUNBOOK);
        expect(() => planRestore(model, CATALOG, { server: 'Nope' })).toThrow(PlanUsageError);
        expect(() => planRestore(model, CATALOG, { server: 'Mail1', from: 'replica' })).toThrow(/mail is never replicated/);
        expect(() => planRestore(model, CATALOG, { server: 'Mail1', folder: 'Sales' })).toThrow(/mail server: it holds no folders/);
        expect(() => planRestore(model, CATALOG, { server: 'Cat1', folder: 'Nope' })).toThrow(/holds no folder named Nope/);
        expect(() => planRestore(model, CATALOG, { server: 'Cat1', from: 'replica', archive: CATALOG[3].id })).toThrow(/--archive .* --from replica/);
        expect(() => planRestore(model, CATALOG, { server: 'Cat1', target: 'relative' })).toThrow(/absolute/);
        expect(() => planRestore(model, CATALOG, { server: 'Cat2', from: 'tape' })).toThrow(PlanRefusedError);
        expect(() => planRestore(model, CATALOG, { server: 'Cat2', archive: CATALOG[3].id })).toThrow(/Cat1's, not Cat2's/);
    });

    it('--folder may come from another holder\'s archive; --target neither stops nor starts', async () => {
        const { model } = await modelOf(RUNBOOK);
        const plan = planRestore(model, CATALOG, { server: 'Cat2', folder: 'Sales', from: 'tape' });
        expect(plan.op.kind === 'tape' && plan.op.archive.server).toBe('Cat1');
        // A folder is staged and verified while Cat2 runs; it is down only for the renames.
        expect(actions(plan.steps)).toEqual(['check Cat2', 'lock', 'extract Cat2', 'verify Cat2', 'stop Cat2', 'set-aside Cat2', 'swap Cat2', 'start Cat2', 'cleanup Cat2', 'unlock']);
        expect(plan.steps.find(st => st.action === 'extract')!.text).toMatch(/while Cat2 still runs/);
        const whole = planRestore(model, CATALOG, { server: 'Mail1' });
        expect(actions(whole.steps)).toEqual(['check Mail1', 'lock', 'stop Mail1', 'set-aside Mail1', 'extract Mail1', 'verify Mail1', 'swap Mail1', 'start Mail1', 'cleanup Mail1', 'unlock']);
        const drill = planRestore(model, CATALOG, { server: 'Mail1', target: '/tmp/drill' });
        expect(actions(drill.steps)).toEqual(['check Mail1', 'lock', 'extract Mail1', 'verify Mail1', 'swap Mail1', 'unlock']);
    });

    it('puts staging and set-aside folders beside the data folder, never inside it', () => {
        expect(siblingPaths('/srv/mail/', 'R1')).toEqual({ aside: '/srv/.mail.backplan-old-R1', staging: '/srv/.mail.backplan-new-R1' });
        expect(siblingPaths('/data', 'R1')).toEqual({ aside: '/.data.backplan-old-R1', staging: '/.data.backplan-new-R1' });
    });
});

const MESH = `
tape Vault { at "/mnt/vault" }
server Cat1 { role catalog host local data "/srv/c1" stop "s" start "s" }
server Cat2 { role catalog master host local data "/srv/c2" stop "s" start "s" }
server Cat3 { role catalog host local data "/srv/c3" stop "s" start "s" }
server Cat4 { role catalog host local data "/srv/c4" stop "s" start "s" }
folder Engineering on Cat1, Cat2, Cat3
folder Sales on Cat2, Cat4
backup B { servers Cat2 to Vault }
`;

describe('replication sources and availability', () => {
    it('never stops the last running holder of a folder when another source will do, and says so when none will', async () => {
        const { model } = await modelOf(MESH);
        const plan = planRecover(model, [], { lost: ['Cat3', 'Cat4'] });
        const copies = plan.steps.filter(s => s.action === 'copy').map(s => `${s.folders!.join('+')} ${s.source}→${s.server}`);
        // Cat2 (the master) would be the natural source of Engineering, but it is Sales' last running holder.
        expect(copies).toEqual(['Engineering Cat1→Cat3', 'Sales Cat2→Cat4']);
        expect(plan.notes).toEqual(['Sales has no running holder while Cat2 is stopped (consistent copy for Cat4): its other holder Cat4 is down or being restored']);
    });
});

describe('recover planner', () => {
    it('restores the master first, replicates live folders, names folders and mail with no copy', async () => {
        const text = `${RUNBOOK}\nserver Mail2 { role mail host local data "/srv/mail2" stop "s" start "s" }\nfolder Scratch on Cat2\n`;
        const { model } = await modelOf(text);
        const plan = planRecover(model, CATALOG, { lost: ['Cat2', 'Mail2', 'Cat1', 'Mail1'] });
        expect(plan.ops.map(o => `${o.kind} ${o.server.name}${o.kind === 'tape' ? ` ${o.archive.server}` : ''}`)).toEqual(['tape Cat1 Cat1', 'tape Mail1 Mail1', 'replica Cat2']);
        expect(plan.losses).toEqual(['mail data of Mail2 (no archive on any tape)', 'Scratch (on Cat2: no holder left and no archive holds it)']);
        expect(plan.rows.filter(r => r.folder === 'Sales').map(r => `${r.holder} ${r.kind} ${r.source}`)).toEqual(['Cat1 archive ' + CATALOG[3].id, 'Cat2 replica Cat1']);
        const text2 = renderRecoverPlanText(plan, new Date('2026-11-24T03:10:00Z'));
        expect(text2).toMatch(/Sales\s+Cat2\s+replicated from Cat1 once restored, data of 2026-11-24T02:10:00.000Z \(1 h 0 min old\)/);
        expect(text2).toMatch(/NO COPY ANYWHERE/);
    });

    it('with a live holder left, only replication, from that holder', async () => {
        const { model } = await modelOf(RUNBOOK);
        const plan = planRecover(model, CATALOG, { lost: ['Cat2'] });
        expect(plan.ops.map(o => o.kind)).toEqual(['replica']);
        expect(plan.rows.map(r => `${r.folder} ${r.kind} ${r.source} ${r.age}`)).toEqual(['Engineering live Cat1 live', 'Sales live Cat1 live']);
        expect(() => planRecover(model, CATALOG, { lost: ['Nope'] })).toThrow(PlanUsageError);
    });

    it('a folder no restored server holds comes from the newest archive that has it, onto the master', async () => {
        const { model } = await modelOf(RUNBOOK);
        const old = archive('Cat1', '2026-11-01T00:00:00.000Z', ['Engineering', 'Sales']);
        const newest = archive('Cat1', '2026-11-25T00:00:00.000Z', ['Engineering']);
        const plan = planRecover(model, [old, newest], { lost: ['Cat1', 'Cat2'] });
        expect(plan.ops.map(o => `${o.kind} ${o.server.name} ${o.kind === 'tape' ? `${o.archive.id} ${o.folders?.map(f => f.name) ?? 'all'}` : ''}`.trim()))
            .toEqual([`tape Cat1 ${newest.id} all`, `tape Cat1 ${old.id} Sales`, 'replica Cat2']);
    });
});

describe('dump servers (DESIGN §10)', () => {
    const DIRS = `
tape Vault { at "/mnt/vault" }
server Dir1 { role catalog master host local data "/srv/dir1" stop "stop" start "start" dump "slapcat -n 1" load "slapadd -n 1 -q" }
server Dir2 { role catalog host local data "/srv/dir2" stop "stop" start "start" dump "slapcat -n 1" load "slapadd -n 1 -q" }
server Files { role catalog host local data "/srv/files" stop "stop" start "start" }
folder People on Dir1, Dir2
folder Shared on Dir1, Files
backup Nightly { servers Dir1, Dir2, Files to Vault }
`;
    const dumpOf = (server: string, time: string, folders: string[]): ArchiveInfo => archive(server, time, folders, { dump: true });
    const ops = (plan: { ops: readonly any[] }): string[] => plan.ops.map(o => `${o.kind}${o.viaDump ? ' dump' : ''} ${o.server.name}${o.kind === 'replica' ? ` ← ${o.sources.map((g: any) => g.source.name).join(', ')}` : ''}`);

    it('a dump archive comes back by load: staged while the server runs, then stop → set aside → load → start', async () => {
        const { model } = await modelOf(DIRS);
        const plan = planRestore(model, [dumpOf('Dir1', '2026-11-24T02:00:00.000Z', ['People', 'Shared'])], { server: 'Dir1', from: 'tape' });
        expect(actions(plan.steps)).toEqual(['check Dir1', 'lock', 'extract Dir1', 'verify Dir1', 'stop Dir1', 'set-aside Dir1', 'load Dir1', 'start Dir1', 'cleanup Dir1', 'unlock']);
        expect(plan.steps.find(s => s.action === 'load')?.command).toBe('slapadd -n 1 -q');
        expect(renderRestorePlanText(plan)).toMatch(/Dir1: load the dump of .*: `slapadd -n 1 -q` reads it on stdin \(a failure puts the original data back before the start\)/);
    });

    it('a replica restore of a dump server loads a live peer\'s dump and never stops the peer', async () => {
        const { model } = await modelOf(DIRS);
        const plan = planRestore(model, [], { server: 'Dir2' });
        expect(plan.why).toMatch(/Dir1 holds every folder Dir2 should hold \(People\) and has `dump`/);
        expect(ops({ ops: [plan.op] })).toEqual(['replica dump Dir2 ← Dir1']);
        expect(actions(plan.steps)).toEqual(['dump Dir1', 'copy Dir2', 'verify Dir2', 'stop Dir2', 'set-aside Dir2', 'load Dir2', 'start Dir2', 'cleanup Dir2']);
        expect(plan.notes.join('\n')).toMatch(/Dir2's whole data folder is replaced by Dir1's dump/);
    });

    it('refuses --folder on a dump server, folder copies from a dump server, and a dump archive for a server without load', async () => {
        const { model } = await modelOf(DIRS);
        expect(() => planRestore(model, [], { server: 'Dir1', folder: 'People' })).toThrow(/comes back by `load` from a dump, which holds no folders/);
        expect(() => planRestore(model, [], { server: 'Files', from: 'replica' })).toThrow(/Shared has no other holder with host, data, stop and start \(a server with `dump`/);
        const dump = dumpOf('Dir1', '2026-11-24T02:00:00.000Z', ['Shared']);
        // Files cannot take Shared from Dir1's dump: not a candidate, and refused by ID.
        expect(() => planRestore(model, [dump], { server: 'Files', folder: 'Shared' })).toThrow(/no usable archive of Files holding Shared/);
        expect(() => planRestore(model, [dump], { server: 'Files', archive: dump.id, folder: 'Shared' })).toThrow(/holds a dump of Dir1 \(one file\), not a data folder: it has no folders to take/);
        // --target extracts the dump file, whatever the server.
        expect(planRestore(model, [dump], { server: 'Dir1', target: '/tmp/out' }).steps.map(s => s.action)).toEqual(['check', 'lock', 'extract', 'verify', 'swap', 'unlock']);
    });

    it('recover: a lost dump server loads a live peer\'s dump (no tape); both lost, the peer comes back from its dump archive first', async () => {
        const { model } = await modelOf(DIRS);
        const one = planRecover(model, [dumpOf('Dir2', '2026-11-20T02:00:00.000Z', ['People'])], { lost: ['Dir2'] });
        expect(ops(one)).toEqual(['replica dump Dir2 ← Dir1']);
        expect(one.rows.map(r => `${r.folder} ${r.holder} ${r.kind} ${r.source}`)).toEqual(['People Dir2 dump Dir1']);
        expect(one.steps.filter(s => s.server === 'Dir1').map(s => s.action)).toEqual(['dump']);

        const both = planRecover(model, [dumpOf('Dir1', '2026-11-24T02:00:00.000Z', ['People', 'Shared'])], { lost: ['Dir1', 'Dir2'] });
        expect(ops(both)).toEqual(['tape Dir1', 'replica dump Dir2 ← Dir1']);
        expect(actions(both.steps)).toEqual([
            'check Dir1', 'lock', 'extract Dir1', 'verify Dir1', 'stop Dir1', 'set-aside Dir1', 'load Dir1', 'start Dir1', 'cleanup Dir1', 'unlock',
            'dump Dir1', 'copy Dir2', 'verify Dir2', 'stop Dir2', 'set-aside Dir2', 'load Dir2', 'start Dir2', 'cleanup Dir2'
        ]);
        expect(both.losses).toEqual([]);
    });
});
