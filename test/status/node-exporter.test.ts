/**
 * `status --textfile DIR` read by a real node_exporter (Debian's prometheus-node-exporter,
 * textfile collector only, on loopback): the scrape reports no textfile error and carries
 * the backplan metrics with the values `status` wrote, and a second write replaces them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Lab } from '../engine/lab.js';
import { failStop, sample, statusLab } from './status-lab.js';

const EXPORTER = '/usr/bin/prometheus-node-exporter';
/** Without the exporter the test is skipped and says so; CI sets BACKPLAN_REQUIRE_NODE_EXPORTER=1 and it fails instead. */
const present = fs.existsSync(EXPORTER);
if (!present && process.env.BACKPLAN_REQUIRE_NODE_EXPORTER === '1') {
    throw new Error(`${EXPORTER} not found but BACKPLAN_REQUIRE_NODE_EXPORTER=1: apt-get install -y prometheus-node-exporter`);
}
if (!present) process.stderr.write(`node-exporter.test: skipped: ${EXPORTER} not found; apt-get install -y prometheus-node-exporter (CI sets BACKPLAN_REQUIRE_NODE_EXPORTER=1)\n`);

let lab: Lab | undefined;
let exporter: ChildProcess | undefined;
afterEach(async () => {
    const child = exporter;
    exporter = undefined;
    if (child?.pid !== undefined && child.exitCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        process.kill(child.pid, 'SIGTERM');
        await exited;
    }
    lab?.dispose();
    lab = undefined;
});

/** A TCP port free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** Starts node_exporter on the folder and resolves with its /metrics URL once it answers. */
async function startExporter(dir: string): Promise<string> {
    const port = await freePort();
    let log = '';
    const child = spawn(EXPORTER, ['--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${dir}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    exporter = child;
    child.stdout!.on('data', c => { log += c; });
    child.stderr!.on('data', c => { log += c; });
    const url = `http://127.0.0.1:${port}/metrics`;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`node_exporter exited with ${child.exitCode}: ${log}`);
        const up = await fetch(url).then(r => r.ok, () => false);
        if (up) return url;
        await new Promise(r => setTimeout(r, 50));
    }
}

const scrape = async (url: string): Promise<string> => (await fetch(url)).text();

it.skipIf(!present)('node_exporter\'s textfile collector reads the metrics status writes, without error', async () => {
    const l = statusLab();
    lab = l;
    expect((await l.cli('backup')).code).toBe(0);
    const dir = path.join(l.root, 'textfile');
    fs.mkdirSync(dir);
    let r = await l.cli('status', ['--textfile', dir]);
    expect(r.code, r.stderr).toBe(0);
    const written = fs.readFileSync(path.join(dir, 'backplan-lab.prom'), 'utf8');

    const url = await startExporter(dir);
    let metrics = await scrape(url);
    expect(metrics).toMatch(/^node_textfile_scrape_error 0$/m);
    expect(metrics).toContain(`node_textfile_mtime_seconds{file="${path.join(dir, 'backplan-lab.prom')}"}`);
    for (const name of ['backplan_last_success_timestamp_seconds', 'backplan_last_run_timestamp_seconds', 'backplan_last_run_success',
        'backplan_last_run_duration_seconds', 'backplan_stop_window_seconds', 'backplan_archive_bytes', 'backplan_stale',
        'backplan_last_verify_success_timestamp_seconds']) {
        expect(metrics, name).toMatch(new RegExp(`^# TYPE ${name} gauge$`, 'm'));
    }
    for (const server of ['Mail1', 'Mail2']) {
        const labels = { runbook: 'lab', policy: 'Nightly', server };
        for (const name of ['backplan_last_success_timestamp_seconds', 'backplan_archive_bytes', 'backplan_stop_window_seconds']) {
            // node_exporter re-prints the value (Go's float format): compare as numbers.
            expect(sample(metrics, name, labels), `${name} ${server}`).toBeCloseTo(sample(written, name, labels)!, 3);
        }
        expect(sample(metrics, 'backplan_last_run_success', labels)).toBe(1);
    }
    expect(sample(metrics, 'backplan_stale', { runbook: 'lab', policy: 'Nightly' })).toBe(0);

    failStop(l, 'Mail2', true);
    expect((await l.cli('backup')).code).toBe(1);
    r = await l.cli('status', ['--textfile', dir]);
    expect(r.code).toBe(1);
    metrics = await scrape(url);
    expect(metrics).toMatch(/^node_textfile_scrape_error 0$/m);
    expect(sample(metrics, 'backplan_last_run_success', { runbook: 'lab', policy: 'Nightly', server: 'Mail2' })).toBe(0);
    expect(sample(metrics, 'backplan_last_run_success', { runbook: 'lab', policy: 'Nightly', server: 'Mail1' })).toBe(1);
});
