/**
 * bench/lsp-latency: time from `didChange` of one character to `publishDiagnostics` of the
 * edited file, through the language server over stdio (test/lsp/lsp-client.ts), on the
 * check-large runbooks (bench/check-large/generate.mjs): 10,000 folders in one file, the same
 * runbook split over 200 files, and the first 1,000 folders of it in one file.
 *
 * Each case: open the file, wait for its first diagnostics, then 50 times: rename the last
 * folder by one character (F09999 ↔ F09999x: an edit that changes coverage and names),
 * send didChange, wait for diagnostics. Prints median, p95 and max; writes last-run.json.
 *
 *   npm run bench:lsp            (EDITS=50 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
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
        await client.waitForDiagnostics(edited, () => true, 300_000);
        const firstDiagnosticsMs = performance.now() - started;
        const last = [...text.matchAll(/^folder (\w+)/gm)].pop()!;
        const at = last.index! + 'folder '.length + last[1].length;
        const variants = [text.slice(0, at) + 'x' + text.slice(at), text];
        const times: number[] = [];
        for (let i = 0; i < EDITS; i++) {
            const t0 = performance.now();
            await client.change(edited, variants[i % 2]);
            await client.waitForDiagnostics(edited, () => true, 120_000);
            times.push(performance.now() - t0);
        }
        const sorted = [...times].sort((a, b) => a - b);
        const files = readdirSync(workspace, { recursive: true }).filter(f => String(f).endsWith('.backplan')).length;
        return {
            name, folders, files,
            firstDiagnosticsMs: Math.round(firstDiagnosticsMs),
            medianMs: Math.round(percentile(sorted, 0.5)),
            p95Ms: Math.round(percentile(sorted, 0.95)),
            maxMs: Math.round(sorted[sorted.length - 1])
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
        execFileSync('mkdir', ['-p', path.dirname(small)]);
        writeFileSync(small, firstFolders(readFileSync(large, 'utf8'), 1000));
        const folderFiles = readdirSync(path.join(dir, 'workspace/folders')).map(f => path.join(dir, 'workspace/folders', f));
        const folderCount = (f: string) => (readFileSync(f, 'utf8').match(/^folder /gm) ?? []).length;
        const folderFile = folderFiles.sort((a, b) => folderCount(b) - folderCount(a))[0];

        const results: CaseResult[] = [];
        const only = process.env.CASE;
        for (const [name, workspace, file, folders] of [
            ['one file, 1,000 folders', path.dirname(small), small, 1000],
            ['one file, 10,000 folders', path.dirname(large), large, 10000],
            ['200 files, 10,000 folders (edit a folder file)', path.join(dir, 'workspace'), folderFile, 10000]
        ] as const) {
            if (only && !name.includes(only)) continue;
            results.push(await measure(name, workspace, file, folders));
            console.log(JSON.stringify(results[results.length - 1]));
        }
        const table = [
            `Edits per case: ${EDITS}; node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
            '',
            '| case | files | first diagnostics | median | p95 | max |',
            '|---|---:|---:|---:|---:|---:|',
            ...results.map(r => `| ${r.name} | ${r.files} | ${r.firstDiagnosticsMs} ms | ${r.medianMs} ms | ${r.p95Ms} ms | ${r.maxMs} ms |`)
        ].join('\n');
        console.log(table);
        writeFileSync(path.join(REPO, 'bench/lsp-latency/last-run.json'), JSON.stringify({ edits: EDITS, node: process.version, results }, null, 2) + '\n');
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
