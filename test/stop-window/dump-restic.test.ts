/**
 * Online dumps to a restic tape against a real OpenLDAP server (DESIGN §9, §10): Debian's
 * slapd on loopback (slapd.ts), `dump "slapcat …"` to a local restic repository, and a
 * restore that restic-restores the dump file into staging and loads it through the
 * folder tapes' load path (restore/load-in.ts: stop → set aside → load → start always).
 *
 * - back up, add an entry, restore: the directory is as backed up (the added entry gone)
 * - a failing load: the original data back, slapd started again on it
 * Without slapd or restic the tests say skipped; BACKPLAN_REQUIRE_SLAPD=1 /
 * BACKPLAN_REQUIRE_RESTIC=1 (CI) make that fail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { skipOrFail } from '../helpers/skip-or-fail.js';
import { ResticLab, resticSkip, resticSuiteName } from '../restic/restic-lab.js';
import { StopWindowLab } from './lab.js';
import { SLAPD, Slapd } from './slapd.js';

let lab: StopWindowLab | undefined;
let restic: ResticLab | undefined;
const servers: Slapd[] = [];
afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    lab?.dispose();
    restic?.remove();
    lab = restic = undefined;
});

/** Dir1 on slapd with alice, backed up with `dump` to restic tape T, then carol added. */
async function backedUp(skip: (note: string) => void): Promise<{ l: StopWindowLab; dir: Slapd }> {
    if (!fs.existsSync(SLAPD)) skipOrFail('BACKPLAN_REQUIRE_SLAPD', skip, `${SLAPD} not found: apt-get install slapd ldap-utils`);
    const l = new StopWindowLab();
    lab = l;
    restic = ResticLab.create();
    const dir = await Slapd.create(path.join(l.root, 'dir1'), '127.0.0.51');
    servers.push(dir);
    await dir.start();
    dir.addPeople(['alice']);
    l.writeServers({ Dir1: `role catalog master host local ${dir.attributes}` });
    const repo = path.join(restic.root, 'repo');
    const text = fs.readFileSync(l.runbook, 'utf8').replace(/tape T \{[^}]*\}/, `tape T { restic "${repo}" password-file "${restic.passwordFile}" }`);
    fs.writeFileSync(l.runbook, `${text}folder People on Dir1\n`);
    l.env = { RESTIC_CACHE_DIR: restic.cacheDir };
    const backup = await l.cli('backup');
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    dir.addPeople(['carol'], false);
    expect(dir.people()).toEqual(['alice', 'carol']);
    return { l, dir };
}

/** No staging or set-aside copy beside the data folder. */
function leftovers(dir: Slapd): string[] {
    return fs.readdirSync(path.dirname(dir.data)).filter(n => n.includes('.backplan-'));
}

describe.skipIf(resticSkip)(resticSuiteName('dump and load with a real slapd, on a restic tape'), () => {
    it('restores the directory from the snapshot\'s dump through load', async ({ skip }) => {
        const { l, dir } = await backedUp(skip);
        const dry = await l.cli('restore', ['--server', 'Dir1', '--dry-run']);
        expect(dry.code, dry.stdout + dry.stderr).toBe(0);
        expect(dry.stdout).toMatch(/restic restore the dump of .* \(one file, backplan\.dump\)/);
        expect(dry.stdout).toMatch(/load the dump of .*: `slapadd -F .* -n 1 -q` reads it on stdin/);

        const r = await l.cli('restore', ['--server', 'Dir1']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(dir.people(), 'the directory as backed up: carol, added after, is gone').toEqual(['alice']);
        const steps = l.journal().filter(x => x.type === 'step' && x.server === 'Dir1' && x.event === 'end' && x.run === l.journal().at(-1).run).map(x => x.step);
        expect(steps).toEqual(['extract', 'verify', 'stop', 'set-aside', 'load', 'start', 'cleanup']);
        expect(leftovers(dir)).toEqual([]);
    });

    it('a failing load puts the original data back and starts slapd again', async ({ skip }) => {
        const { l, dir } = await backedUp(skip);
        fs.writeFileSync(l.runbook, fs.readFileSync(l.runbook, 'utf8').replace(/load "[^"]*"/, 'load "cat >/dev/null; echo the dump is damaged >&2; exit 3"'));
        const r = await l.cli('restore', ['--server', 'Dir1']);
        expect(r.code, r.stdout + r.stderr).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/load command .* exited with code 3: the dump is damaged; the original data is back in place/);
        expect(dir.answers(), 'slapd runs again').toBe(true);
        expect(dir.people(), 'on its data as it was').toEqual(['alice', 'carol']);
        expect(leftovers(dir)).toEqual([]);
    });
});
