/**
 * How backups to a restic tape fail, through the CLI bundle and real restic 0.14:
 *   refused before any stop (the event app's log shows no `stopping`): a wrong password,
 *   a missing password file, an unreachable repository, no restic on the PATH;
 *   SIGKILL mid-backup (Backplan and restic killed together, once restic holds its lock
 *   and the journal shows the backup step begun): the next run starts the application,
 *   removes the stale restic lock (the journal shows no live run) and succeeds;
 *   a backup that fails after restic saved its snapshot (a restic whose manifest backup,
 *   or whose listing back of a server with `exclude`, fails, wrapped around the real one)
 *   forgets that snapshot and starts the application.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { BIN } from '../helpers/run-cli.js';
import { freePort } from '../helpers/sshd.js';
import { makeDataTree, resticSkip, resticSuiteName } from '../restic/restic-lab.js';
import { VerbLab } from './verb-lab.js';

const labs: VerbLab[] = [];

/** A lab with one local mail server (its `exclude`), its data, its application running, and a repository folder. */
function mailLab(repository?: string, exclude?: string[]): VerbLab {
    const lab = new VerbLab(root => repository ?? path.join(root, 'repo'), [{ name: 'Mail', role: 'mail', exclude }]);
    labs.push(lab);
    makeDataTree(path.dirname(lab.data('Mail')), 1 << 20, { absoluteLink: false });
    expect(lab.app('start', 'Mail')).toBe(0);
    lab.clearEvents();
    return lab;
}

/** Journal records of the lab's runbook. */
function journal(lab: VerbLab): Array<Record<string, unknown>> {
    const dir = path.join(lab.state, 'journals');
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir).flatMap(f => fs.readFileSync(path.join(dir, f), 'utf8').split('\n'))
        .flatMap(line => { try { return [JSON.parse(line) as Record<string, unknown>]; } catch { return []; } });
}

/** Polls until `ready` holds (the test's timeout bounds the wait). */
async function until(ready: () => boolean): Promise<void> {
    while (!ready()) await new Promise(r => setTimeout(r, 25));
}

describe.skipIf(resticSkip)(resticSuiteName('restic tapes: failures'), () => {
    afterEach(() => { for (const lab of labs.splice(0)) lab.dispose(); });

    test('a wrong password is refused before any stop', async () => {
        const lab = mailLab();
        expect((await lab.cli('backup')).code).toBe(0);
        lab.clearEvents();
        const wrong = path.join(lab.root, 'wrong.pass');
        fs.writeFileSync(wrong, 'not the password\n');
        lab.writeRunbook({ passwordFile: wrong });
        const r = await lab.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/FAILED +Mail → tape Vault: skipped in pre-flight, never stopped: tape Vault: restic .*wrong password/);
        expect(lab.eventLines()).toEqual([]);
        expect(lab.snapshots()).toHaveLength(2);
    }, 180_000);

    test('a missing password file is refused before any stop', async () => {
        const lab = mailLab();
        lab.writeRunbook({ passwordFile: path.join(lab.root, 'no-such.pass') });
        const r = await lab.cli('backup');
        expect([r.code, r.stdout]).toEqual([1, expect.stringMatching(/never stopped: tape Vault: .*check that the tape's password-file exists there/)]);
        expect(lab.eventLines()).toEqual([]);
    }, 120_000);

    test('an unreachable repository is refused before any stop', async () => {
        const port = await freePort('127.0.0.1'); // nothing listens there
        const lab = mailLab(`rest:http://127.0.0.1:${port}/`);
        const r = await lab.cli('backup');
        expect([r.code, r.stdout]).toEqual([1, expect.stringMatching(/never stopped: tape Vault: .*connection refused.*cannot be reached/)]);
        expect(lab.eventLines()).toEqual([]);
    }, 120_000);

    test('no restic on the PATH is refused before any stop, saying what to install', async () => {
        const lab = mailLab();
        const r = await lab.cli('backup', [], { PATH: lab.noRestic() });
        expect([r.code, r.stdout]).toEqual([1, expect.stringMatching(/never stopped: tape Vault: restic version on local exited with code 127.*install restic 0\.14 or later/)]);
        expect(lab.eventLines()).toEqual([]);
        expect(fs.existsSync(lab.repository)).toBe(false);
    }, 120_000);

    test('SIGKILL mid-backup: the next run starts the application, removes the stale restic lock and succeeds', async () => {
        const lab = mailLab();
        expect((await lab.cli('backup')).code).toBe(0);
        lab.clearEvents();
        // A 1 TiB sparse file: restic reads holes as zeros, so the backup runs until killed.
        const big = path.join(lab.data('Mail'), 'sparse');
        fs.writeFileSync(big, '');
        fs.truncateSync(big, 2 ** 40);
        const child = spawn(process.execPath, [BIN, 'backup', lab.runbook, '--state', lab.state], {
            // Without its guardian (BACKPLAN_NO_GUARDIAN=1): this is about what the next run does.
            detached: true, stdio: 'ignore', env: { ...process.env, RESTIC_CACHE_DIR: lab.restic.cacheDir, BACKPLAN_NO_GUARDIAN: '1' }
        });
        const exited = new Promise(resolve => child.once('exit', resolve));
        const locks = path.join(lab.repository, 'locks');
        const lockFiles = (): string[] => fs.readdirSync(locks).filter(n => /^[0-9a-f]{64}$/.test(n)); // not restic's temporary names
        await until(() => journal(lab).some(r => r.step === 'archive' && r.event === 'begin' && r.run !== undefined && !journal(lab).some(e => e.type === 'run' && e.event === 'end' && e.run === r.run))
            && lockFiles().length > 0);
        process.kill(-child.pid!, 'SIGKILL'); // Backplan and its restic, as a power cut would
        await exited;
        const [lockId] = lockFiles();
        expect(lab.eventLines()).toEqual(['stopping Mail']);
        // restic, orphaned, is gone once init has reaped it (until then restic thinks it alive).
        const { pid } = lab.resticJson<{ pid: number }>(['cat', 'lock', lockId, '--no-lock']);
        await until(() => !fs.existsSync(`/proc/${pid}`));
        fs.rmSync(big);

        const r = await lab.cli('backup');
        expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('started Mail again')]);
        expect(r.stderr).toMatch(/removed 1 stale restic lock .* with `restic unlock` on local: no run of this runbook is live/);
        expect(fs.readdirSync(locks)).toEqual([]);
        expect(lab.eventLines()).toEqual(['stopping Mail', 'started Mail', 'stopping Mail', 'started Mail']);
        const runs = JSON.parse((await lab.cli('history', ['--format', 'json'])).stdout).runs;
        expect(runs.map((x: { state: string }) => x.state)).toEqual(['ok', 'interrupted', 'ok']);
    }, 300_000);

    test('a backup that fails after restic saved its snapshot forgets it and starts the application', async () => {
        const lab = mailLab();
        expect((await lab.cli('backup')).code).toBe(0);
        lab.clearEvents();
        // The manifest's restic (`backup --stdin`) fails, after the data snapshot was saved.
        const bin = lab.restic.dir('failing-manifest');
        fs.writeFileSync(path.join(bin, 'restic'), '#!/bin/sh\ncase " $* " in *" --stdin "*) echo "Fatal: injected failure" >&2; exit 1;; esac\nexec /usr/bin/restic "$@"\n', { mode: 0o755 });
        const r = await lab.cli('backup', [], { PATH: `${bin}:${process.env.PATH}` });
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/FAILED +Mail → tape Vault: the manifest could not be stored in the repository: restic backup .*injected failure/);
        expect(r.stderr).toMatch(/Mail: forgot the snapshot the failed backup saved \([0-9a-f]{8}\)/);
        expect(lab.eventLines()).toEqual(['stopping Mail', 'started Mail']);
        expect(lab.snapshots()).toHaveLength(2); // the first backup's data and manifest only
        // The failed manifest and the forget that followed left no restic lock behind.
        expect(fs.readdirSync(path.join(lab.repository, 'locks'))).toEqual([]);
        expect(JSON.parse((await lab.cli('archives', ['--format', 'json'])).stdout).archives).toHaveLength(1);
    }, 180_000);

    test('a backup whose snapshot cannot be listed back (a server with exclude) forgets it and starts the application', async () => {
        const lab = mailLab(undefined, ['cur/msg-0001']);
        expect((await lab.cli('backup')).code).toBe(0);
        lab.clearEvents();
        const bin = lab.restic.dir('failing-find');
        fs.writeFileSync(path.join(bin, 'restic'), '#!/bin/sh\n[ "$1" = find ] && { echo "Fatal: injected failure" >&2; exit 1; }\nexec /usr/bin/restic "$@"\n', { mode: 0o755 });
        const r = await lab.cli('backup', [], { PATH: `${bin}:${process.env.PATH}` });
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/FAILED +Mail → tape Vault: snapshot [0-9a-f]{8} could not be listed back: restic find .*injected failure/);
        expect(r.stderr).toMatch(/Mail: forgot the snapshot the failed backup saved \([0-9a-f]{8}\)/);
        expect(lab.eventLines()).toEqual(['stopping Mail', 'started Mail']);
        expect(lab.snapshots()).toHaveLength(2);
        expect(fs.readdirSync(path.join(lab.repository, 'locks'))).toEqual([]);
    }, 180_000);
});
