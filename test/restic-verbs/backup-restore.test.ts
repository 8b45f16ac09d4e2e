/**
 * The verbs on a restic tape end to end, through the CLI bundle and real restic 0.14, on
 * three repositories:
 *   local  a folder, a local server (restic on this machine)
 *   sftp   `sftp://…` to a real sshd on loopback, a local server (restic's ssh through
 *          --ssh-config)
 *   rest   `rclone serve restic` on loopback, a server on an SSH host (restic runs there)
 * Each: the plan says restic; the first backup creates the repository and says so, stops
 * and starts the application once, stores a data snapshot and its manifest (plain restic
 * is the witness); an unchanged second backup grows the repository by < 1% of the data;
 * archives lists one row per Backplan snapshot; verify passes; a damaged data folder is
 * restored byte for byte (modes, owners, mtimes, symlinks, a fifo, odd names) with nothing
 * left beside it; history shows the runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SshdLab, sshdSkip } from '../helpers/sshd.js';
import { makeDataTree, rcloneSkip, resticSkip, resticSuiteName, startRestServer, type RestServer } from '../restic/restic-lab.js';
import { bytesBelow, tree, VerbLab } from './verb-lab.js';

const skip = resticSkip || rcloneSkip || sshdSkip;

interface Backend { lab: VerbLab; storage: string }

describe.skipIf(skip)(resticSuiteName('verbs on restic tapes: local, sftp, rest', true), () => {
    let sshd: SshdLab;
    let rest: RestServer;
    const backends = new Map<string, Backend>();

    beforeAll(async () => {
        sshd = await SshdLab.start({ hosts: ['vault', 'srv'], firstAddress: 61 });
        const local = new VerbLab(root => path.join(root, 'repo'), [{ name: 'Mail', role: 'mail' }]);
        backends.set('local', { lab: local, storage: local.repository });

        const vault = sshd.host('vault');
        const sftpStore = path.join(vault.root, 'restic');
        const sftp = new VerbLab(`sftp://${sshd.user}@${vault.address}:${vault.port}/${sftpStore}`, [{ name: 'Mail', role: 'mail' }]);
        sftp.sshConfig = sshd.configFile;
        backends.set('sftp', { lab: sftp, storage: sftpStore });

        const storage = fs.mkdtempSync(path.join(sshd.host('srv').root, 'rest-'));
        rest = await startRestServer(storage);
        const remote = new VerbLab(rest.url, [{ name: 'Cat1', role: 'catalog', master: true, host: sshd.host('srv').url }]);
        remote.sshConfig = sshd.configFile;
        backends.set('rest', { lab: remote, storage });
        for (const { lab } of backends.values()) {
            for (const s of lab.servers) {
                makeDataTree(path.dirname(lab.data(s.name)), 4 << 20, { absoluteLink: false });
                expect(lab.app("start", s.name)).toBe(0);
                lab.clearEvents();
            }
        }
    }, 120_000);
    afterAll(async () => {
        for (const { lab } of backends.values()) lab.dispose();
        await rest?.stop();
        await sshd?.stop();
    });

    describe.each(['local', 'sftp', 'rest'])('%s', kind => {
        let lab: VerbLab;
        let server: string;
        let before: string[];

        beforeAll(() => {
            lab = backends.get(kind)!.lab;
            server = lab.servers[0].name;
            before = tree(lab.data(server));
        });

        test('--dry-run says restic runs on the server\'s host, and touches nothing', async () => {
            const r = await lab.cli('backup', ['--dry-run']);
            expect(r.code).toBe(0);
            expect(r.stdout).toContain(`tape Vault (restic repository ${lab.repository}, restic runs on each server's host)`);
            expect(r.stdout).toMatch(new RegExp(`${server}: restic backup of the data folder on the server's host into .* \\(--host ${server}, tags backplan`));
            expect(r.stdout).toMatch(/create the repository \(restic init\) if pre-flight found none/);
            expect(lab.eventLines()).toEqual([]);
        }, 60_000);

        test('the first backup creates the repository (and says so), then a data snapshot and its manifest', async () => {
            const r = await lab.cli('backup');
            expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('there was no restic repository')]);
            expect(r.stdout).toMatch(new RegExp(`ok +${server} → tape Vault: [0-9a-f]{8} \\(\\d+ files\\)`));
            expect(lab.eventLines()).toEqual([`stopping ${server}`, `started ${server}`]);
            const snaps = lab.snapshots();
            expect(snaps.map(s => [s.hostname, s.tags.filter(t => !t.startsWith('run:') && !t.startsWith('snapshot:'))])).toEqual([
                [server, ['backplan', 'policy:Nightly']], [server, ['backplan-manifest']]
            ]);
            // The manifest is the walk of the stopped data (no listing back): it names restic's short ID.
            expect(snaps[1].tags).toContain(`snapshot:${snaps[0].short_id}`);
        }, 300_000);

        test('an unchanged second backup grows the repository by less than 1% of the data', async () => {
            const storage = backends.get(kind)!.storage;
            const data = bytesBelow(lab.data(server));
            const grown = bytesBelow(storage);
            lab.clearEvents();
            const r = await lab.cli('backup');
            expect(r.code).toBe(0);
            expect(lab.eventLines()).toEqual([`stopping ${server}`, `started ${server}`]);
            expect((bytesBelow(storage) - grown) / data).toBeLessThan(0.01);
            expect(r.stderr).not.toContain('there was no restic repository');
        }, 300_000);

        test('archives lists one row per Backplan snapshot; verify passes and is recorded', async () => {
            const listed = JSON.parse((await lab.cli('archives', ['--format', 'json'])).stdout).archives;
            const data = lab.snapshots().filter(s => s.tags.includes('backplan'));
            expect(listed.map((a: { id: string; server: string; kind: string }) => [a.id, a.server, a.kind])).toEqual(data.map(s => [s.short_id, server, 'restic']));
            const v = await lab.cli('verify');
            expect([v.code, v.stdout]).toEqual([0, expect.stringContaining('2 archives verified.')]);
            const again = JSON.parse((await lab.cli('archives', ['--format', 'json'])).stdout).archives;
            expect(again.map((a: { verified: { ok: boolean; kind: string } }) => a.verified)).toEqual([
                expect.objectContaining({ ok: true, kind: 'restic-read-data' }), expect.objectContaining({ ok: true, kind: 'restic-read-data' })
            ]);
        }, 300_000);

        test('a damaged data folder is restored byte for byte from the newest snapshot, nothing left beside it', async () => {
            const data = lab.data(server);
            fs.rmSync(path.join(data, 'cur', 'msg-0001'));
            fs.writeFileSync(path.join(data, 'empty'), 'not empty any more');
            fs.chmodSync(path.join(data, 'sticky'), 0o755);
            fs.writeFileSync(path.join(data, 'intruder'), 'x');
            lab.clearEvents();
            const r = await lab.cli('restore', ['--server', server]);
            expect([r.code, r.stderr]).toEqual([0, expect.stringContaining(`restic restore of snapshot`)]);
            expect(tree(data)).toEqual(before);
            expect(lab.eventLines()).toEqual([`stopping ${server}`, `started ${server}`]);
            expect(fs.readdirSync(path.dirname(data)).filter(n => n.includes('.backplan-'))).toEqual([]);
        }, 300_000);

        test('history shows every run', async () => {
            const runs = JSON.parse((await lab.cli('history', ['--format', 'json'])).stdout).runs;
            expect(runs.map((r: { verb: string; state: string }) => [r.verb, r.state])).toEqual([['backup', 'ok'], ['backup', 'ok'], ['restore', 'ok']]);
        }, 60_000);
    });
});
