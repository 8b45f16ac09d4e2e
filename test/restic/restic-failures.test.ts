/**
 * How restic fails, as typed errors the runner can act on before any stop, against real
 * restic 0.14: no restic on the PATH (here and on an SSH host), a restic older than 0.14,
 * a missing password file, unreachable REST and sftp repositories; and what an interrupted
 * restic leaves behind: SIGKILL mid-backup leaves a lock that `unlock` removes (and the
 * next backup succeeds), while an abort or a time limit (SIGINT, here and over SSH) lets
 * restic remove its own lock.
 *
 * A backup that runs long enough to be interrupted reads a 1 TiB sparse file (restic 0.14
 * reads holes as zeros); every interruption waits for restic's first progress line, when
 * it holds its lock, never for a fixed time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SshConnection, makeControlDir } from '../../packages/engine/out/hosts/ssh/index.js';
import {
    LocalResticShell, ResticError, ResticRepository, SshResticShell, checkResticVersion, resticPreflight, sftpCommandOption, type ResticShell
} from '../../packages/engine/out/restic/index.js';
import { SshdLab, freePort, sshdSkip } from '../helpers/sshd.js';
import { ResticLab, resticSkip, resticSuiteName } from './restic-lab.js';

/** The ResticError a promise rejects with (fails the test when it resolves or throws something else). */
async function failure(p: Promise<unknown>): Promise<ResticError> {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ResticError);
    return err as ResticError;
}

describe.skipIf(resticSkip)(resticSuiteName('restic failures'), () => {
    let lab: ResticLab;
    const shell = new LocalResticShell();

    beforeAll(() => { lab = ResticLab.create(); });
    afterAll(() => lab?.remove());

    test('no restic on the PATH is kind `missing`, with what to install', async () => {
        const env = { PATH: lab.dir('empty-bin') };
        const err = await failure(checkResticVersion(shell, { env }));
        expect(err.kind).toBe('missing');
        expect(err.message).toMatch(/exited with code 127.*install restic 0\.14 or later/);
        expect((await failure(new ResticRepository(shell, lab.target(lab.dir('r0'), { env })).exists())).kind).toBe('missing');
    });

    test('restic 0.14 is accepted, an older one refused as `too-old`', async () => {
        expect((await checkResticVersion(shell)).version).toMatch(/^0\.(1[4-9]|[2-9]\d)\.|^[1-9]/);
        const bin = lab.dir('old-bin');
        fs.writeFileSync(path.join(bin, 'restic'), '#!/bin/sh\necho "restic 0.13.1 compiled with go1.18.1 on linux/amd64"\n', { mode: 0o755 });
        const err = await failure(checkResticVersion(shell, { env: { PATH: `${bin}:/usr/bin:/bin` } }));
        expect(err.kind).toBe('too-old');
        expect(err.message).toMatch(/restic 0\.13\.1 on local is too old: Backplan needs restic 0\.14 or later/);
    });

    test('pre-flight: restic\'s version and a repository not there yet; a wrong password refuses', async () => {
        const repo = new ResticRepository(shell, lab.target(path.join(lab.root, 'pre')));
        const found = await resticPreflight(repo);
        expect([found.version.text, found.exists]).toEqual([expect.stringMatching(/^restic \d+\.\d+\.\d+ /), false]);
        await repo.init();
        expect((await resticPreflight(repo)).exists).toBe(true);
        fs.writeFileSync(path.join(lab.root, 'wrong.pass'), 'wrong\n');
        const err = await failure(resticPreflight(new ResticRepository(shell, { ...repo.target, passwordFile: path.join(lab.root, 'wrong.pass') })));
        expect(err.kind).toBe('wrong-password');
    });

    test('a missing password file is kind `password-file`', async () => {
        const repo = new ResticRepository(shell, { ...lab.target(lab.dir('r1')), passwordFile: path.join(lab.root, 'no-such.pass') });
        expect((await failure(repo.exists())).kind).toBe('password-file');
    });

    test('an unreachable REST repository is kind `unreachable`, not a missing one', async () => {
        const port = await freePort('127.0.0.1'); // free: nothing listens there
        const err = await failure(new ResticRepository(shell, lab.target(`rest:http://127.0.0.1:${port}/`)).exists());
        expect(err.kind).toBe('unreachable');
        expect(err.failure.stderrTail.join(' ')).toMatch(/connection refused/);
    });

    test('an unreachable sftp repository is kind `unreachable`', async () => {
        const port = await freePort('127.0.0.1');
        const url = `sftp://nobody@127.0.0.1:${port}//srv/restic`;
        const err = await failure(new ResticRepository(shell, lab.target(url, { options: [sftpCommandOption(url)!] })).exists());
        expect(err.kind).toBe('unreachable');
    });

    describe('interrupted backups', () => {
        let repo: ResticRepository;
        let big: string;
        let small: string;

        beforeAll(async () => {
            repo = new ResticRepository(shell, lab.target(path.join(lab.root, 'repo')));
            await repo.init();
            big = lab.dir('big');
            fs.writeFileSync(path.join(big, 'sparse'), '');
            fs.truncateSync(path.join(big, 'sparse'), 2 ** 40);
            small = lab.dir('small');
            fs.writeFileSync(path.join(small, 'a'), 'a\n');
        });

        test('SIGKILL mid-backup leaves a stale lock; unlock removes it and the next backup succeeds', async () => {
            let holding!: () => void;
            const locked = new Promise<void>(resolve => { holding = resolve; });
            const running = repo.backup(big, { server: 'Mail', runId: 'run-killed', policy: 'Nightly', onStatus: () => holding() });
            await locked;
            const [lock] = await repo.locks();
            expect(lock.exclusive).toBe(false);
            process.kill(lock.pid, 'SIGKILL');
            const err = await failure(running);
            expect([err.kind, err.failure.signal]).toEqual(['interrupted', 'SIGKILL']);
            expect((await repo.locks()).map(l => l.pid)).toEqual([lock.pid]);
            await repo.unlock();
            expect(await repo.locks()).toEqual([]);
            const next = await repo.backup(small, { server: 'Mail', runId: 'run-next', policy: 'Nightly' });
            expect(next.summary.filesNew).toBe(1);
            expect((await repo.snapshotsOfRun('run-killed'))).toEqual([]);
        }, 180_000);

        test('an abort stops restic with SIGINT: it removes its own lock', async () => {
            const abort = new AbortController();
            const err = await failure(repo.backup(big, { server: 'Mail', runId: 'run-aborted', policy: 'Nightly', signal: abort.signal, onStatus: () => abort.abort() }));
            expect(err.kind).toBe('interrupted');
            expect(await repo.locks()).toEqual([]);
        }, 180_000);

        test('a time limit is kind `timeout` and leaves no lock', async () => {
            const err = await failure(repo.backup(big, { server: 'Mail', runId: 'run-timeout', policy: 'Nightly', timeoutMs: 1000 }));
            expect(err.kind).toBe('timeout');
            expect(err.message).toMatch(/did not finish in time/);
            expect(await repo.locks()).toEqual([]);
        }, 180_000);
    });

    describe.skipIf(sshdSkip)('over SSH', () => {
        let sshd: SshdLab;
        let remote: (name: string) => ResticShell;

        beforeAll(async () => {
            // `bare` has the tools a remote command needs (env, setsid, sleep) and no restic.
            const bareBin = lab.dir('bare-bin');
            for (const tool of ['env', 'setsid', 'sleep']) fs.symlinkSync(`/usr/bin/${tool}`, path.join(bareBin, tool));
            sshd = await SshdLab.start({ hosts: ['srv', 'bare'], firstAddress: 45, remotePath: { bare: bareBin } });
            const controlDir = makeControlDir(lab.dir('ssh'));
            remote = name => {
                const h = sshd.host(name);
                return new SshResticShell(new SshConnection({ user: sshd.user, hostname: h.address, port: h.port }, { configFile: sshd.configFile, controlDir }));
            };
        });
        afterAll(async () => sshd?.stop());

        test('no restic on the remote PATH is kind `missing`', async () => {
            const err = await failure(checkResticVersion(remote('bare')));
            expect(err.kind).toBe('missing');
            expect(err.message).toMatch(/^restic version on ssh:\/\/.*127\.0\.0\.46:\d+ exited with code 127: .*restic: not found/);
        });

        test('an abort ends the SSH session; the remote watcher interrupts restic, which removes its lock', async () => {
            const repo = new ResticRepository(remote('srv'), lab.target(path.join(lab.root, 'remote-repo')));
            await repo.init();
            const big = lab.dir('remote-big');
            fs.writeFileSync(path.join(big, 'sparse'), '');
            fs.truncateSync(path.join(big, 'sparse'), 2 ** 40);
            const abort = new AbortController();
            let started!: () => void;
            const holding = new Promise<void>(resolve => { started = resolve; });
            const running = failure(repo.backup(big, { server: 'Cat1', runId: 'run-remote', policy: 'Nightly', signal: abort.signal, onStatus: () => started() }));
            await holding;
            const [lock] = await repo.locks();
            abort.abort();
            await running;
            // restic removes its lock as it exits; wait for the process the lock named to be gone.
            const deadline = Date.now() + 60_000;
            while (Date.now() < deadline && processAlive(lock.pid)) await new Promise(r => setTimeout(r, 50));
            expect(processAlive(lock.pid)).toBe(false);
            expect(await repo.locks()).toEqual([]);
        }, 180_000);
    });
});

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}
