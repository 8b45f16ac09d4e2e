/**
 * `backplan status` after real backup runs of a small local runbook (DESIGN §8): text,
 * JSON and Prometheus output, the last verify, `--textfile`, and the exit codes — 0 when
 * no block is stale and every last run succeeded, 1 otherwise, 2 usage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasStackTrace } from '../helpers/run-cli.js';
import type { Lab } from '../engine/lab.js';
import { failStop, sample, statusLab } from './status-lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

const DAY = 86_400_000;
const labels = (server: string) => ({ runbook: 'lab', policy: 'Nightly', server });

async function backedUp(): Promise<Lab> {
    const l = statusLab();
    lab = l;
    const r = await l.cli('backup');
    expect(r.code, r.stderr).toBe(0);
    return l;
}

describe('status after real backups', () => {
    it('shows each server\'s last run, success, stop window, archive size and verify, and exits 0 when all is well', async () => {
        const l = await backedUp();
        let r = await l.cli('status');
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^Runbook \(lab\) at /);
        expect(r.stdout).toMatch(/Nightly \(tape T, schedule "0 2 \* \* \*"\): ok — succeeded since its schedule fired/);
        expect(r.stdout).toMatch(/SERVER +LAST RUN +RESULT +LAST SUCCESS +STOP WINDOW +ARCHIVE +LAST VERIFY +LAST DRILL/);
        expect(r.stdout).toMatch(/^Mail1 +\d{4}-\d\d-\d\d \d\d:\d\dZ \(\d+[smh] ago\) +ok +\d{4}-.* ago\) +\d+\.\d s +[\d.]+ (B|KiB|MiB) +never +-$/m);

        const json = JSON.parse((await l.cli('status', ['--format', 'json'])).stdout);
        const archives = (await l.archives()).filter(a => a.server === 'Mail1');
        const mail1 = json.blocks[0].servers[0];
        expect(json).toMatchObject({ version: 1, runbook: 'lab', ok: true, pendingRestarts: [], problems: [], textfile: null });
        expect(mail1).toMatchObject({ server: 'Mail1', lastRun: { ok: true }, lastSuccess: { ok: true }, lastVerify: null, lastDrill: null });
        expect(mail1.lastArchive.id).toBe(archives[0].id);
        expect(mail1.lastArchive.bytes).toBe(fs.statSync(path.join(l.tape, 'archives', `${archives[0].id}.tar.zst`)).size);
        expect(mail1.lastArchive.stopWindowSeconds).toBeGreaterThan(0);
        expect(mail1.lastArchive.stopWindowSeconds).toBeLessThanOrEqual(mail1.lastRun.durationSeconds);

        expect((await l.cli('verify')).code).toBe(0);
        r = await l.cli('status', ['--format', 'json']);
        const verified = JSON.parse(r.stdout).blocks[0].servers[0];
        expect(verified.lastVerify).toMatchObject({ archive: archives[0].id, ok: true });
        expect(verified.lastVerifySuccess).toEqual(verified.lastVerify);

        r = await l.cli('status', ['--format', 'prometheus']);
        expect(r.code).toBe(0);
        expect(sample(r.stdout, 'backplan_last_run_success', labels('Mail2'))).toBe(1);
        expect(sample(r.stdout, 'backplan_stale', { runbook: 'lab', policy: 'Nightly' })).toBe(0);
        expect(sample(r.stdout, 'backplan_last_success_timestamp_seconds', labels('Mail1'))).toBe(Date.parse(mail1.lastSuccess.time) / 1000);
        expect(sample(r.stdout, 'backplan_last_verify_success_timestamp_seconds', labels('Mail1'))).toBe(Date.parse(verified.lastVerify.time) / 1000);
        expect(sample(r.stdout, 'backplan_archive_bytes', labels('Mail1'))).toBe(mail1.lastArchive.bytes);
    });

    it('exits 1 when a server\'s last run failed, naming why, and keeps its last success', async () => {
        const l = await backedUp();
        const first = JSON.parse((await l.cli('status', ['--format', 'json'])).stdout).blocks[0].servers[1].lastSuccess;
        failStop(l, 'Mail2', true);
        expect((await l.cli('backup')).code).toBe(1);
        const r = await l.cli('status');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/Nightly .*: FAILED — .*; 1 server failed its last run/);
        expect(r.stdout).toMatch(/Mail2 .* FAILED /);
        expect(r.stdout).toMatch(/^Mail2: stop command `.*` exited with code 1 \(run .*\)$/m);
        const json = JSON.parse((await l.cli('status', ['--format', 'json'])).stdout);
        expect(json.ok).toBe(false);
        expect(json.blocks[0].servers[1]).toMatchObject({ lastRun: { ok: false }, lastSuccess: first });
        const prom = (await l.cli('status', ['--format', 'prometheus'])).stdout;
        expect([sample(prom, 'backplan_last_run_success', labels('Mail1')), sample(prom, 'backplan_last_run_success', labels('Mail2'))]).toEqual([1, 0]);
        failStop(l, 'Mail2', false);
        expect((await l.cli('backup')).code).toBe(0);
        expect((await l.cli('status')).code).toBe(0);
    });

    it('exits 1 once the block is stale (clock set with BACKPLAN_NOW), and a block without a schedule is never stale', async () => {
        const l = await backedUp();
        const later = new Date(Date.now() + 3 * DAY).toISOString();
        let r = await l.cli('status', [], { BACKPLAN_NOW: later });
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/Nightly .*: STALE — no success since its schedule fired at .* \(more than 2 h ago\)/);
        expect(sample((await l.cli('status', ['--format', 'prometheus'], { BACKPLAN_NOW: later })).stdout, 'backplan_stale', { runbook: 'lab', policy: 'Nightly' })).toBe(1);
        fs.writeFileSync(l.runbook, fs.readFileSync(l.runbook, 'utf8').replace(' schedule "0 2 * * *"', ''));
        r = await l.cli('status', [], { BACKPLAN_NOW: later });
        expect(r.code, r.stdout).toBe(0);
        expect(r.stdout).toMatch(/Nightly \(tape T, no schedule\): ok — no schedule and no `stale after`: never stale/);
    });

    it('--textfile writes the metrics atomically as DIR/backplan-<runbook>.prom, the same text as --format prometheus', async () => {
        const l = await backedUp();
        const dir = path.join(l.root, 'textfile');
        fs.mkdirSync(dir);
        const r = await l.cli('status', ['--textfile', dir]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain(`Metrics written to ${path.join(dir, 'backplan-lab.prom')}.`);
        expect(fs.readdirSync(dir)).toEqual(['backplan-lab.prom']);
        const prom = await l.cli('status', ['--format', 'prometheus']);
        expect(fs.readFileSync(path.join(dir, 'backplan-lab.prom'), 'utf8')).toBe(prom.stdout);
        const json = JSON.parse((await l.cli('status', ['--format', 'json', '--textfile', dir])).stdout);
        expect(json.textfile).toBe(path.join(dir, 'backplan-lab.prom'));
        expect(fs.readdirSync(dir)).toEqual(['backplan-lab.prom']);
    });
});

describe('status usage', () => {
    it('exits 2 with one line for a bad format, clock, textfile folder or runbook; 0 and "never" before any run', async () => {
        const l = statusLab({ schedule: '' });
        lab = l;
        let r = await l.cli('status');
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/Mail1 +never +- +never +- +- +never +-/);
        for (const [args, env, message] of [
            [['--format', 'xml'], {}, /argument 'xml' is invalid. expected one of text, json, prometheus/],
            [[], { BACKPLAN_NOW: 'tomorrow' }, /BACKPLAN_NOW must be an ISO time/],
            [['--textfile', path.join(l.root, 'missing')], {}, /--textfile .*missing: no such folder/]
        ] as const) {
            r = await l.cli('status', [...args], env);
            expect(r.code, r.stderr).toBe(2);
            expect(r.stderr).toMatch(message);
            expect(hasStackTrace(r.stderr)).toBe(false);
        }
        fs.rmSync(l.runbook);
        r = await l.cli('status');
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/lab\.backplan: no such file/);
    });
});
