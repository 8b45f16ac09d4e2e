/**
 * bench/lsp-latency: time from `didChange` of one character to `publishDiagnostics` of the
 * edited file, through the language server over stdio (test/lsp/lsp-client.ts), on the
 * check-large runbooks (bench/check-large/generate.mjs): 10,000 folders in one file, the same
 * runbook split over 200 files, and the first 1,000 folders of it in one file.
 *
 * Each case: open the file, wait for its first diagnostics, then 50 times: rename the last
 * folder by one character (F09999 ↔ F09999x: an edit that changes coverage and names),
 * send didChange, wait for diagnostics. Prints median, p95 and max, and the server's CPU
 * time per edit; writes bench/.work/lsp-latency/last-run.{json,md}.
 *
 *   npm run bench:lsp            (EDITS=50 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'vitest';
import { LspClient, REPO } from '../../test/lsp/lsp-client.js';

const EDITS = Number(process.env.EDITS ?? 50);

interface CaseResult {
    name: string;
    folders: number;
    files: number;
    firstDiagnosticsMs: number;
    medianMs: number;
    p95Ms: number;
    maxMs: number;
    /** CPU time (user + system) of the server process per edit: comparable on a loaded machine. */
    cpuPerEditMs: number;
    /** Load average (1 min) before and after the edits. */
    load: [number, number];
}

/** User + system CPU time of a process in ms (Linux /proc), or NaN elsewhere. */
function cpuTimeMs(pid: number | undefined): number {
    try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
    } catch {
        return NaN;
    }
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/**
 * A valid runbook in the proportions of the check-large one (20 folders per server, every
 * 25th server a mail server, two holders per folder), at `folders` folders: the edit latency
 * of an ordinary 1,000-folder runbook rather than of a cut-down 10,000-folder one.
 */
function proportionalRunbook(folders: number): string {
    const servers = Math.max(4, Math.round(folders / 20));
    const name = (i: number) => (i % 25 === 0 ? 'Mail' : 'Cat') + String(i).padStart(3, '0');
    const catalogs = Array.from({ length: servers }, (_, i) => i).filter(i => i % 25 !== 0);
    const parts = [`runbook "Bench: ${servers} servers, ${folders} folders" {\n  require offsite\n}\n`,
        'tape Offsite {\n  at "/mnt/backup/offsite"\n  offsite\n  keep last 3 daily 7\n}\n'];
    for (let i = 0; i < servers; i++) {
        const role = i % 25 === 0 ? 'mail' : 'catalog';
        parts.push(`/** ${role} server ${i}. */\nserver ${name(i)} {\n  role ${role}\n  host "ssh://backup@${name(i).toLowerCase()}.bench.lan"\n`
            + `  data "/srv/${role}"\n  stop "systemctl stop ${role}"\n  start "systemctl start ${role}"\n}\n`);
    }
    for (let f = 0; f < folders; f++) {
        const a = catalogs[f % catalogs.length];
        const b = catalogs[(f * 7 + 13 + Math.floor(catalogs.length / 2)) % catalogs.length];
        const holders = a === b ? [a, catalogs[(f + 1) % catalogs.length]] : [a, b];
        parts.push(`folder F${String(f).padStart(5, '0')} on ${holders.map(name).join(', ')}`);
    }
    const all = Array.from({ length: servers }, (_, i) => name(i));
    parts.push(`\nbackup Nightly {\n  servers ${all.join(', ')}\n  to Offsite\n  schedule "@daily"\n  rolling\n}\n`);
    return parts.join('\n');
}

/** Keeps the first `count` folder declarations of a generated runbook. */
function firstFolders(text: string, count: number): string {
    let seen = 0;
    return text.split('\n').filter(line => !line.startsWith('folder ') || seen++ < count).join('\n');
}

async function measure(name: string, workspace: string, edited: string, folders: number): Promise<CaseResult> {
    const started = performance.now();
    const nodeArgs = [...(process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
        ...process.env.CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`] : []];
    const client = await LspClient.start(workspace, { nodeArgs });
    try {
        const text = await client.open(edited);
        const initial = await client.waitForDiagnostics(edited, () => true, 300_000);
        if (initial.length > 0) throw new Error(`${name}: the input is not clean: ${JSON.stringify(initial.slice(0, 3))}`);
        const firstDiagnosticsMs = performance.now() - started;
        const last = [...text.matchAll(/^folder (\w+)/gm)].pop()!;
        const at = last.index! + 'folder '.length + last[1].length;
        const variants = [text.slice(0, at) + 'x' + text.slice(at), text];
        const times: number[] = [];
        const loadBefore = loadavg()[0];
        const cpuBefore = cpuTimeMs(client.process.pid);
        for (let i = 0; i < EDITS; i++) {
            const t0 = performance.now();
            await client.change(edited, variants[i % 2]);
            await client.waitForDiagnostics(edited, () => true, 120_000);
            times.push(performance.now() - t0);
        }
        const cpuPerEditMs = Math.round((cpuTimeMs(client.process.pid) - cpuBefore) / EDITS);
        const load: [number, number] = [Number(loadBefore.toFixed(1)), Number(loadavg()[0].toFixed(1))];
        const sorted = [...times].sort((a, b) => a - b);
        const files = readdirSync(workspace, { recursive: true }).filter(f => String(f).endsWith('.backplan')).length;
        return {
            name, folders, files,
            firstDiagnosticsMs: Math.round(firstDiagnosticsMs),
            medianMs: Math.round(percentile(sorted, 0.5)),
            p95Ms: Math.round(percentile(sorted, 0.95)),
            maxMs: Math.round(sorted[sorted.length - 1]),
            cpuPerEditMs,
            load
        };
    } finally {
        await client.stop();
    }
}

test('lsp latency: didChange → publishDiagnostics', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'backplan-lsp-bench-'));
    try {
        execFileSync(process.execPath, [path.join(REPO, 'bench/check-large/generate.mjs'), dir], { stdio: 'ignore' });
        const large = path.join(dir, 'single/large.backplan');
        const small = path.join(dir, 'thousand/thousand.backplan');
        const proportional = path.join(dir, 'proportional/thousand.backplan');
        mkdirSync(path.dirname(small));
        mkdirSync(path.dirname(proportional));
        writeFileSync(small, firstFolders(readFileSync(large, 'utf8'), 1000));
        writeFileSync(proportional, proportionalRunbook(1000));
        const folderFiles = readdirSync(path.join(dir, 'workspace/folders')).map(f => path.join(dir, 'workspace/folders', f));
        const folderCount = (f: string) => (readFileSync(f, 'utf8').match(/^folder /gm) ?? []).length;
        const folderFile = folderFiles.sort((a, b) => folderCount(b) - folderCount(a))[0];

        const results: CaseResult[] = [];
        const only = process.env.CASE;
        for (const [name, workspace, file, folders] of [
            ['one file, 1,000 folders, 50 servers', path.dirname(proportional), proportional, 1000],
            ['one file, 1,000 folders, 500 servers (the first 1,000 folders of the next case)', path.dirname(small), small, 1000],
            ['one file, 10,000 folders', path.dirname(large), large, 10000],
            ['200 files, 10,000 folders (edit a folder file)', path.join(dir, 'workspace'), folderFile, 10000]
        ] as const) {
            if (only && !name.includes(only)) continue;
            results.push(await measure(name, workspace, file, folders));
            console.log(JSON.stringify(results[results.length - 1]));
        }
        const table = [
            `Edits per case: ${EDITS}; node ${process.version}; ${cpus().length} cores; ${new Date().toISOString().slice(0, 16)} UTC`,
            '',
            '| case | files | first diagnostics | median | p95 | max | server CPU per edit | load avg (before → after) |',
            '|---|---:|---:|---:|---:|---:|---:|---|',
            ...results.map(r => `| ${r.name} | ${r.files} | ${r.firstDiagnosticsMs} ms | ${r.medianMs} ms | ${r.p95Ms} ms | ${r.maxMs} ms | ${r.cpuPerEditMs} ms | ${r.load[0]} → ${r.load[1]} |`)
        ].join('\n');
        console.log(table);
        const out = path.join(REPO, 'bench/.work/lsp-latency');
        mkdirSync(out, { recursive: true });
        writeFileSync(path.join(out, 'last-run.json'), JSON.stringify({ edits: EDITS, node: process.version, results }, null, 2) + '\n');
        writeFileSync(path.join(out, 'last-run.md'), table + '\n');
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
