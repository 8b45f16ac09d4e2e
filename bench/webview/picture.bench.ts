/**
 * bench/webview: how long a picture webview takes to follow an edit, at 1,000 folders
 * (issue 17.5): the time from `didChange` of one character to the answer of
 * `backplan/picture` for that text, through the server the extension bundles
 * (packages/cli/out/server/language-server.js, or BACKPLAN_PICTURE_SERVER) over stdio.
 * The webview adds its debounce (300 ms after the last keystroke) and the page's DOM
 * update, which are not measured here. Beside it, in the same server and session, the
 * edit → diagnostics latency (bench/lsp-latency's figure): the picture's cost over it is
 * the drawing (and for the topology the ELK layout).
 *
 * Each case: 1,000 folders on 50 servers (two holders each), one backup; open, wait for
 * diagnostics, then EDITS times: rename the last folder by one character, send didChange,
 * time diagnostics and then the picture request (sent at once, as a webview's debounced
 * request would be the next thing to reach the server). Median and p95; writes
 * bench/.work/webview/last-run.md. Not a test: no timed assertion.
 *
 *   npm run bench:webview            (EDITS=20 by default)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { expect, test } from 'vitest';
import { LspClient, REPO, uriOf } from '../../test/lsp/lsp-client.js';

const EDITS = Number(process.env.EDITS ?? 20);
const FOLDERS = 1000;
const SERVERS = 50;
const SERVER = process.env.BACKPLAN_PICTURE_SERVER ?? path.join(REPO, 'packages/cli/out/server/language-server.js');

/** 50 catalog servers, 1,000 folders each on two of them, one tape, one rolling backup of all. */
function runbook(lastFolder: string): string {
    const name = (i: number) => `Cat${String(i).padStart(2, '0')}`;
    const lines = ['tape Vault {\n  at "/mnt/backup"\n  offsite\n}'];
    for (let i = 0; i < SERVERS; i++) {
        lines.push(`server ${name(i)} {\n  role catalog${i === 0 ? ' master' : ''}\n  host "ssh://backup@${name(i).toLowerCase()}.lan"\n  data "/srv/catalog"\n  stop "systemctl stop catalog"\n  start "systemctl start catalog"\n}`);
    }
    for (let f = 0; f < FOLDERS; f++) {
        const id = f === FOLDERS - 1 ? lastFolder : `F${String(f).padStart(4, '0')}`;
        lines.push(`folder ${id} on ${name(0)}, ${name(1 + (f % (SERVERS - 1)))}`);
    }
    lines.push(`backup Nightly {\n  servers ${Array.from({ length: SERVERS }, (_, i) => name(i)).join(', ')}\n  to Vault\n  rolling\n}`);
    return lines.join('\n') + '\n';
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(0.95 * xs.length) - 1)];

test('picture after an edit, 1,000 folders', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'backplan-webview-bench-'));
    const file = path.join(ws, 'bench.backplan');
    writeFileSync(file, runbook('F0999'));
    const client = await LspClient.start(ws, { server: SERVER });
    const rows: string[] = [];
    try {
        await client.open(file);
        await client.waitForDiagnostics(file);
        const load0 = loadavg()[0];
        for (const kind of ['topology', 'backupWindow', 'history']) {
            const diag: number[] = [];
            const picture: number[] = [];
            for (let i = 0; i < EDITS; i++) {
                client.forgetDiagnostics(file);
                const t0 = performance.now();
                await client.change(file, runbook(i % 2 ? 'F0999' : 'F0999x'));
                await client.waitForDiagnostics(file);
                const t1 = performance.now();
                const result = await client.request<{ svg?: string }>('backplan/picture', { uri: uriOf(file), kind, state: path.join(ws, 'state') });
                const t2 = performance.now();
                // The topology and the backup window draw the edited folder; the history, the servers.
                expect(result.svg).toContain(kind === 'history' ? 'Cat49' : `>${i % 2 ? 'F0999' : 'F0999x'}<`);
                diag.push(t1 - t0);
                picture.push(t2 - t0);
            }
            rows.push(`| ${kind} | ${median(diag).toFixed(0)} ms | ${median(picture).toFixed(0)} ms | ${p95(picture).toFixed(0)} ms | ${(median(picture) / median(diag)).toFixed(1)}× |`);
        }
        const md = [`${FOLDERS} folders, ${SERVERS} servers, ${EDITS} edits per picture; load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`, '',
            '| picture | edit → diagnostics (median) | edit → picture (median) | edit → picture (p95) | picture / diagnostics |', '|---|---:|---:|---:|---:|', ...rows].join('\n');
        process.stdout.write(`\n${md}\n`);
        const out = path.join(REPO, 'bench/.work/webview');
        mkdirSync(out, { recursive: true });
        writeFileSync(path.join(out, 'last-run.md'), md + '\n');
    } finally {
        await client.stop();
        rmSync(ws, { recursive: true, force: true });
    }
});
