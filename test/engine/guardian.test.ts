/**
 * The guardian and `repair` (DESIGN §8), with real processes: the built CLI runs a backup,
 * the test SIGKILLs it while the application is stopped (once the event it interrupts has
 * happened: a stalled tar's mark file, a stop's state file), and with no further command
 * the application runs again within 30 s of the kill, the journal saying the guardian did
 * it; locally and on a real sshd host. A run that ends normally leaves no guardian behind.
 * `repair` (guardians off: BACKPLAN_NO_GUARDIAN=1) uses the runbook's current start, says
 * what it did, exits 0 or 1, and waits for a guardian's recovery instead of doing it twice.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostname, tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Drill } from '../helpers/sshd-drill.js';
import { SshdLab, sshdSkip, sshdSuiteName } from '../helpers/sshd.js';
import { Lab, seedMail, type CliResult } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

/** The contract: an application a killed runner left stopped runs again within this long. */
const CONTRACT_MS = 30_000;

/** Waits for a condition; fails naming it after `ms` (generous: the machine may be loaded). */
async function until(what: () => boolean, ms = 90_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!what()) {
        if (Date.now() > deadline) throw new Error(`waited ${ms / 1000} s in vain for: ${what.toString()}`);
        await new Promise(r => setTimeout(r, 25));
    }
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    try {
        return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
        return false;
    }
}

const read = (file: string): string => fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';

/** A lab whose Mail1 (demo-app) writes `running`/`stopped` into a state file beside the lab's folders. */
function appLab(extraStart = ''): { l: Lab; state: string } {
    const l = lab = Lab.create();
    const state = path.join(l.root, 'app.state');
    l.writeRunbook([{ name: 'Mail1', stop: `demo-app stop && echo stopped > '${state}'`, start: `${extraStart}demo-app start && echo running > '${state}'` }]);
    seedMail(l.data('Mail1'), 20);
    expect(l.app('Mail1', 'start')).toBe(0);
    return { l, state };
}

/** Starts a backup whose tar stalls once the application is stopped; resolves when it stalls. */
async function stalledBackup(l: Lab, env: Record<string, string> = {}): Promise<{ run: ReturnType<Lab['spawnCli']>; tarMark: string }> {
    const tarMark = path.join(l.root, `tar-stalled-${Date.now()}`);
    const run = l.spawnCli('backup', [], { LAB_TAR_MODE: 'stall', LAB_TAR_MARK: tarMark, ...env });
    await until(() => read(tarMark).trim() !== '');
    return { run, tarMark };
}

/** Ends a stalled tar the killed runner left (as a reboot would). */
function endStalledTar(tarMark: string): void {
    try { process.kill(Number(read(tarMark)), 'SIGKILL'); } catch { /* gone */ }
}

/** A backup SIGKILLed while its tar stalls (the application stopped), and that tar ended. */
async function killMidArchive(l: Lab, env: Record<string, string>): Promise<void> {
    const { run, tarMark } = await stalledBackup(l, env);
    run.kill('SIGKILL');
    await run.result;
    endStalledTar(tarMark);
}

/** The killed run's id: the last run-begin of the journal. */
const lastRun = (records: any[]): any => records.filter(r => r.type === 'run' && r.event === 'begin').at(-1);

describe('the guardian (local)', () => {
    it('SIGKILL mid-archive: with no further command the application runs again within 30 s, the guardian recorded as its starter, the run closed', async () => {
        const { l, state } = appLab();
        const { run, tarMark } = await stalledBackup(l);
        expect(read(state).trim()).toBe('stopped');
        const begin = lastRun(l.journal());
        expect(begin.guardian).toEqual(expect.any(Number));
        expect(alive(begin.guardian)).toBe(true);

        const killedAt = Date.now();
        run.kill('SIGKILL');
        await until(() => read(state).trim() === 'running');
        expect(Date.now() - killedAt).toBeLessThan(CONTRACT_MS);
        endStalledTar(tarMark);
        expect(l.running('Mail1')).toBe(true);

        await until(() => l.journal().some(r => r.type === 'run' && r.event === 'end' && r.run === begin.run));
        const mine = l.journal().filter(r => r.run === begin.run);
        expect(mine.filter(r => r.type === 'recover')).toMatchObject([{ server: 'Mail1', ok: true, by: 'guardian' }]);
        expect(mine.filter(r => r.type === 'run' && r.event === 'end')).toMatchObject([{ ok: false, interrupted: true, by: 'guardian' }]);
        // Its work done, the guardian is gone; the next command has nothing left to do.
        await until(() => !alive(begin.guardian));
        const history = await l.cli('history', ['--format', 'json']);
        expect(history.stderr).not.toMatch(/never finished/);
        expect(JSON.parse(history.stdout).runs.at(-1)).toMatchObject({ run: begin.run, state: 'interrupted', recovered: [{ server: 'Mail1', by: 'guardian' }] });
        expect(read(path.join(l.state, 'guardian.log'))).toMatch(/started Mail1 again/);
    });

    it('SIGKILL while the stop command still runs: the guardian ends that stop first (else it would stop the application again), then starts it', async () => {
        const l = lab = Lab.create();
        const state = path.join(l.root, 'app.state');
        const stopPid = path.join(l.root, 'stop.pid');
        // The stop quits the application, then hangs as the same process (its pid written).
        l.writeRunbook([{ name: 'Mail1', stop: `demo-app stop && echo stopped > '${state}' && echo $$ > '${stopPid}' && exec sleep 600`, start: `demo-app start && echo running > '${state}'` }]);
        expect(l.app('Mail1', 'start')).toBe(0);
        const run = l.spawnCli('backup');
        await until(() => read(stopPid).trim() !== '');
        const hung = Number(read(stopPid));
        const killedAt = Date.now();
        run.kill('SIGKILL');
        await until(() => read(state).trim() === 'running');
        expect(Date.now() - killedAt).toBeLessThan(CONTRACT_MS);
        expect(alive(hung), 'the killed run\'s stop command was ended').toBe(false);
        expect(l.running('Mail1')).toBe(true);
        await until(() => read(path.join(l.state, 'guardian.log')).includes('done'));
        expect(read(path.join(l.state, 'guardian.log'))).toMatch(new RegExp(`ended a command the killed run left running here \\(pid ${hung}\\)`));
    });

    it('a run that ends normally ends its guardian: no guardian process is left, nothing is recovered', async () => {
        const { l } = appLab();
        const r = await l.cli('backup');
        expect(r.code, r.stdout + r.stderr).toBe(0);
        const begin = lastRun(l.journal());
        expect(begin.guardian).toEqual(expect.any(Number));
        await until(() => !alive(begin.guardian));
        expect(l.journal().filter(x => x.type === 'recover')).toEqual([]);
        expect(read(path.join(l.state, 'guardian.log'))).toBe('');
    });

    it('a runner killed before any stop (waiting for a tape lock): nothing is started, the guardian closes the run', async () => {
        const { l, state } = appLab();
        fs.rmSync(state, { force: true });
        // The tape is locked by this (live) test process: the backup waits before any stop.
        fs.writeFileSync(path.join(l.tape, 'lock.json'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'test', started: new Date().toISOString(), token: 'test' }));
        const run = l.spawnCli('backup', ['--wait']);
        let stderr = '';
        run.stderr!.on('data', c => { stderr += c; });
        await until(() => /waiting/.test(stderr));
        const begin = lastRun(l.journal());
        run.kill('SIGKILL');
        await until(() => l.journal().some(r => r.type === 'run' && r.event === 'end' && r.run === begin.run));
        const mine = l.journal().filter(r => r.run === begin.run);
        expect(mine.filter(r => r.type === 'recover')).toEqual([]);
        expect(mine.at(-1)).toMatchObject({ type: 'run', event: 'end', interrupted: true, by: 'guardian' });
        expect(fs.existsSync(state), 'no start command ran').toBe(false);
        fs.rmSync(path.join(l.tape, 'lock.json'));
    });
});

describe('backplan repair', () => {
    const off = { BACKPLAN_NO_GUARDIAN: '1' };

    it('starts what a killed run left stopped with the runbook\'s CURRENT start, closes the run; then nothing is left (exit 0 both times)', async () => {
        const { l, state } = appLab();
        await killMidArchive(l, off);
        expect(lastRun(l.journal()).guardian).toBeUndefined();
        expect(read(state).trim()).toBe('stopped');
        // The admin fixes the start command after the kill: repair must use the new one.
        const text = fs.readFileSync(l.runbook, 'utf8');
        fs.writeFileSync(l.runbook, text.replace(`echo running > '${state}'`, `echo started-by-the-new-command > '${state}'`));
        const r = await l.cli('repair', [], off);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(read(state).trim()).toBe('started-by-the-new-command');
        expect(l.running('Mail1')).toBe(true);
        expect(r.stdout).toMatch(/run \S+ was killed:\n {2}started Mail1\n {2}closed in the journal as interrupted\nRepaired\./);
        const killed = lastRun(l.journal()).run;
        expect(l.journal().filter(x => x.type === 'recover')).toMatchObject([{ run: killed, server: 'Mail1', ok: true, by: expect.stringMatching(/^backplan repair /) }]);
        const again = await l.cli('repair', ['--format', 'json'], off);
        expect(again.code).toBe(0);
        expect(JSON.parse(again.stdout)).toEqual({ version: 1, ok: true, runs: [] });
        expect((await l.cli('repair', [], off)).stdout).toBe('Nothing to repair.\n');
    });

    it('a start that still fails: exit 1 saying so, and the next repair tries again (exit 0 once fixed)', async () => {
        const { l, state } = appLab();
        await killMidArchive(l, off);
        const good = fs.readFileSync(l.runbook, 'utf8');
        fs.writeFileSync(l.runbook, good.replace(`demo-app start && echo running > '${state}'`, 'echo the mail server refuses to start >&2; exit 3'));
        const failed = await l.cli('repair', ['--format', 'json'], off);
        expect(failed.code).toBe(1);
        const json = JSON.parse(failed.stdout);
        expect(json).toMatchObject({ ok: false, runs: [{ ended: false, closed: false, started: [], failed: [{ server: 'Mail1', error: expect.stringMatching(/exited with code 3.*refuses to start/) }] }] });
        expect(l.running('Mail1')).toBe(false);
        const text = await l.cli('repair', [], off);
        expect(text.code).toBe(1);
        expect(text.stdout).toMatch(/FAILED {2}Mail1: .*exited with code 3/);
        expect(text.stdout).toMatch(/Not everything could be repaired/);
        fs.writeFileSync(l.runbook, good);
        const fixed = await l.cli('repair', [], off);
        expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
        expect(read(state).trim()).toBe('running');
    });

    it('a runbook with errors: repair still repairs, with the start command recorded in the journal, and says so', async () => {
        const { l, state } = appLab();
        await killMidArchive(l, off);
        fs.appendFileSync(l.runbook, 'server Broken {\n');
        const r = await l.cli('repair', [], off);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stderr).toMatch(/warning: the runbook has \d+ errors? \(.*lab\.backplan:\d+:\d+: .*\): the start commands recorded in the journal are used/);
        expect(read(state).trim()).toBe('running');
    });

    it('usage errors exit 2', async () => {
        const { l } = appLab();
        expect((await l.cli('repair', ['--command-timeout', 'soon'])).code).toBe(2);
        expect((await l.cli('repair', ['--format', 'xml'])).code).toBe(2);
        const missing = await new Promise<CliResult>(resolve => {
            const c = spawn(process.execPath, [path.join(__dirname, '../../packages/cli/dist/backplan.mjs'), 'repair', path.join(l.root, 'nope.backplan'), '--state', l.state]);
            let stderr = '';
            c.stderr.on('data', d => { stderr += d; });
            c.on('close', code => resolve({ code, stdout: '', stderr }));
        });
        expect(missing.code).toBe(2);
        expect(missing.stderr).toMatch(/nope\.backplan/);
        expect(missing.stderr).not.toMatch(/ at .*\.m?js:\d+/);
    });

    it('repair at the same moment as the guardian waits for its recovery instead of starting the application a second time', async () => {
        const gate = path.join(tmpdir(), `bp-gate-${process.pid}-${Date.now()}`);
        const count = `${gate}.starts`;
        // The start command counts its runs and waits for the gate (the test opens it).
        const { l, state } = appLab(`echo x >> '${count}'; while [ ! -e '${gate}' ]; do sleep 0.05; done; `);
        try {
            const { run, tarMark } = await stalledBackup(l);
            run.kill('SIGKILL');
            await until(() => read(count) !== '');
            endStalledTar(tarMark);
            const repair = l.spawnCli('repair');
            let stderr = '';
            repair.stderr!.on('data', c => { stderr += c; });
            await until(() => /under way by pid \d+ \("guardian"\); waiting for it/.test(stderr));
            fs.writeFileSync(gate, '');
            const r = await repair.result;
            expect(r.code, r.stdout + r.stderr).toBe(0);
            expect(r.stdout).toBe('Nothing to repair.\n');
            expect(read(state).trim()).toBe('running');
            expect(read(count).trim().split('\n')).toHaveLength(1);
        } finally {
            fs.rmSync(gate, { force: true });
            fs.rmSync(count, { force: true });
        }
    });
});

describe.skipIf(sshdSkip)(sshdSuiteName('the guardian over SSH (a real sshd host)'), () => {
    let sshd: SshdLab;
    let work: string;

    beforeAll(async () => {
        work = fs.mkdtempSync(path.join(tmpdir(), 'bp-guardian-'));
        sshd = await SshdLab.start({ hosts: ['mail1'], firstAddress: 40 });
    });
    afterAll(async () => {
        await sshd?.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it('SIGKILL while an SSH server\'s application is stopped: it runs again within 30 s with no command typed, started by the guardian over ssh', async () => {
        // The stop records `stopped`, then hangs on the host: the runner is killed there.
        const d = new Drill(sshd, path.join(work, 'drill'), { servers: [{ name: 'Mail1', host: 'mail1', role: 'mail', data: 'srv/mail' }], onStop: { Mail1: 'sleep 600' } });
        fs.writeFileSync(path.join(d.dataPath(d.server('Mail1')), 'one.eml'), 'one\n');
        let pid = 0;
        const done = d.cli('backup', [], {}, p => { pid = p; });
        await until(() => d.appState('Mail1') === 'stopped');
        const killedAt = Date.now();
        process.kill(pid, 'SIGKILL');
        await done;
        await until(() => d.appState('Mail1') === 'running');
        expect(Date.now() - killedAt).toBeLessThan(CONTRACT_MS);
        expect(d.appLog('Mail1')).toEqual(['stopped stop Mail1', 'running start Mail1']);
        const journal = path.join(d.state, 'journals');
        const records = (): any[] => fs.readdirSync(journal).filter(f => f.endsWith('.jsonl')).flatMap(f => read(path.join(journal, f)).split('\n').filter(Boolean).map(x => JSON.parse(x)));
        await until(() => records().some(r => r.type === 'run' && r.event === 'end'));
        expect(records().filter(r => r.type === 'recover')).toMatchObject([{ server: 'Mail1', ok: true, by: 'guardian' }]);
        expect(records().filter(r => r.type === 'step' && r.step === 'stop' && r.event === 'begin')[0].restart.host).toBe(sshd.host('mail1').url);
        expect(records().at(-1)).toMatchObject({ type: 'run', event: 'end', interrupted: true, by: 'guardian' });
    });
});
