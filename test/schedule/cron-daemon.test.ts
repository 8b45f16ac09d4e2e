/**
 * A real Debian cron daemon runs what `backplan schedule install --cron` wrote: a small
 * local runbook with a `* * * * *` backup block is installed into a cron.d file of a name of
 * its own, `cron -f` is started, and at the next minute boundary cron runs the backup —
 * which then shows in `backplan history`. The stop/start commands are found on the PATH
 * that install recorded in the file (the lab's bin folder), as they would be by hand.
 *
 * Needs root and /usr/sbin/cron (skipped otherwise; BACKPLAN_REQUIRE_SCHEDULERS=1, set by CI,
 * turns the skip into a failure). The cron file is removed and our cron stopped by its pid
 * at the end. When another cron already holds /var/run/crond.pid, it reads /etc/cron.d too
 * and runs the job; ours is started whenever none is running.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, Lab, seedMail } from '../engine/lab.js';

const CRON = '/usr/sbin/cron';
const required = process.env.BACKPLAN_REQUIRE_SCHEDULERS === '1';
const runnable = process.getuid?.() === 0 && fs.existsSync(CRON) && fs.existsSync('/etc/cron.d');
if (!runnable && required) throw new Error(`cron-daemon.test: needs root and ${CRON} (apt-get install -y cron) but BACKPLAN_REQUIRE_SCHEDULERS=1`);
if (!runnable) process.stderr.write(`cron-daemon.test: skipped: needs root and ${CRON}; CI sets BACKPLAN_REQUIRE_SCHEDULERS=1\n`);

const run = promisify(execFile);
const cronFile = `/etc/cron.d/backplan-test-${process.pid}-${randomBytes(3).toString('hex')}`;
let lab: Lab | undefined;
let cron: ChildProcess | undefined;

/** Whether some cron daemon holds the lock (a pid file naming a live process). */
function otherCronAlive(): boolean {
    try {
        const pid = Number(fs.readFileSync('/var/run/crond.pid', 'utf8').trim());
        if (!(pid > 0) || pid === cron?.pid) return false;
        process.kill(pid, 0);
        return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'cron';
    } catch {
        return false;
    }
}

/** Starts our `cron -f` unless ours or another one is running. */
function ensureCron(): void {
    if (cron && cron.exitCode === null && cron.signalCode === null) return;
    if (otherCronAlive()) return;
    cron = spawn(CRON, ['-f'], { stdio: 'ignore' });
    cron.on('error', () => undefined);
}

afterAll(async () => {
    fs.rmSync(cronFile, { force: true });
    if (cron?.pid !== undefined && cron.exitCode === null && cron.signalCode === null) {
        const exited = new Promise(resolve => cron!.once('exit', resolve));
        process.kill(cron.pid, 'SIGTERM');
        await exited;
    }
    lab?.dispose();
});

describe.skipIf(!runnable)('cron runs an installed schedule', () => {
    it('fires a `* * * * *` backup block at the next minute, and the run shows in history', async () => {
        lab = Lab.create();
        lab.writeRunbook([{ name: 'Mail', role: 'mail' }]);
        fs.writeFileSync(lab.runbook, fs.readFileSync(lab.runbook, 'utf8').replace(' rolling }', ' rolling schedule "* * * * *" }'));
        seedMail(lab.data('Mail'));
        expect(lab.app('Mail', 'start')).toBe(0);
        const env = { ...process.env, PATH: `${lab.bin}${path.delimiter}${process.env.PATH}` };
        const install = await run(process.execPath, [CLI, 'schedule', 'install', lab.runbook, '--cron', '--cron-file', cronFile, '--state', lab.state], { env });
        expect(install.stdout).toContain('scheduled backup Nightly (* * * * *)');
        const line = fs.readFileSync(cronFile, 'utf8').split('\n').find(l => l.startsWith('* * * * * '));
        expect(line).toContain(` backup --policy Nightly --wait --state ${lab.state} ${lab.runbook}`);

        const deadline = Date.now() + 150_000;
        const finished = () => lab!.journal().find(r => r.type === 'run' && r.event === 'end');
        while (!finished() && Date.now() < deadline) {
            ensureCron();
            await new Promise(resolve => setTimeout(resolve, 500));
        }
        expect(finished(), 'no run was recorded within 150 s of starting cron').toMatchObject({ ok: true });

        // No further runs: remove the schedule, then let a run cron started meanwhile end.
        const removed = await run(process.execPath, [CLI, 'schedule', 'remove', lab.runbook, '--cron-file', cronFile]);
        expect(removed.stdout).toContain('Removed backup Nightly');
        expect(fs.existsSync(cronFile)).toBe(false);
        const count = (event: string) => lab!.journal().filter(r => r.type === 'run' && r.event === event).length;
        while (count('begin') > count('end') && Date.now() < deadline + 60_000) await new Promise(resolve => setTimeout(resolve, 500));

        const history = await run(process.execPath, [CLI, 'history', lab.runbook, '--state', lab.state, '--format', 'json']);
        const runs = JSON.parse(history.stdout).runs as Array<{ verb: string; state: string; command: string; servers: Array<{ server: string }> }>;
        expect(runs[0]).toMatchObject({ verb: 'backup', state: 'ok', servers: [{ server: 'Mail' }] });
        expect(runs[0].command).toContain('--policy Nightly');
        expect(lab.tapeFiles().some(f => f.endsWith('.manifest.json'))).toBe(true);
        expect(lab.running('Mail')).toBe(true);
    }, 280_000);
});
