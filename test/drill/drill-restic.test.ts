/**
 * `backplan drill` on restic tapes, against real restic 0.14 (DESIGN §9, §11), on two
 * repositories: a local folder, and `sftp://…` behind a real sshd on loopback (restic's
 * ssh through --ssh-config). The server is local: restic runs on this machine, as for its
 * backups; and a server on an SSH host (the same sshd), whose restic, scratch copy and
 * test run there. Plain restic and the live data folder's tree are the witnesses.
 *
 *   a passing drill: the newest snapshot restored into scratch below the state folder,
 *     every entry checked, the test reads the copy (a file's SHA-256, BACKPLAN_SERVER,
 *     BACKPLAN_ARCHIVE), the journal records it; json output; scratch removed, --keep keeps it
 *   a tampered repository (a damaged pack) and a manifest that does not match the snapshot
 *     fail the drill; the live data is untouched, nothing is left in scratch
 *   a failing test fails the drill, its output shown
 *   a wrong password fails the drill clearly, exit 1
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalResticShell, ResticRepository, sftpCommandOption } from '../../packages/engine/out/restic/index.js';
import { SshdLab, sshdSkip } from '../helpers/sshd.js';
import { makeDataTree, ResticLab, resticSkip, resticSuiteName } from '../restic/restic-lab.js';
import { tree } from '../restic-verbs/verb-lab.js';
import { DrillLab } from './drill-lab.js';

/** A drill lab whose tape Vault is a restic repository (and the run's ssh config, for sftp). */
class ResticDrillLab extends DrillLab {
    readonly restic = ResticLab.create();
    sshConfig?: string;
    /** The server's host: `local` or an `ssh://…` URL. */
    host = 'local';
    readonly live: string;
    /** The repository string, and the folder its files are in. */
    readonly repository: string;
    readonly storage: string;

    /** No repository: a local one below the lab. */
    constructor(repository?: string, storage?: string) {
        super();
        this.repository = repository ?? path.join(this.restic.root, 'repo');
        this.storage = storage ?? this.repository;
        this.live = makeDataTree(path.join(this.root, 'servers', 'mail'), 1 << 20, { absoluteLink: false });
        this.env = { ...this.env, RESTIC_CACHE_DIR: this.restic.cacheDir };
    }

    protected override extraArgs(): string[] {
        return this.sshConfig ? ['--ssh-config', this.sshConfig] : [];
    }

    /** The runbook: tape Vault on restic, server Mail, one backup, drill Weekly with `test`. */
    writeRunbook(test: string, passwordFile = this.restic.passwordFile): void {
        this.write(`tape Vault { restic "${this.repository}" password-file "${passwordFile}" }
server Mail { role mail host ${this.host === 'local' ? 'local' : `"${this.host}"`} data "${this.live}" stop "true" start "true" }
backup Nightly { servers Mail to Vault }
drill Weekly { from Vault test "${test.replace(/["\\]/g, m => `\\${m}`)}" }
`);
    }

    /** `backups` backups, then a drill in JSON (both must succeed); the live tree before the drill. */
    async backUpAndDrill(backups: number): Promise<{ before: string[]; out: { ok: boolean; runId: string; drills: Array<Record<string, unknown>> } }> {
        for (let i = 0; i < backups; i++) {
            const b = await this.cli('backup');
            expect(b.code, b.stdout + b.stderr).toBe(0);
        }
        const before = tree(this.live);
        const r = await this.cli('drill', ['--format', 'json']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        return { before, out: JSON.parse(r.stdout) };
    }

    /** Backplan's snapshots with a tag, oldest first, as plain restic lists them. */
    snapshotsOf(tag: string): Array<{ short_id: string; time: string }> {
        const sftp = sftpCommandOption(this.repository, { configFile: this.sshConfig });
        const out = execFileSync('restic', [...(sftp ? ['-o', sftp] : []), 'snapshots', '--json', '--no-lock', '--tag', tag], {
            env: { ...process.env, RESTIC_REPOSITORY: this.repository, RESTIC_PASSWORD_FILE: this.restic.passwordFile, RESTIC_CACHE_DIR: this.restic.cacheDir }
        }).toString();
        const list = (JSON.parse(out) ?? []) as Array<{ short_id: string; time: string }>;
        return list.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    }

    /** The repository as the engine reads it (for tampering with the manifest). */
    repo(): ResticRepository {
        const sftp = sftpCommandOption(this.repository, { configFile: this.sshConfig });
        return new ResticRepository(new LocalResticShell(), this.restic.target(this.repository, { options: sftp ? [sftp] : [] }));
    }

    override dispose(): void {
        super.dispose();
        this.restic.remove();
    }
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The largest file below a folder: the pack that holds the data's content. */
function largestFile(dir: string): string {
    const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter(e => e.isFile()).map(e => path.join(e.parentPath, e.name));
    return files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
}

describe.skipIf(resticSkip || sshdSkip)(resticSuiteName('drills on restic tapes: local, sftp'), () => {
    let sshd: SshdLab;
    const labs = new Map<string, ResticDrillLab>();

    beforeAll(async () => {
        sshd = await SshdLab.start({ hosts: ['vault', 'mail'], firstAddress: 75 });
        labs.set('local', new ResticDrillLab());
        const vault = sshd.host('vault');
        const store = path.join(vault.root, 'restic-drill');
        const sftp = new ResticDrillLab(`sftp://${sshd.user}@${vault.address}:${vault.port}/${store}`, store);
        sftp.sshConfig = sshd.configFile;
        labs.set('sftp', sftp);
        const remote = new ResticDrillLab();
        remote.host = sshd.host('mail').url;
        remote.sshConfig = sshd.configFile;
        labs.set('ssh server', remote);
    }, 120_000);
    afterAll(async () => {
        for (const l of labs.values()) l.dispose();
        await sshd?.stop();
    });

    it('an SSH server: restic restores on its host, the copy is checked and tested there, and removed', async () => {
        const l = labs.get('ssh server')!;
        const seen = path.join(l.root, 'seen');
        // The test runs on the server's host (through its sshd): it says where it ran.
        l.writeRunbook(`test -f $BACKPLAN_DRILL_DIR/cur/msg-0000 && echo $SSH_CONNECTION $BACKPLAN_SERVER > ${seen}`);
        const { before, out } = await l.backUpAndDrill(1);
        const [snapshot] = l.snapshotsOf('backplan');
        expect(out.drills).toEqual([expect.objectContaining({ server: 'Mail', ok: true, verified: true, archive: snapshot.short_id, test: expect.objectContaining({ ok: true }) })]);
        expect(fs.readFileSync(seen, 'utf8').trim().split(' '), 'the test ran over ssh to the server\'s host').toEqual([
            expect.any(String), expect.any(String), sshd.host('mail').address, String(sshd.host('mail').port), 'Mail']);
        expect(l.drills(out.runId)).toEqual([expect.objectContaining({ ok: true, archive: snapshot.short_id })]);
        expect(l.scratch(), 'scratch removed on the host').toEqual([]);
        expect(tree(l.live), 'the live data untouched').toEqual(before);
    }, 300_000);

    describe.each(['local', 'sftp'])('%s', kind => {
        const seen = (l: ResticDrillLab): string => path.join(l.root, 'seen');
        /** The test: the copy's first message has the live one's SHA-256; what it was told is written down. */
        const checking = (l: ResticDrillLab): string => {
            const hash = sha256(path.join(l.live, 'cur', 'msg-0000'));
            return `echo '${hash}  '$BACKPLAN_DRILL_DIR/cur/msg-0000 | sha256sum -c - && echo $BACKPLAN_SERVER $BACKPLAN_ARCHIVE > ${seen(l)}`;
        };

        it('restores the newest snapshot into scratch, checks every entry, runs the test, records it, removes the scratch', async () => {
            const l = labs.get(kind)!;
            l.writeRunbook(checking(l));
            const { before, out } = await l.backUpAndDrill(2);
            const snapshots = l.snapshotsOf('backplan');
            expect(snapshots).toHaveLength(2);
            const newest = snapshots.at(-1)!.short_id;
            expect(out.ok).toBe(true);
            expect(out.drills).toEqual([expect.objectContaining({ drill: 'Weekly', server: 'Mail', tape: 'Vault', ok: true, verified: true, archive: newest,
                pick: { order: 'newest', index: 1, of: 2 }, test: expect.objectContaining({ ok: true, code: 0 }) })]);
            expect(out.drills[0].files).toBe(tree(l.live).filter(line => line.includes(': file ')).length);
            expect(typeof out.drills[0].recoverySeconds).toBe('number');
            expect(fs.readFileSync(seen(l), 'utf8').trim(), 'the test got the server and the snapshot').toBe(`Mail ${newest}`);
            const [record] = l.drills(out.runId);
            expect(record).toMatchObject({ ok: true, archive: newest, verified: true, tape: 'Vault' });
            expect(record.kept, 'the copy was removed').toBeUndefined();
            const steps = l.journal().filter(x => x.run === out.runId && x.type === 'step' && x.event === 'end').map(x => x.step);
            expect(steps).toEqual(['lock', 'check', 'extract', 'verify', 'unlock', 'test', 'cleanup']);
            expect(l.scratch(), 'scratch removed').toEqual([]);
            expect(tree(l.live), 'the live data untouched').toEqual(before);
        }, 300_000);

        it('--keep keeps the restored copy; --archive drills the one asked for; text output', async () => {
            const l = labs.get(kind)!;
            const oldest = l.snapshotsOf('backplan')[0].short_id;
            const r = await l.cli('drill', ['--keep', '--archive', oldest]);
            expect(r.code, r.stdout + r.stderr).toBe(0);
            expect(r.stdout).toMatch(new RegExp(`passed +Weekly Mail ← ${oldest} \\(given with --archive\\)`));
            const [kept] = l.scratch();
            expect(r.stdout).toContain(`restored copy kept at ${path.join(l.state, 'drills', kept)}`);
            expect(tree(path.join(l.state, 'drills', kept, l.live)), 'the copy is the data as backed up').toEqual(tree(l.live));
            fs.rmSync(path.join(l.state, 'drills', kept), { recursive: true });
        }, 300_000);

        it('a failing test fails the drill, its output shown', async () => {
            const l = labs.get(kind)!;
            l.writeRunbook('echo the copy has no mail for ada; exit 4');
            const r = await l.cli('drill');
            expect(r.code).toBe(1);
            expect(r.stdout).toMatch(/FAILED +Weekly Mail .*exited with code 4/);
            expect(r.stdout).toContain('| the copy has no mail for ada');
            expect(l.scratch()).toEqual([]);
        }, 300_000);

        it('a manifest that does not match its snapshot fails the drill; nothing left, the live data untouched', async () => {
            const l = labs.get(kind)!;
            l.writeRunbook(checking(l));
            const repo = l.repo();
            const [archive] = (await repo.archives()).archives.slice(-1);
            const manifest = await repo.readManifest(archive);
            const entries = manifest.entries.map(e => e.path === 'cur/msg-0000' ? { ...e, size: e.size + 1 } : e);
            await repo.forgetIds([archive.manifestSnapshot.id]);
            await repo.storeManifest({ ...manifest, entries });
            fs.rmSync(seen(l), { force: true });
            const before = tree(l.live);
            const r = await l.cli('drill');
            expect(r.code).toBe(1);
            expect(r.stdout).toMatch(/FAILED +Weekly Mail .*the restored files differ from the manifest: .*cur\/msg-0000/);
            expect(fs.existsSync(seen(l)), 'the test never ran').toBe(false);
            expect(l.scratch()).toEqual([]);
            expect(tree(l.live)).toEqual(before);
        }, 300_000);

        it('a damaged pack in the repository fails the drill; the live data untouched', async () => {
            const l = labs.get(kind)!;
            const pack = largestFile(path.join(l.storage, 'data'));
            const bytes = fs.readFileSync(pack);
            bytes[Math.floor(bytes.length / 2)] ^= 0xff;
            fs.chmodSync(pack, 0o600);
            fs.writeFileSync(pack, bytes);
            fs.rmSync(l.restic.cacheDir, { recursive: true, force: true });
            const before = tree(l.live);
            const r = await l.cli('drill');
            expect(r.code, r.stdout + r.stderr).toBe(1);
            expect(r.stdout).toMatch(/FAILED +Weekly Mail .*restic restore on local exited with code 1: .*ciphertext verification failed/);
            expect(l.drills().at(-1)).toMatchObject({ ok: false, verified: false });
            expect(l.scratch()).toEqual([]);
            expect(tree(l.live)).toEqual(before);
        }, 300_000);

        it('a wrong password fails the drill clearly, exit 1', async () => {
            const l = labs.get(kind)!;
            const wrong = path.join(l.root, 'wrong.pass');
            fs.writeFileSync(wrong, 'not the password\n', { mode: 0o600 });
            l.writeRunbook('true', wrong);
            const r = await l.cli('drill');
            expect(r.code).toBe(1);
            expect(r.stdout + r.stderr).toMatch(/FAILED +Weekly Mail: tape Vault: .*password/i);
            expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
        }, 300_000);
    });
});
