/**
 * Restore drills of a real catalog server: OpenLDAP's slapd on loopback, its mdb database in
 * the data folder. The drill's `test` starts a second slapd on the restored copy (another
 * loopback address) and asks it for a person; the live slapd keeps running throughout.
 *
 *   a good archive: the drill passes, the copy answered, the recovery time is journalled,
 *     the scratch is gone, the live server was never stopped and its files are unchanged
 *   a test that gets the wrong answer: the drill fails, and its output is shown
 *   a corrupted archive: the drill fails before restoring anything; the live server is
 *     untouched and still answering
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillLab, freePort, LiveDirectory, SLAPD_CTL } from './drill-lab.js';

let lab: DrillLab;
let live: LiveDirectory;
let copyUrl: string;

beforeAll(async () => {
    lab = new DrillLab();
    live = new LiveDirectory(lab, 'Dir1', `ldap://127.0.0.21:${await freePort('127.0.0.21')}/`);
    copyUrl = `ldap://127.0.0.22:${await freePort('127.0.0.22')}/`;
    const check = (filter: string, want: string): string => `${SLAPD_CTL} check ${copyUrl} '${filter}' '${want}'`;
    lab.write(`tape Vault { at "${lab.tape}" }
${live.serverBlock()}
backup Nightly { servers Dir1 to Vault }

drill Weekly {
  from Vault
  test "${check('(cn=Ada Lovelace)', 'mail: ada@acme.lan')}"
}

drill Wrong {
  from Vault
  test "${check('(cn=Grace Hopper)', 'mail: grace@acme.lan')}"
}
`);
    live.start();
    const backup = await lab.cli('backup');
    expect(backup.code, backup.stderr).toBe(0);
    expect(live.pid()).toBeDefined();
}, 120_000);

afterAll(() => {
    live?.stop();
    lab?.dispose();
});

describe('a drill of a slapd catalog server', () => {
    it('restores the archive into scratch, starts slapd on the copy, gets the right answer, and never touches the live server', async () => {
        const pid = live.pid();
        const before = live.fingerprint();
        const r = await lab.cli('drill', ['--policy', 'Weekly', '--format', 'json']);
        expect(r.code, r.stderr).toBe(0);
        const result = JSON.parse(r.stdout) as { ok: boolean; runId: string; drills: Array<{ ok: boolean; archive: string; test: { output: string } }> };
        expect(result.ok).toBe(true);
        expect(result.drills[0].archive).toBe(lab.archives().at(-1));
        expect(result.drills[0].test.output).toContain('starting slapd on the restored copy');
        expect(result.drills[0].test.output).toContain('mail: ada@acme.lan');

        const [record] = lab.drills(result.runId);
        expect(record).toMatchObject({ drill: 'Weekly', server: 'Dir1', tape: 'Vault', ok: true, verified: true, pick: { order: 'newest', of: 1 } });
        expect(record.recoverySeconds).toBeGreaterThan(0);
        expect(record.test?.ok).toBe(true);
        expect(lab.scratch()).toEqual([]);

        // Never stopped: the same process, the same files, still answering.
        const steps = lab.journal().filter(x => x.run === result.runId && x.type === 'step').map(x => (x as { step: string }).step);
        expect(steps).not.toContain('stop');
        expect(steps).toEqual(expect.arrayContaining(['check', 'stage', 'extract', 'verify', 'test', 'cleanup']));
        expect(live.pid()).toBe(pid);
        expect(live.fingerprint()).toEqual(before);
        expect(live.search('(cn=Ada Lovelace)')).toContain('mail: ada@acme.lan');
    }, 120_000);

    it('a test that gets the wrong answer fails the drill, with its output shown', async () => {
        const r = await lab.cli('drill', ['--policy', 'Wrong']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/FAILED {2}Wrong Dir1 ← \S+ \(newest of 1\): the test exited with code 1 on the restored copy/);
        expect(r.stdout).toContain('        | the restored directory does not answer "mail: grace@acme.lan" for (cn=Grace Hopper)');
        expect(r.stdout).toContain('        | starting slapd on the restored copy');
        const record = lab.drills().at(-1)!;
        expect(record).toMatchObject({ drill: 'Wrong', ok: false, verified: true, test: { ok: false, code: 1 } });
        expect(lab.scratch()).toEqual([]);
        expect(live.search('(cn=Ada Lovelace)')).toContain('mail: ada@acme.lan');
    }, 120_000);

    it('a corrupted archive fails the drill before anything is restored; the live server is untouched and still running', async () => {
        const id = lab.archives().at(-1)!;
        const file = path.join(lab.tape, 'archives', `${id}.tar.zst`);
        const bytes = fs.readFileSync(file);
        bytes[Math.floor(bytes.length / 2)] ^= 0xff;
        fs.writeFileSync(file, bytes);
        const pid = live.pid();
        const before = live.fingerprint();

        const r = await lab.cli('drill', ['--policy', 'Weekly']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(new RegExp(`FAILED {2}Weekly Dir1 ← ${id} \\(newest of 1\\): archive ${id} failed its check, nothing was restored: .*SHA-256`));
        const record = lab.drills().at(-1)!;
        expect(record).toMatchObject({ drill: 'Weekly', ok: false, verified: false, archive: id });
        expect(record.test).toBeUndefined();
        expect(record.scratch).toBeUndefined();
        expect(lab.scratch()).toEqual([]);
        expect(live.pid()).toBe(pid);
        expect(live.fingerprint()).toEqual(before);
        expect(live.search('(cn=Ada Lovelace)')).toContain('mail: ada@acme.lan');
        // history lists the drill runs, the failed one too.
        const history = await lab.cli('history');
        expect(history.stdout).toMatch(new RegExp(`drill Weekly Dir1 FAILED: archive ${id} \\(archive ${id} failed its check`));
        expect(history.stdout).toMatch(/drill Weekly Dir1 passed: archive \S+, verified copy in \d+\.\d s, test passed/);
    }, 120_000);
});
