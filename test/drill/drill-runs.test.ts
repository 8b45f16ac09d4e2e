/**
 * `backplan drill` end to end on a mail server's archives (real tar, zstd, files):
 *
 *   SIGKILL while the drill's test runs (the event: the test wrote its pid) leaves the
 *     scratch copy; the next command removes it and closes the run as interrupted
 *   pick random is reproducible: the journal's seed (RUN/DRILL/SERVER) and the tape's
 *     archives give the same archive again; --archive ID drills exactly that one
 *   --keep and --target: where the copy goes, and that it stays
 *   room: a copy that cannot fit in --target (a real 1 MiB tmpfs) fails before restoring
 *   usage and refusals: exit 2 for bad names, exit 1 for drill.invalid or no archive
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { drillBaseProblem } from '@backplan/engine';
import { loadRunbook } from '@backplan/language/node';
import { pickArchive } from '../../packages/engine/out/drill/drill-pick.js';
import { BIN, childEnv, hasStackTrace } from '../helpers/run-cli.js';
import { DrillLab, until } from './drill-lab.js';

let lab: DrillLab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

/** A lab with one mail server (a few messages) backed up to Vault, and the given drill blocks. */
function mailLab(drills: string): DrillLab {
    const l = new DrillLab();
    const inbox = path.join(l.data('mail'), 'Inbox');
    fs.mkdirSync(inbox, { recursive: true });
    for (let i = 1; i <= 5; i++) fs.writeFileSync(path.join(inbox, `m${i}.eml`), `Subject: message ${i}\n\n${'text '.repeat(200)}\n`);
    l.write(`tape Vault { at "${l.tape}" }
server Mail { role mail host local data "${l.data('mail')}" stop "true" start "true" }
backup Nightly { servers Mail to Vault }
${drills}
`);
    return l;
}

describe('a drill killed by SIGKILL', () => {
    it('leaves its scratch copy, which the next command removes, closing the run as interrupted', async () => {
        const l = lab = mailLab('');
        const pidFile = path.join(l.root, 'test.pid');
        l.write(fs.readFileSync(l.runbook, 'utf8') + `drill Slow { from Vault test "echo $$ > '${pidFile}'; exec sleep 600" }\n`);
        expect((await l.cli('backup')).code).toBe(0);

        const child = spawn(process.execPath, [BIN, 'drill', l.runbook, '--state', l.state], { env: childEnv(), stdio: 'ignore' });
        // The event: the test runs (it wrote its pid), so the copy is in scratch and journalled.
        await until(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '', 120_000, 'the drill\'s test to start');
        child.kill('SIGKILL');
        await new Promise(r => child.once('exit', r));
        process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');

        const left = l.scratch();
        expect(left).toEqual([expect.stringMatching(/^\.Slow-Mail\.backplan-drill-\d{8}T\d{6}\.\d{3}Z-run-[0-9a-f]{4}$/)]);
        const stage = l.journal().find(r => r.type === 'step' && r.step === 'stage' && r.cleanup);
        expect((stage as { cleanup: { path: string } }).cleanup.path).toBe(path.join(l.state, 'drills', left[0]));

        const next = await l.cli('history');
        expect(next.stderr).toMatch(/never finished/);
        expect(next.stderr).toContain(`removed the staging folder it left: local:${path.join(l.state, 'drills', left[0])}`);
        expect(l.scratch()).toEqual([]);
        expect(next.stdout).toMatch(/drill +\S+ +\S+ +interrupted +Mail/);
        expect((await l.cli('history')).stderr).not.toMatch(/never finished/);
    }, 240_000);
});

describe('pick', () => {
    it('random: the journal\'s seed and the tape\'s archives give the drilled archive again; --archive drills exactly one', async () => {
        const l = lab = mailLab('drill Lucky { from Vault pick random }');
        for (let i = 0; i < 4; i++) expect((await l.cli('backup')).code).toBe(0);
        const ids = l.archives();
        expect(ids).toHaveLength(4);
        for (let i = 0; i < 3; i++) {
            const r = await l.cli('drill', ['--format', 'json']);
            expect(r.code, r.stderr).toBe(0);
            const { runId } = JSON.parse(r.stdout) as { runId: string };
            const [record] = l.drills(runId);
            expect(record.pick).toMatchObject({ order: 'random', of: 4, seed: `${runId}/Lucky/Mail` });
            const again = pickArchive(ids, 'random', record.pick.seed!)!;
            expect([again.index, again.item]).toEqual([record.pick.index, record.archive]);
        }
        const given = await l.cli('drill', ['--archive', ids[1], '--format', 'json']);
        const [record] = l.drills(JSON.parse(given.stdout).runId);
        expect(record).toMatchObject({ ok: true, archive: ids[1], pick: { order: 'given', of: 1 } });
    }, 240_000);

    it('newest and oldest, named in the output', async () => {
        const l = lab = mailLab('drill New { from Vault }\ndrill Old { from Vault pick oldest }');
        for (let i = 0; i < 2; i++) expect((await l.cli('backup')).code).toBe(0);
        const [first, last] = l.archives();
        const r = await l.cli('drill');
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain(`passed  New Mail ← ${last} (newest of 2): 5 files`);
        expect(r.stdout).toContain(`passed  Old Mail ← ${first} (oldest of 2): 5 files`);
        expect(r.stdout).toMatch(/Run \S+: every drill passed\.\n$/);
    }, 240_000);
});

describe('where the copy goes', () => {
    it('--keep leaves the verified copy below the state folder and says where; --target DIR puts it there', async () => {
        const l = lab = mailLab('drill D { from Vault }');
        expect((await l.cli('backup')).code).toBe(0);
        const kept = await l.cli('drill', ['--keep']);
        expect(kept.code).toBe(0);
        const [name] = l.scratch();
        expect(kept.stdout).toContain(`restored copy kept at ${path.join(l.state, 'drills', name)}`);
        expect(fs.readdirSync(path.join(l.state, 'drills', name, 'Inbox')).sort()).toEqual(['m1.eml', 'm2.eml', 'm3.eml', 'm4.eml', 'm5.eml']);

        const target = path.join(l.root, 'drill target');
        const r = await l.cli('drill', ['--target', target, '--keep']);
        expect(r.code).toBe(0);
        const [inTarget] = fs.readdirSync(target);
        expect(inTarget).toMatch(/^\.D-Mail\.backplan-drill-/);
        expect(fs.readFileSync(path.join(target, inTarget, 'Inbox', 'm3.eml'), 'utf8')).toContain('Subject: message 3');
        // Without --keep the target holds nothing afterwards.
        fs.rmSync(target, { recursive: true });
        expect((await l.cli('drill', ['--target', target])).code).toBe(0);
        expect(fs.readdirSync(target)).toEqual([]);
    }, 240_000);

    it.runIf(process.getuid?.() === 0)('a copy that does not fit where it goes fails before anything is restored', async () => {
        const l = lab = mailLab('drill D { from Vault }');
        fs.writeFileSync(path.join(l.data('mail'), 'big.mbox'), Buffer.alloc(3 << 20, 7));
        expect((await l.cli('backup')).code).toBe(0);
        const small = path.join(l.root, 'small');
        fs.mkdirSync(small);
        expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small]).status).toBe(0);
        try {
            const r = await l.cli('drill', ['--target', small]);
            expect(r.code).toBe(1);
            expect(r.stdout).toMatch(/FAILED {2}D Mail ← \S+ \(newest of 1\): the archive's files need 3\.\d MiB in .*small, and \d+(\.\d)? (KiB|MiB) is free: make room, or drill into a larger folder with --target DIR; nothing was restored/);
            expect(fs.readdirSync(small)).toEqual([]);
        } finally {
            spawnSync('umount', [small]);
        }
    }, 240_000);
});

describe('usage and refusals', () => {
    it('scratch near the data of an SSH server drilled from a restic tape (restic restores on its host, at the same path) is refused, exit 2, before any connection', async () => {
        const l = lab = mailLab('');
        const remote = '/srv/backplan-remote-mail';
        fs.writeFileSync(path.join(l.root, 'restic.pass'), 'secret\n', { mode: 0o600 });
        l.write(fs.readFileSync(l.runbook, 'utf8') + `tape Offsite { restic "${path.join(l.root, 'repo')}" password-file "${path.join(l.root, 'restic.pass')}" }
server Remote { role catalog host "ssh://backup@127.0.0.9:2299" data "${remote}" stop "true" start "true" }
backup Weekly { servers Remote to Offsite }
backup Monthly { servers Remote to Vault }
drill OnRestic { servers Remote from Offsite }
drill OnFolder { servers Remote from Vault }
`);
        const r = await l.cli('drill', ['--policy', 'OnRestic', '--target', `${remote}/scratch`]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${remote}/scratch is inside the data folder ${remote} of server Remote on ssh://backup@127.0.0.9:2299: a drill never writes near live data`)]);
        const { model } = await loadRunbook(l.runbook);
        const drill = (name: string) => model.drills.filter(d => d.name === name);
        expect(drillBaseProblem(model, '/srv', drill('OnRestic'))).toMatch(/\/srv holds the data folder .* of server Remote on ssh:/);
        // From a folder tape the copy is made on this machine: the remote path is no one's data here.
        expect(drillBaseProblem(model, `${remote}/scratch`, drill('OnFolder'))).toBeUndefined();
    });


    it('bad names exit 2 with one line; no archive and drill.invalid exit 1; a broken drill never blocks a backup', async () => {
        const l = lab = mailLab('drill D { from Vault }\ndrill Broken { from Vault pick latest }');
        for (const [args, message] of [
            [['--policy', 'Nope'], /no drill block named Nope in this runbook \(drills: D, Broken\)/],
            [['--policy', 'D', '--server', 'Cat9'], /no drill of this run restores server Cat9/],
            [['--policy', 'D', '--archive', '20200101T000000.000Z-Mail-0000'], /archive 20200101T000000\.000Z-Mail-0000 is not an archive of a server this run drills/],
            [['--policy', 'D', '--target', path.join(l.data('mail'), 'scratch')], /mail\/scratch is inside the data folder .* of server Mail: a drill never writes near live data/],
            [['--policy', 'D', '--target', l.root], /holds the data folder .* of server Mail/]
        ] as const) {
            const r = await l.cli('drill', [...args]);
            expect(r.code, r.stderr).toBe(2);
            expect(r.stderr).toMatch(message);
            // One line, after the warning about the other drill's drill.invalid (it does not block this run).
            expect(r.stderr.trim().split('\n').filter(line => !/: warning: .*\[drill\.invalid\]/.test(line))).toHaveLength(1);
            expect(hasStackTrace(r.stderr)).toBe(false);
        }
        const none = await l.cli('drill', ['--policy', 'D']);
        expect(none.code).toBe(1);
        expect(none.stdout).toContain('FAILED  D Mail: tape Vault holds no archive of Mail: back it up first');

        const refused = await l.cli('drill');
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/Drill 'Broken' cannot pick "latest".*\[drill\.invalid\]\nbackplan: refused: the runbook has 1 error that makes? drill unsafe/);
        expect((await l.cli('backup')).code).toBe(0);
        expect((await l.cli('drill', ['--policy', 'D'])).code).toBe(0);

        const plain = mailLab('');
        try {
            const r = await plain.cli('drill');
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(/the runbook has no drill block: add one, such as `drill Weekly \{ from TAPE \}`/);
        } finally {
            plain.dispose();
        }
    }, 240_000);
});
