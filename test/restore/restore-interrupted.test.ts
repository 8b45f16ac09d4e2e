/**
 * A restore killed with SIGKILL in the middle of its extraction (after the data folder was
 * set aside, before the swap): the next command on the runbook puts the original data back,
 * removes the staging copy and starts the application — from the journal alone.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { BIN, childEnv } from '../helpers/run-cli.js';
import { Lab, richTree, snapshot } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

const until = async (what: () => boolean, ms = 90_000): Promise<void> => {
    for (const t0 = Date.now(); !what(); await new Promise(r => setTimeout(r, 50))) {
        if (Date.now() - t0 > ms) throw new Error('timed out');
    }
};

it('a restore killed between set-aside and swap is undone by the next command', async () => {
    const l = lab = new Lab([{ name: 'Mail1', role: 'mail' }], []);
    richTree(l.data('Mail1'), 'mail');
    expect(l.app('start', 'Mail1')).toBe(0);
    expect((await l.cli(['backup'])).code).toBe(0);
    fs.writeFileSync(path.join(l.data('Mail1'), 'arrived-after-backup.eml'), 'newest mail\n');
    const current = snapshot(l.data('Mail1'));

    const slowTar = path.join(__dirname, 'fixtures', 'slow-tar');
    const child = spawn(process.execPath, [BIN, 'restore', l.runbook, '--state', l.state, '--server', 'Mail1'], {
        env: childEnv({ ...l.env(), PATH: `${slowTar}:${process.env.PATH}`, SLOW_TAR_PID: path.join(l.root, 'tar.pid') }), stdio: 'ignore'
    });
    const parent = path.dirname(l.data('Mail1'));
    await until(() => fs.readdirSync(parent).some(n => n.includes('.backplan-new-')) && !fs.existsSync(l.data('Mail1')));
    child.kill('SIGKILL');
    await new Promise(r => child.once('exit', r));
    await until(() => fs.existsSync(path.join(l.root, 'tar.pid')));
    try { process.kill(Number(fs.readFileSync(path.join(l.root, 'tar.pid'), 'utf8')), 'SIGKILL'); } catch { /* gone */ }
    expect(fs.existsSync(l.data('Mail1'))).toBe(false);
    expect(l.running('Mail1')).toBe(false);

    const next = await l.cli(['history']);
    expect(next.stderr).toMatch(/never finished; starting the applications it stopped: Mail1/);
    expect(snapshot(l.data('Mail1'))).toEqual(current);
    expect(l.leftovers('Mail1')).toEqual([]);
    expect(l.running('Mail1')).toBe(true);
}, 240_000);
