/**
 * The restic wrapper against real restic 0.14 on three kinds of repository:
 *   local  a folder, restic on this machine
 *   sftp   `sftp://…` to a real sshd on loopback, restic on this machine (ssh through the
 *          lab's config file, as `--ssh-config` would give it)
 *   rest   `rest:http://127.0.0.1:PORT/` served by `rclone serve restic`, restic on an SSH
 *          host (the SSH restic shell, stdin and all)
 * Each: a missing repository is said so and created; backup, then its manifest last; the
 * entries match the data folder; an unchanged second backup grows the repository by less
 * than 1% of the data; restore gives back every byte, mode, owner, mtime and symlink;
 * `check --read-data` passes; a wrong password is a typed error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ManifestEntry } from '../../packages/engine/out/archive/manifest.js';
import { LocalHost } from '../../packages/engine/out/hosts/local-host.js';
import { SshConnection, makeControlDir } from '../../packages/engine/out/hosts/ssh/index.js';
import {
    LocalResticShell, ResticError, ResticRepository, SshResticShell, sftpCommandOption,
    type ResticManifest, type ResticShell, type ResticSnapshot, type ResticTarget
} from '../../packages/engine/out/restic/index.js';
import { SshdLab, sshdSkip } from '../helpers/sshd.js';
import { ResticLab, makeDataTree, rcloneSkip, resticSkip, resticSuiteName, startRestServer, treeBytes, type RestServer } from './restic-lab.js';

const local = new LocalHost();

/** Entries without hashes, by path (restic lists them in its own order). */
function byPath(entries: readonly ManifestEntry[], hashes = false): Record<string, ManifestEntry> {
    return Object.fromEntries(entries.map(e => {
        const { sha256, ...rest } = e;
        return [e.path, hashes && sha256 !== undefined ? { ...rest, sha256 } : rest];
    }));
}

interface Backend {
    shell: ResticShell;
    target: ResticTarget;
    /** The folder that holds the repository's files (to measure its growth). */
    storage: string;
}

const skip = resticSkip || rcloneSkip || sshdSkip;

describe.skipIf(skip)(resticSuiteName('restic repositories: local, sftp, rest', true), () => {
    let lab: ResticLab;
    let sshd: SshdLab;
    let rest: RestServer;
    const backends = new Map<string, Backend>();

    beforeAll(async () => {
        lab = ResticLab.create();
        sshd = await SshdLab.start({ hosts: ['vault', 'srv'], firstAddress: 41 });
        const controlDir = makeControlDir(lab.dir('ssh'));
        const localRepo = lab.dir('local-repo');
        fs.rmdirSync(localRepo);
        backends.set('local', { shell: new LocalResticShell(), target: lab.target(localRepo), storage: localRepo });

        const vault = sshd.host('vault');
        const sftpRepo = path.join(vault.root, 'restic');
        const sftpUrl = `sftp://${sshd.user}@${vault.address}:${vault.port}/${sftpRepo}`;
        backends.set('sftp', {
            shell: new LocalResticShell(),
            target: lab.target(sftpUrl, { options: [sftpCommandOption(sftpUrl, { configFile: sshd.configFile })!] }),
            storage: sftpRepo
        });

        rest = await startRestServer(lab.dir('rest-storage'));
        const srv = sshd.host('srv');
        const connection = new SshConnection({ user: sshd.user, hostname: srv.address, port: srv.port }, { configFile: sshd.configFile, controlDir });
        backends.set('rest', { shell: new SshResticShell(connection), target: lab.target(rest.url), storage: path.join(lab.root, 'rest-storage') });
    });
    afterAll(async () => {
        await rest?.stop();
        await sshd?.stop();
        lab?.remove();
    });

    describe.each(['local', 'sftp', 'rest'])('%s', kind => {
        let repo: ResticRepository;
        let data: string;
        let first: ResticSnapshot;
        let manifest: ResticManifest;

        beforeAll(() => {
            const b = backends.get(kind)!;
            repo = new ResticRepository(b.shell, b.target, `Vault-${kind}`);
            data = makeDataTree(lab.dir(`src-${kind}`));
        });

        test('a repository that does not exist is said so, then created once', async () => {
            expect(await repo.exists()).toBe(false);
            await repo.init();
            expect(await repo.exists()).toBe(true);
            const again = await repo.init().catch((e: unknown) => e);
            expect(again).toBeInstanceOf(ResticError);
            expect((again as ResticError).kind).toBe('exists');
        });

        test('backup with Backplan\'s host and tags; listed as an archive only once its manifest is stored', async () => {
            const { snapshot, summary } = await repo.backup(data, { server: 'Mail', runId: '20261203T020000.000Z-run-0001', policy: 'Nightly' });
            first = snapshot;
            expect(snapshot.hostname).toBe('Mail');
            expect(snapshot.paths).toEqual([data]);
            expect([...snapshot.tags].sort()).toEqual(['backplan', 'policy:Nightly', 'run:20261203T020000.000Z-run-0001']);
            const files = (await local.listFiles(data, { hash: false })).filter(e => e.type === 'file');
            expect(summary.filesNew).toBe(files.length);
            expect((await repo.archives()).archives).toEqual([]);
            expect((await repo.archives()).unfinished.map(s => s.id)).toEqual([snapshot.id]);

            const entries = await repo.entries(snapshot.id, data);
            expect(byPath(entries)).toEqual(byPath(await local.listFiles(data, { hash: false })));
            manifest = {
                format: 'backplan-restic-manifest', version: 1, snapshot: snapshot.id, server: 'Mail', role: 'mail', policy: 'Nightly',
                runId: '20261203T020000.000Z-run-0001', runbook: '/etc/backplan/acme.backplan', tape: `Vault-${kind}`, host: repo.shell.label, data,
                folders: [], times: { backupStarted: '2026-12-03T02:00:00.000Z', backupFinished: '2026-12-03T02:00:01.000Z' },
                tools: { restic: '0.14.0' }, summary, files: entries.filter(e => e.type === 'file').length, entries
            };
            const stored = await repo.writeManifest(manifest);
            expect([...stored.tags].sort()).toEqual(['backplan-manifest', 'run:20261203T020000.000Z-run-0001', `snapshot:${snapshot.id}`]);
            const { archives, unfinished, orphans } = await repo.archives();
            expect([archives.map(a => a.snapshot.id), unfinished, orphans]).toEqual([[snapshot.id], [], []]);
            expect(await repo.readManifest(archives[0])).toEqual(manifest);
        }, 120_000);

        test('an unchanged second backup adds no data: the repository grows by less than 1% of the data', async () => {
            const dataBytes = treeBytes(data);
            const before = treeBytes(backends.get(kind)!.storage);
            const { snapshot, summary } = await repo.backup(data, { server: 'Mail', runId: '20261204T020000.000Z-run-0002', policy: 'Nightly' });
            await repo.writeManifest({ ...manifest, snapshot: snapshot.id, runId: '20261204T020000.000Z-run-0002', summary });
            const growth = treeBytes(backends.get(kind)!.storage) - before;
            expect([summary.filesNew, summary.filesChanged, summary.dataAdded < 0.01 * dataBytes]).toEqual([0, 0, true]);
            expect(snapshot.parent).toBe(first.id);
            expect(growth).toBeGreaterThan(0);
            expect(growth / dataBytes).toBeLessThan(0.01);
            expect((await repo.archives({ host: 'Mail' })).archives).toHaveLength(2);
        }, 120_000);

        test('restore gives back every byte, mode, owner, mtime and symlink', async () => {
            const target = lab.dir(`restored-${kind}`);
            await repo.restore(first.id, target);
            const restored = path.join(target, data);
            const original = await local.listFiles(data);
            expect(byPath(await local.listFiles(restored), true)).toEqual(byPath(original, true));
            expect(byPath(manifest.entries)).toEqual(byPath(original));
            expect(fs.readlinkSync(path.join(restored, 'absolute-link'))).toBe('/etc/hostname');
        }, 120_000);

        test('restore of one folder, with --include', async () => {
            const target = lab.dir(`restored-part-${kind}`);
            await repo.restore(first.id, target, { include: [path.join(data, 'with space')] });
            expect(fs.readdirSync(path.join(target, data))).toEqual(['with space']);
            expect(fs.readFileSync(path.join(target, data, 'with space', 'ünïcödé 日本語'), 'utf8')).toBe('names are data\n');
        }, 120_000);

        test('check --read-data reads every pack', async () => {
            expect(await repo.check({ readData: true })).toMatch(/no errors were found/);
        }, 120_000);

        test('a wrong password is a typed error with restic\'s own words', async () => {
            const wrong = path.join(lab.root, 'wrong.pass');
            fs.writeFileSync(wrong, 'not the password\n');
            const b = backends.get(kind)!;
            const err = await new ResticRepository(b.shell, { ...b.target, passwordFile: wrong }).snapshots().catch((e: unknown) => e);
            expect(err).toBeInstanceOf(ResticError);
            expect((err as ResticError).kind).toBe('wrong-password');
            expect((err as ResticError).failure.stderrTail.join(' ')).toMatch(/wrong password or no key found/);
            expect((err as ResticError).message).toMatch(new RegExp(`^restic snapshots on ${b.shell.label.replace(/[.]/g, '\\.')} exited with code 1: .*wrong password`));
        });
    });
});
