/**
 * Online dumps against a real OpenLDAP server (DESIGN §10, issue 12.5): Debian's slapd on
 * loopback with a throw-away configuration (slapd.ts), `dump "slapcat …"`, `load
 * "slapadd … -q"`, stop and start by its pid file, `ready` an ldapsearch.
 *
 * - backup: slapd is never stopped (same pid, it answered during the run, no stop step);
 *   the archive holds one file, the dump
 * - restore after a wipe: stop → set aside → slapadd reads the dump → start; the entries
 *   are back; a failing load puts the original data back before the start; a run killed
 *   during the load is put right by the next command (original data back, slapd started)
 * - a replica restore (and a recover) of Dir2 from its peer Dir1 loads Dir1's dump, taken
 *   while Dir1 runs: Dir1, the only live directory server, is never stopped
 * Without slapd the tests say skipped; BACKPLAN_REQUIRE_SLAPD=1 (CI) makes that fail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { skipOrFail } from '../helpers/skip-or-fail.js';
import { StopWindowLab, waitFor } from './lab.js';
import { SLAPD, Slapd } from './slapd.js';

let lab: StopWindowLab | undefined;
const servers: Slapd[] = [];
afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    lab?.dispose();
    lab = undefined;
});

/** A lab with running slapd servers (one per name, on 127.0.0.4x), their entries added; skips without slapd. */
async function slapdLab(skip: (note: string) => void, names: string[]): Promise<{ l: StopWindowLab; dirs: Slapd[] }> {
    if (!fs.existsSync(SLAPD)) skipOrFail('BACKPLAN_REQUIRE_SLAPD', skip, `${SLAPD} not found: apt-get install slapd ldap-utils`);
    const l = new StopWindowLab();
    lab = l;
    const dirs: Slapd[] = [];
    for (const [i, name] of names.entries()) {
        const s = await Slapd.create(path.join(l.root, name.toLowerCase()), `127.0.0.${41 + i}`);
        servers.push(s);
        await s.start();
        dirs.push(s);
    }
    return { l, dirs };
}

/** The runbook: catalog servers on slapd, all holding folder People, the first the master. */
function writeDirRunbook(l: StopWindowLab, names: string[], dirs: Slapd[], extra: Record<string, string> = {}): void {
    const decls = Object.fromEntries(names.map((n, i) => [n, `role catalog${i === 0 ? ' master' : ''} host local ${dirs[i].attributes} ${extra[n] ?? ''}`]));
    l.writeServers(decls);
    fs.appendFileSync(l.runbook, `folder People on ${names.join(', ')}\n`);
}

/** Dir1 on slapd backed up with alice, then carol added: what a restore must not lose when it fails. */
async function backedUpWithCarolAfter(skip: (note: string) => void): Promise<{ l: StopWindowLab; dir: Slapd }> {
    const { l, dirs: [dir] } = await slapdLab(skip, ['Dir1']);
    dir.addPeople(['alice']);
    writeDirRunbook(l, ['Dir1'], [dir]);
    const backup = await l.cli('backup');
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    dir.addPeople(['carol'], false);
    return { l, dir };
}

/** Replaces the load command of the runbook's servers. */
function setLoad(l: StopWindowLab, command: string): void {
    fs.writeFileSync(l.runbook, fs.readFileSync(l.runbook, 'utf8').replace(/load "[^"]*"/g, () => `load "${command}"`));
}

/** Steps of a server in the journal, in order. */
function stepsOf(l: StopWindowLab, server: string): string[] {
    return l.journal().filter(r => r.type === 'step' && r.server === server && r.event === 'end').map(r => r.step);
}

describe('dump and load with a real slapd', () => {
    it('backs up without stopping slapd, and a wiped server comes back by load with its entries', async ({ skip }) => {
        const { l, dirs: [dir] } = await slapdLab(skip, ['Dir1']);
        dir.addPeople(['alice', 'bob']);
        writeDirRunbook(l, ['Dir1'], [dir]);
        const pid = dir.pid();

        const run = l.spawnCli('backup');
        await waitFor(() => l.journal().some(r => r.step === 'dump' && r.event === 'begin'));
        expect(dir.answers(), 'slapd answers while the backup runs').toBe(true);
        const r = await run.result;
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(dir.pid(), 'the same slapd process, never stopped').toBe(pid);
        expect(stepsOf(l, 'Dir1')).toEqual(['dump', 'archive', 'drop-dump', 'verify', 'record']);
        const [manifest] = l.manifests();
        expect(manifest.content).toBe('dump');
        expect(manifest.entries.map((e: any) => e.path)).toEqual(['.', 'backplan.dump']);

        await dir.stop();
        dir.wipe();
        await dir.start();
        expect(dir.people()).toEqual([]);
        const dry = await l.cli('restore', ['--server', 'Dir1', '--dry-run']);
        expect(dry.stdout, dry.stderr).toMatch(/load the dump of .*: `slapadd -F .* -n 1 -q` reads it on stdin/);
        const restore = await l.cli('restore', ['--server', 'Dir1']);
        expect(restore.code, restore.stdout + restore.stderr).toBe(0);
        expect(restore.stdout).toMatch(/ok +Dir1 .*the dump, verified, loaded/);
        expect(dir.people()).toEqual(['alice', 'bob']);
        expect(stepsOf(l, 'Dir1').slice(5)).toEqual(['extract', 'verify', 'stop', 'set-aside', 'load', 'start', 'cleanup']);
        expect(fs.readdirSync(path.dirname(dir.data)).filter(n => n.includes('.backplan-')), 'no staging or set-aside copy left').toEqual([]);
    });

    it('a failing load puts the original data back before the start', async ({ skip }) => {
        const { l, dir } = await backedUpWithCarolAfter(skip);
        setLoad(l, 'cat >/dev/null; echo the dump is damaged >&2; exit 3');

        const r = await l.cli('restore', ['--server', 'Dir1']);
        expect(r.code).toBe(1);
        expect(r.stdout, r.stderr).toMatch(/load command .* exited with code 3: the dump is damaged; the original data is back in place/);
        expect(dir.people(), 'slapd runs on its data as it was').toEqual(['alice', 'carol']);
        expect(fs.readdirSync(path.dirname(dir.data)).filter(n => n.includes('.backplan-'))).toEqual([]);
    });

    it('a restore killed during the load: the next command puts the original data back and starts slapd', async ({ skip }) => {
        const { l, dir } = await backedUpWithCarolAfter(skip);
        const mark = path.join(l.root, 'loading');
        setLoad(l, `echo $$ > ${mark}; exec sleep 600`);

        l.onDispose(() => { try { process.kill(Number(fs.readFileSync(mark, 'utf8')), 'SIGKILL'); } catch { /* never started, or gone */ } });
        // Without its guardian (BACKPLAN_NO_GUARDIAN=1): this is about what the next command does.
        const run = l.spawnCli('restore', ['--server', 'Dir1'], { BACKPLAN_NO_GUARDIAN: '1' });
        await waitFor(() => fs.existsSync(mark) && fs.readFileSync(mark, 'utf8').endsWith('\n'));
        run.kill('SIGKILL');
        await run.result;
        // The load command outlives the killed run (its own session), as after a crash it would not.
        process.kill(Number(fs.readFileSync(mark, 'utf8')), 'SIGKILL');
        expect(dir.pid(), 'stopped by the killed run').toBeUndefined();

        const next = await l.cli('history');
        expect(next.stderr).toContain('started Dir1 again');
        await waitFor(() => dir.answers());
        expect(dir.people()).toEqual(['alice', 'carol']);
        expect(fs.readdirSync(path.dirname(dir.data)).filter(n => n.includes('.backplan-'))).toEqual([]);
    });
});

describe('replica restore from a peer with dump', () => {
    it('Dir2 loads Dir1\'s dump; Dir1, the only live directory server, is never stopped', async ({ skip }) => {
        const { l, dirs: [dir1, dir2] } = await slapdLab(skip, ['Dir1', 'Dir2']);
        dir1.addPeople(['alice', 'bob']);
        writeDirRunbook(l, ['Dir1', 'Dir2'], [dir1, dir2]);
        await dir2.stop();
        fs.rmSync(dir2.data, { recursive: true });
        const pid1 = dir1.pid();

        const dry = await l.cli('restore', ['--server', 'Dir2', '--dry-run']);
        expect(dry.code, dry.stdout + dry.stderr).toBe(0);
        expect(dry.stdout).toMatch(/source: replica — Dir1 holds every folder Dir2 should hold \(People\) and has `dump`/);
        expect(dry.stdout).toMatch(/Dir1: dump with `slapcat .*` while it keeps running \(never stopped\)/);
        expect(dry.stdout).not.toMatch(/Dir1: (stop|quiesce)/);

        const r = await l.cli('restore', ['--server', 'Dir2']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toMatch(/ok +Dir2 \(People\) ← the dump of Dir1: the dump, verified, loaded/);
        expect(dir2.people()).toEqual(['alice', 'bob']);
        expect(dir1.pid(), 'Dir1 never stopped').toBe(pid1);
        expect(stepsOf(l, 'Dir1')).toEqual(['dump', 'drop-dump']);
        expect(fs.readdirSync(path.dirname(dir1.data)).filter(n => n.includes('.backplan-')), 'Dir1\'s dump folder removed').toEqual([]);

        // recover of a lost Dir2 takes the same way: Dir1's live dump, no tape needed.
        dir1.addPeople(['carol'], false);
        await dir2.stop();
        fs.rmSync(dir2.data, { recursive: true });
        const plan = await l.cli('recover', ['--lost', 'Dir2', '--dry-run']);
        expect(plan.stdout).toMatch(/People +Dir2 +Dir1's dump, loaded \(live; Dir1 never stopped\)/);
        const rec = await l.cli('recover', ['--lost', 'Dir2']);
        expect(rec.code, rec.stdout + rec.stderr).toBe(0);
        expect(dir2.people()).toEqual(['alice', 'bob', 'carol']);
        expect(dir1.pid()).toBe(pid1);
    });

    it('refuses --folder on a dump server, and folder copies from a dump server', async ({ skip }) => {
        const { l, dirs: [dir1] } = await slapdLab(skip, ['Dir1']);
        writeDirRunbook(l, ['Dir1'], [dir1]);
        fs.appendFileSync(l.runbook, `server Files { role catalog host local data "${path.join(l.root, 'files')}" stop "true" start "true" }\nfolder Shared on Dir1, Files\n`);
        fs.mkdirSync(path.join(l.root, 'files'));
        const folder = await l.cli('restore', ['--server', 'Dir1', '--folder', 'People', '--dry-run']);
        expect(folder.code).toBe(1);
        expect(folder.stderr).toMatch(/Dir1 comes back by `load` from a dump, which holds no folders: restore it whole \(without --folder\)/);
        const copy = await l.cli('restore', ['--server', 'Files', '--from', 'replica', '--dry-run']);
        expect(copy.code).toBe(1);
        expect(copy.stderr).toMatch(/Shared has no other holder with host, data, stop and start \(a server with `dump` gives its dump only to servers that `load`\)/);
    });
});
