/**
 * Fault injection on real processes and real file systems. After every fault: the
 * application is running, earlier archives are intact and verify, nothing partial is
 * listed and no temporary file is left (except after SIGKILL, where prune removes it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { skipOrFail as requireOrSkip } from '../helpers/skip-or-fail.js';
import { Lab, seedMail, waitForFile } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

/** A lab with Mail1 running and one good archive on the tape; returns that archive's ID. */
async function labWithOneArchive(setup?: (lab: Lab) => void): Promise<{ lab: Lab; first: string }> {
    const l = Lab.create();
    lab = l;
    setup?.(l);
    l.writeRunbook([{ name: 'Mail1' }]);
    seedMail(l.data('Mail1'), 30);
    expect(l.app('Mail1', 'start')).toBe(0);
    const r = await l.cli('backup');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const listed = await l.archives();
    expect(listed).toHaveLength(1);
    return { lab: l, first: listed[0].id };
}

/** The guarantees that hold after any fault. */
async function expectAftermath(l: Lab, first: string, options: { listed?: number; tempFiles?: boolean } = {}): Promise<void> {
    expect(l.running('Mail1'), 'the application runs again').toBe(true);
    const listed = await l.archives();
    expect(listed.map(a => a.id)).toContain(first);
    expect(listed).toHaveLength(options.listed ?? 1);
    const verify = await l.cli('verify', ['--archive', first]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    if (!options.tempFiles) expect(l.tapeFiles().filter(f => f.startsWith('.tmp-'))).toEqual([]);
    expect(l.orphanArchives(), 'no archive without manifest under its final name').toEqual([]);
    expect(fs.existsSync(path.join(l.tape, 'lock.json')), 'the lock is released').toBe(false);
}

/**
 * A backup killed with SIGKILL while its tar stalls; its orphaned tar is ended as a reboot
 * would. Without its guardian (BACKPLAN_NO_GUARDIAN=1): these tests are about the next command.
 */
async function killMidArchive(l: Lab): Promise<void> {
    const mark = path.join(l.root, 'tar-stalled');
    const run = l.spawnCli('backup', [], { LAB_TAR_MODE: 'stall', LAB_TAR_MARK: mark, BACKPLAN_NO_GUARDIAN: '1' });
    await waitForFile(mark);
    run.kill('SIGKILL');
    await run.result;
    try { process.kill(Number(fs.readFileSync(mark, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
}

/** Skips a test that needs a mount, unless BACKPLAN_REQUIRE_MOUNT=1 (CI) makes that a failure. */
function skipOrFail(skip: (note: string) => void, note: string): void {
    requireOrSkip('BACKPLAN_REQUIRE_MOUNT', skip, note);
}

function shutdowns(l: Lab): number {
    const file = path.join(l.data('Mail1'), 'shutdown.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').length : 0;
}

describe('faults during a backup', () => {
    it('stop fails: archive skipped, start still run, exit 1 with the reason and the output', async () => {
        const { lab: l, first } = await labWithOneArchive();
        l.writeRunbook([{ name: 'Mail1', stop: 'echo cannot quit the mail server >&2; exit 3' }]);
        const r = await l.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/stop command .* exited with code 3; archive skipped/);
        expect(r.stdout).toMatch(/cannot quit the mail server/);
        const history = JSON.parse((await l.cli('history', ['--format', 'json'])).stdout);
        const last = history.runs.at(-1);
        expect(last.state).toBe('failed');
        expect(last.servers[0].steps.map((s: any) => [s.step, s.ok])).toEqual([['stop', false], ['start', true]]);
        await expectAftermath(l, first);
    });

    it('a stop command that exits 127 never ran: no start is owed, history says the server was never stopped', async () => {
        const { lab: l, first } = await labWithOneArchive();
        const before = shutdowns(l);
        l.writeRunbook([{ name: 'Mail1', stop: "sh -c 'exit 127'" }]);
        const run = l.spawnCli('backup', []);
        const r = await run.result;
        expect(r.code).toBe(1);
        expect(r.stdout).not.toMatch(/NOT running/);
        expect(shutdowns(l), 'the application was never stopped').toBe(before);
        const history = JSON.parse((await l.cli('history', ['--format', 'json'])).stdout);
        const last = history.runs.at(-1);
        expect(last.pid, 'the run names its process').toBe(run.pid);
        expect(last.servers[0].steps.map((s: any) => [s.step, s.ok, s.stopped])).toEqual([['stop', false, false]]);
        await expectAftermath(l, first);
    });

    it('a hanging stop command is killed after --command-timeout; start still runs', async () => {
        const { lab: l, first } = await labWithOneArchive();
        l.writeRunbook([{ name: 'Mail1', stop: 'sleep 600' }]);
        const r = await l.cli('backup', ['--command-timeout', '1']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/stop command `sleep 600` did not finish within 1 s and was killed; archive skipped/);
        await expectAftermath(l, first);
    });

    it('start fails: the run fails loudly; the archive taken before it is good', async () => {
        const { lab: l, first } = await labWithOneArchive();
        l.writeRunbook([{ name: 'Mail1', start: 'demo-app start; echo start reported failure >&2; exit 4' }]);
        const r = await l.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/start command .* exited with code 4/);
        expect(r.stdout).toMatch(/Mail1 is NOT running: start it by hand/);
        await expectAftermath(l, first, { listed: 2 });
        expect((await l.cli('verify')).code).toBe(0);
    });

    it('tar killed mid-stream: nothing listed, temporary archive removed', async () => {
        const { lab: l, first } = await labWithOneArchive();
        seedMail(l.data('Mail1'), 100, 8192);
        const r = await l.cli('backup', [], { LAB_TAR_MODE: 'kill' });
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/archive failed: tar was killed by SIGKILL/);
        await expectAftermath(l, first);
    });

    it('tar stream cut short though tar exits 0: the archive never appears under its final name', async () => {
        const { lab: l, first } = await labWithOneArchive();
        seedMail(l.data('Mail1'), 100, 8192);
        const r = await l.cli('backup', [], { LAB_TAR_MODE: 'truncate' });
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/archive failed: the tar stream ended early/);
        await expectAftermath(l, first);
    });

    it('an archive that reads back different is removed, not left without manifest', async () => {
        const { lab: l, first } = await labWithOneArchive();
        // The start command (run between the archive's write and its check) damages the
        // new archive, as a failing tape would.
        const damage = `for f in ${l.tape}/archives/*.tar.zst; do m=\${f%.tar.zst}.manifest.json; [ -e $m ] || printf x >> $f; done`;
        l.writeRunbook([{ name: 'Mail1', start: `demo-app start; ${damage}` }]);
        const r = await l.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/the archive read back differs from what was written/);
        await expectAftermath(l, first);
    });

    it('zstd missing: falls back to gzip and records it; both archives verify', async () => {
        const { lab: l, first } = await labWithOneArchive();
        const tools = path.join(l.root, 'no-zstd');
        fs.mkdirSync(tools);
        for (const dir of ['/usr/local/bin', '/usr/bin']) {
            for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
                if (name.startsWith('zstd') || fs.existsSync(path.join(tools, name))) continue;
                fs.symlinkSync(path.join(dir, name), path.join(tools, name));
            }
        }
        const r = await l.cli('backup', [], { PATH: tools });
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stderr).toMatch(/zstd was not found .* gzip used instead/);
        const manifests = l.tapeFiles().filter(f => f.endsWith('.manifest.json'));
        const second = JSON.parse(fs.readFileSync(path.join(l.tape, 'archives', manifests[1]), 'utf8'));
        expect(second.archive).toMatchObject({ compression: 'gzip', fallbackReason: expect.stringMatching(/zstd/) });
        expect(second.archive.file).toMatch(/\.tar\.gz$/);
        await expectAftermath(l, first, { listed: 2 });
        const all = await l.cli('verify');
        expect(all.code, all.stdout + all.stderr).toBe(0);
        const gz = await l.cli('verify', ['--archive', second.id], { PATH: tools });
        expect(gz.code, gz.stdout + gz.stderr).toBe(0);
    });

    it('tape not writable (read-only mount): pre-flight fails and nothing is stopped', async ({ skip }) => {
        let mounted = true;
        const { lab: l, first } = await labWithOneArchive(x => { mounted = x.mountTape('size=20m'); });
        if (!mounted) skipOrFail(skip, 'mount -t tmpfs is not permitted here (needs root): read-only tape not tested');
        l.remountTape('ro');
        const before = shutdowns(l);
        const r = await l.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/pre-flight failed, nothing was stopped: tape T: .* is not writable \(read-only file system\)/);
        expect(shutdowns(l), 'the application was never stopped').toBe(before);
        expect(l.running('Mail1')).toBe(true);
        expect((await l.archives()).map(a => a.id)).toEqual([first]);
        expect((await l.cli('verify', ['--archive', first])).code).toBe(0);
        l.remountTape('rw');
    });

    it('a server that fails pre-flight (data folder missing) fails alone, never stopped; the others are backed up; exit 1', async () => {
        const { lab: l, first } = await labWithOneArchive();
        const marker = path.join(l.root, 'mail2-stopped');
        l.writeRunbook([{ name: 'Mail1' }, { name: 'Mail2', stop: `touch ${marker}` }]);
        fs.rmSync(l.data('Mail2'), { recursive: true });
        const r = await l.cli('backup', ['--format', 'json']);
        expect(r.code, r.stderr).toBe(1);
        const result = JSON.parse(r.stdout);
        expect(result.servers.map((s: any) => [s.server, s.ok])).toEqual([['Mail2', false], ['Mail1', true]]);
        expect(result.servers[0].error).toBe(`skipped in pre-flight, never stopped: data folder ${l.data('Mail2')} does not exist on local`);
        expect(r.stderr).toContain(`Mail2: skipped, never stopped: data folder ${l.data('Mail2')} does not exist on local`);
        expect(fs.existsSync(marker), 'Mail2 was never stopped').toBe(false);
        await expectAftermath(l, first, { listed: 2 });
        // With --fail-fast the same finding stops nothing at all.
        const before = shutdowns(l);
        const ff = await l.cli('backup', ['--fail-fast']);
        expect(ff.code).toBe(1);
        expect(ff.stderr).toMatch(/pre-flight failed, nothing was stopped \(--fail-fast\): Mail2: data folder/);
        expect(shutdowns(l)).toBe(before);
    });

    it('disk full (tmpfs of 5 MiB): the archive fails cleanly, no partial file is left', async ({ skip }) => {
        let mounted = true;
        const { lab: l, first } = await labWithOneArchive(x => { mounted = x.mountTape('size=5m'); });
        if (!mounted) skipOrFail(skip, 'mount -t tmpfs is not permitted here (needs root): disk full not tested');
        const noise = Buffer.alloc(8 * 1024 * 1024);
        for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE((Math.imul(i, 2654435761) ^ (i >>> 7)) >>> 0, i);
        fs.writeFileSync(path.join(l.data('Mail1'), 'attachment.bin'), noise);
        const r = await l.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/archive failed: the tape is full/);
        await expectAftermath(l, first);
    });

    it('SIGINT during the archive: the archive is abandoned, the application started, the lock released', async () => {
        const { lab: l, first } = await labWithOneArchive();
        seedMail(l.data('Mail1'), 100, 8192);
        const mark = path.join(l.root, 'tar-stalled');
        const run = l.spawnCli('backup', [], { LAB_TAR_MODE: 'stall', LAB_TAR_MARK: mark });
        await waitForFile(mark);
        expect(l.running('Mail1')).toBe(false);
        run.kill('SIGINT');
        const r = await run.result;
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/SIGINT: stopping/);
        expect(r.stderr).toMatch(/interrupted/);
        await expectAftermath(l, first);
    });

    it('SIGKILL mid-archive: the next run reports the unfinished run, starts the application, takes the lock over', async () => {
        const { lab: l, first } = await labWithOneArchive();
        seedMail(l.data('Mail1'), 100, 8192);
        await killMidArchive(l);
        expect(l.running('Mail1')).toBe(false);
        expect(fs.existsSync(path.join(l.tape, 'lock.json'))).toBe(true);

        const next = await l.cli('backup');
        expect(next.code, next.stdout + next.stderr).toBe(0);
        expect(next.stderr).toMatch(/never finished; starting the applications it stopped: Mail1/);
        expect(next.stderr).toMatch(/taking over a stale lock of pid \d+/);
        const history = JSON.parse((await l.cli('history', ['--format', 'json'])).stdout);
        expect(history.runs.map((x: any) => x.state)).toEqual(['ok', 'interrupted', 'ok']);
        expect(history.runs[1].recovered).toMatchObject([{ server: 'Mail1', ok: true }]);
        // The killed run's temporary archive is never listed, and prune removes it.
        expect(l.tapeFiles().some(f => f.startsWith('.tmp-'))).toBe(true);
        await expectAftermath(l, first, { listed: 2, tempFiles: true });
        expect((await l.cli('prune')).code).toBe(0);
        expect(l.tapeFiles().filter(f => f.startsWith('.tmp-'))).toEqual([]);
    });

    it('restarting a killed run\'s application obeys --command-timeout (a hanging start is killed, said, and tried again next time)', async () => {
        const slow = path.join(fs.mkdtempSync(path.join(tmpdir(), 'bp-slow-')), 'slow-start');
        const { lab: l } = await labWithOneArchive();
        l.writeRunbook([{ name: 'Mail1', start: `if [ -e ${slow} ]; then sleep 30; fi; demo-app start` }]);
        await killMidArchive(l);
        fs.writeFileSync(slow, '');
        try {
            const t0 = Date.now();
            const next = await l.cli('backup', ['--command-timeout', '1']);
            expect(Date.now() - t0).toBeLessThan(20_000);
            expect(next.stderr).toMatch(/could not start Mail1 again: start did not finish within 1 s and was killed/);
        } finally {
            fs.rmSync(slow, { force: true });
        }
        const again = await l.cli('history');
        expect(again.stderr).toMatch(/started Mail1 again/);
        expect(l.running('Mail1')).toBe(true);
    });

    it('two concurrent runs on one tape: the second fails naming the holder, or waits with --wait', async () => {
        const { lab: l, first } = await labWithOneArchive();
        seedMail(l.data('Mail1'), 100, 8192);
        const mark = path.join(l.root, 'tar-stalled');
        const a = l.spawnCli('backup', [], { LAB_TAR_MODE: 'stall', LAB_TAR_MARK: mark });
        await waitForFile(mark);
        const b = await l.cli('backup');
        expect(b.code).toBe(1);
        expect(b.stderr).toMatch(new RegExp(`tape T is locked by pid ${a.pid} on .*backplan backup.*--wait`));
        const c = l.spawnCli('backup', ['--wait']);
        let cErr = '';
        c.stderr!.on('data', d => { cErr += d; });
        let cDone = false;
        void c.result.then(() => { cDone = true; });
        while (!/waiting/.test(cErr) && !cDone) await new Promise(res => setTimeout(res, 20));
        expect(cErr, 'the third run waits for the lock').toMatch(/waiting/);
        a.kill('SIGINT');
        expect((await a.result).code).toBe(1);
        const rc = await c.result;
        expect(rc.code, rc.stdout + rc.stderr).toBe(0);
        await expectAftermath(l, first, { listed: 2 });
    });
});
