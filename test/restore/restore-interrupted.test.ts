/**
 * A restore killed with SIGKILL in the middle of its extraction (after the data folder was
 * set aside, before the swap): the next command on the runbook puts the original data back,
 * removes the staging copy and starts the application — from the journal alone (the
 * runs' guardians are off, BACKPLAN_NO_GUARDIAN=1: test/engine/guardian.test.ts has them). The same
 * for a replication killed during its copy, while only the source is stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Lab, richTree, snapshot } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

const until = async (what: () => boolean, ms = 90_000): Promise<void> => {
    for (const t0 = Date.now(); !what(); await new Promise(r => setTimeout(r, 50))) {
        if (Date.now() - t0 > ms) throw new Error('timed out');
    }
};

/** Runs `restore ARGS` with a tar that hangs on --extract, and kills it once `ready()` holds. */
async function killMidExtract(l: Lab, args: string[], ready: () => boolean): Promise<void> {
    const slowTar = path.join(__dirname, 'fixtures', 'slow-tar');
    const child = l.spawnCli('restore', args, { BACKPLAN_NO_GUARDIAN: '1', PATH: `${slowTar}:${process.env.PATH}`, SLOW_TAR_PID: path.join(l.root, 'tar.pid') });
    // Killed only once the hanging extraction has begun (its pid written), not before.
    const pidFile = path.join(l.root, 'tar.pid');
    await until(() => ready() && fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '');
    child.kill('SIGKILL');
    await child.result;
    try { process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
}

it('a restore killed between set-aside and swap is undone by the next command', async () => {
    const l = lab = new Lab([{ name: 'Mail1', role: 'mail' }], []);
    richTree(l.data('Mail1'), 'mail');
    expect(l.app('start', 'Mail1')).toBe(0);
    expect((await l.cli('backup')).code).toBe(0);
    fs.writeFileSync(path.join(l.data('Mail1'), 'arrived-after-backup.eml'), 'newest mail\n');
    const current = snapshot(l.data('Mail1'));

    const parent = path.dirname(l.data('Mail1'));
    await killMidExtract(l, ['--server', 'Mail1'], () => fs.readdirSync(parent).some(n => n.includes('.backplan-new-')) && !fs.existsSync(l.data('Mail1')));
    expect(fs.existsSync(l.data('Mail1'))).toBe(false);
    expect(l.running('Mail1')).toBe(false);

    const next = await l.cli('history');
    expect(next.stderr).toMatch(/never finished; starting the applications it stopped: Mail1/);
    expect(snapshot(l.data('Mail1'))).toEqual(current);
    expect(l.leftovers('Mail1')).toEqual([]);
    expect(l.running('Mail1')).toBe(true);
}, 240_000);

it('a replication killed during its copy: the next command starts the source and removes the staging folder', async () => {
    const l = lab = new Lab([{ name: 'Cat1', role: 'catalog' }, { name: 'Cat2', role: 'catalog' }], [{ name: 'People', on: ['Cat1', 'Cat2'] }], [[]]);
    richTree(path.join(l.data('Cat1'), 'People'), 'people');
    fs.mkdirSync(path.join(l.data('Cat2'), 'People'), { recursive: true });
    for (const s of ['Cat1', 'Cat2']) expect(l.app('start', s)).toBe(0);
    const before = snapshot(l.data('Cat2'));

    // The target keeps running during the copy; only the source is stopped.
    await killMidExtract(l, ['--server', 'Cat2', '--from', 'replica'], () => l.leftovers('Cat2').length > 0 && !l.running('Cat1'));
    expect(l.leftovers('Cat2')).toEqual([expect.stringMatching(/^\.data dir\.backplan-new-/)]);
    expect(l.running('Cat2')).toBe(true);

    const next = await l.cli('history');
    expect(next.stderr).toMatch(/never finished; starting the applications it stopped: Cat1/);
    expect(next.stderr).toMatch(/removed the staging folder it left: local:.*\.data dir\.backplan-new-/);
    expect(l.leftovers('Cat2')).toEqual([]);
    expect(l.running('Cat1')).toBe(true);
    expect(snapshot(l.data('Cat2'))).toEqual(before);
    // Closed: a second command has nothing left to do.
    expect((await l.cli('history')).stderr).not.toMatch(/never finished/);
}, 240_000);

it('a --folder restore extracts while the application runs: killed then, nothing was stopped and staging goes', async () => {
    const l = lab = new Lab([{ name: 'Cat1', role: 'catalog' }], [{ name: 'Sales', on: ['Cat1'] }, { name: 'Legal', on: ['Cat1'] }]);
    richTree(path.join(l.data('Cat1'), 'Sales'), 'sales');
    richTree(path.join(l.data('Cat1'), 'Legal'), 'legal');
    expect(l.app('start', 'Cat1')).toBe(0);
    expect((await l.cli('backup')).code).toBe(0);
    fs.rmSync(path.join(l.data('Cat1'), 'Sales', 'bin'), { recursive: true });
    const before = snapshot(l.data('Cat1'));
    l.clearEvents();

    await killMidExtract(l, ['--server', 'Cat1', '--folder', 'Sales'], () => l.leftovers('Cat1').length > 0);
    expect(l.eventLines()).toEqual([]);
    expect(l.running('Cat1')).toBe(true);

    const next = await l.cli('history');
    expect(next.stderr).toMatch(/never finished/);
    expect(next.stderr).not.toMatch(/starting the applications it stopped/);
    expect(next.stderr).toMatch(/removed the staging folder it left/);
    expect(l.leftovers('Cat1')).toEqual([]);
    expect(snapshot(l.data('Cat1'))).toEqual(before);
}, 240_000);

/** Cat2 holding old copies of Engineering and Sales, Cat1 the live ones; both running. */
function twoFolderReplicas(): { l: Lab; old: string[]; live: string[] } {
    const l = lab = new Lab([{ name: 'Cat1', role: 'catalog' }, { name: 'Cat2', role: 'catalog' }],
        [{ name: 'Engineering', on: ['Cat1', 'Cat2'] }, { name: 'Sales', on: ['Cat1', 'Cat2'] }], [[]]);
    for (const f of ['Engineering', 'Sales']) {
        richTree(path.join(l.data('Cat1'), f), `${f}-live`);
        richTree(path.join(l.data('Cat2'), f), `${f}-old`);
    }
    for (const s of ['Cat1', 'Cat2']) expect(l.app('start', s)).toBe(0);
    const both = (s: string): string[] => ['Engineering', 'Sales'].flatMap(f => snapshot(path.join(l.data(s), f)));
    return { l, old: both('Cat2'), live: both('Cat1') };
}

/** The PATH of a run with a hanging fixture (fixtures/NAME/) in front. */
const pathWith = (fixture: string): string => `${path.join(__dirname, 'fixtures', fixture)}:${process.env.PATH}`;

/** Restores Cat2 from replicas with a fixture command that hangs and writes `mark`; SIGKILL once it hangs, then end the hung command. */
async function killReplicaRestoreWhenHung(l: Lab, fixture: string, env: Record<string, string>, mark: string): Promise<void> {
    const child = l.spawnCli('restore', ['--server', 'Cat2', '--from', 'replica'], { BACKPLAN_NO_GUARDIAN: '1', PATH: pathWith(fixture), ...env });
    await until(() => fs.existsSync(mark));
    child.kill('SIGKILL');
    await child.result;
    try { process.kill(Number(fs.readFileSync(mark, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
}

/** Restores Cat2 from replicas with an `mv` that hangs on the second staged → live rename, killed there. */
async function killBetweenRenames(l: Lab): Promise<void> {
    const mark = path.join(l.root, 'mv.pid');
    await killReplicaRestoreWhenHung(l, 'slow-mv', { SLOW_MV_MARK: mark }, mark);
    // Between the renames: Engineering is the new copy, Sales is only in staging, Cat2 is stopped.
    expect(fs.existsSync(path.join(l.data('Cat2'), 'Sales'))).toBe(false);
    expect(l.running('Cat2')).toBe(false);
}

it('a multi-folder replica restore killed between its renames: the next command finishes the swap, starts Cat2 and removes the set-aside copy', async () => {
    const { l, live } = twoFolderReplicas();
    await killBetweenRenames(l);

    const next = await l.cli('history');
    expect(next.stderr).toMatch(/finished the swap of Cat2 \(Engineering, Sales\)/);
    expect(next.stderr).toMatch(/removed the set-aside copy local:.*\.data dir\.backplan-old-\S+ of Cat2/);
    expect(['Engineering', 'Sales'].flatMap(f => snapshot(path.join(l.data('Cat2'), f)))).toEqual(live);
    expect(l.leftovers('Cat2')).toEqual([]);
    expect(l.running('Cat2')).toBe(true);
    expect((await l.cli('history')).stderr).not.toMatch(/never finished/);
}, 240_000);

it('the same kill with a staged folder gone: the next command rolls the swap back whole', async () => {
    const { l, old } = twoFolderReplicas();
    await killBetweenRenames(l);
    const staging = l.leftovers('Cat2').find(n => n.includes('.backplan-new-'))!;
    fs.rmSync(path.join(path.dirname(l.data('Cat2')), staging, 'Sales'), { recursive: true });

    const next = await l.cli('history');
    expect(next.stderr).toMatch(/rolled back the swap of Cat2 \(Engineering, Sales\)/);
    expect(['Engineering', 'Sales'].flatMap(f => snapshot(path.join(l.data('Cat2'), f)))).toEqual(old);
    expect(l.leftovers('Cat2')).toEqual([]);
    expect(l.running('Cat2')).toBe(true);
}, 240_000);

it('a replica restore killed after its swap: the set-aside copy is kept open (and shown) while it cannot go, then removed and reported', async () => {
    const { l, live } = twoFolderReplicas();
    const mark = path.join(l.root, 'rm.pid');
    await killReplicaRestoreWhenHung(l, 'slow-rm', { SLOW_RM_MARK: mark }, mark);
    expect(l.running('Cat2')).toBe(true);
    expect(l.leftovers('Cat2')).toEqual([expect.stringMatching(/^\.data dir\.backplan-old-/)]);

    const blocked = await l.cli('history', [], { PATH: pathWith('slow-rm'), SLOW_RM_MODE: 'fail' });
    expect(blocked.stderr).toMatch(/kept the set-aside copy local:.*\.data dir\.backplan-old-\S+ of Cat2: .*refused by the test/);
    expect(blocked.stdout).toMatch(/leftover local:.*\.data dir\.backplan-old-\S+ of Cat2 \(open: .*refused by the test/);
    expect(l.leftovers('Cat2')).toHaveLength(1);
    const shown = await l.cli('history');
    expect(shown.stderr).toMatch(/removed the set-aside copy local:.*\.data dir\.backplan-old-\S+ of Cat2: the swapped-in data was verified and Cat2 runs/);
    expect(l.leftovers('Cat2')).toEqual([]);
    expect(['Engineering', 'Sales'].flatMap(f => snapshot(path.join(l.data('Cat2'), f)))).toEqual(live);
    const json = JSON.parse((await l.cli('history', ['--format', 'json'])).stdout);
    const run = json.runs.find((r: any) => r.verb === 'restore');
    expect(run.state).toBe('interrupted');
    expect(run.leftovers).toEqual([expect.objectContaining({ server: 'Cat2', state: 'removed' })]);
}, 240_000);
