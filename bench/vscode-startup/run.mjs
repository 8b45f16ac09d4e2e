#!/usr/bin/env node
/**
 * bench/vscode-startup: a workspace of 25 runbooks opened in VS Code → first diagnostics,
 * against DESIGN §7 (< 3 s after activation). Not a timed test: it reports figures.
 *
 *   1. generate.mjs writes the workspace (25 runbooks + a shared tape file, 26 files)
 *   2. VS Code: N times, a fresh code-server window (fresh profile and extension host;
 *      test/vscode/code-server.mjs) opens the workspace with the extension under
 *      development; probe.ts reads the extension's own start-up report: activation →
 *      server up → first diagnostics → workspace checked
 *   3. the language server alone, N times (lsp-startup.mjs): spawn → initialize →
 *      first diagnostics → workspace checked, over stdio, no VS Code
 *   4. medians; bench/.work/vscode-startup/last-run.{json,md}
 *
 *   node bench/vscode-startup/run.mjs [--runs 5] [--no-build] [--lsp-only] [--compare DIR]
 *
 * --compare DIR: another build of the extension (a folder with package.json and dist/, e.g.
 * an earlier commit's), run in VS Code alternately with this one, run for run, so that both
 * see the same load; its figures are printed beside.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { repo, runInCodeServer } from '../../test/vscode/code-server.mjs';
import { generate } from './generate.mjs';
import { lspStartup } from './lsp-startup.mjs';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const work = path.join(repo, 'bench/.work/vscode-startup');
const server = path.join(repo, 'packages/extension/dist/server.js');

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function buildProbe() {
    mkdirSync(work, { recursive: true });
    writeFileSync(path.join(work, 'package.json'), '{ "type": "commonjs" }\n');
    await build({
        entryPoints: [path.join(repo, 'bench/vscode-startup/probe.ts')], outfile: path.join(work, 'probe.js'),
        bundle: true, platform: 'node', format: 'cjs', target: 'node18', external: ['vscode'], logLevel: 'warning'
    });
    return path.join(work, 'probe.js');
}

async function vscodeRun(name, extension, workspace, probe) {
    const out = path.join(work, `${name}.json`);
    rmSync(out, { force: true });
    const { code } = await runInCodeServer({
        name, trusted: true, developmentPath: extension, workspace, testsPath: probe, env: { BACKPLAN_STARTUP_OUT: out }
    });
    if (code !== 0) throw new Error(`${name}: the probe failed (exit ${code})`);
    const r = JSON.parse(readFileSync(out, 'utf8'));
    const result = { ...r, hostToActivation: Math.round(r.activatedAt - r.hostStartedAt) };
    console.log(`${name}: ${JSON.stringify(result)}`);
    return result;
}

/** This build, and the one to compare with (if any), run for run. */
async function vscodeRuns(workspace, probe, compare) {
    const results = { current: [], compared: [] };
    for (let i = 1; i <= RUNS; i++) {
        results.current.push(await vscodeRun(`startup-${i}`, path.join(repo, 'packages/extension'), workspace, probe));
        if (compare) results.compared.push(await vscodeRun(`compared-${i}`, compare, workspace, probe));
    }
    return results;
}

async function lspRuns(workspace) {
    const results = [];
    for (let i = 1; i <= RUNS; i++) {
        results.push(await lspStartup(server, workspace));
        console.log(`lsp run ${i}: ${JSON.stringify(results.at(-1))}`);
    }
    return results;
}

const row = (label, runs, key, of = r => r[key]) => `| ${label} | ${median(runs.map(of))} ms | ${Math.min(...runs.map(of))}–${Math.max(...runs.map(of))} ms |`;

if (!args.includes('--no-build')) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });
    execFileSync('npm', ['run', '--silent', 'build', '-w', 'backplan'], { cwd: repo, stdio: 'inherit' });
}
const { dir: workspace, runbooks } = generate(path.join(work, 'workspace'));
const load = [loadavg()[0]];
const lsp = await lspRuns(workspace);
const compare = args.includes('--compare') ? path.resolve(args[args.indexOf('--compare') + 1]) : undefined;
const { current: vscode, compared } = args.includes('--lsp-only') ? { current: [], compared: [] } : await vscodeRuns(workspace, await buildProbe(), compare);
load.push(loadavg()[0]);

const lines = [
    `${runbooks.length} runbooks, ${runbooks.length + 1} files; ${RUNS} runs each; median (min–max); ` +
    `${cpus().length} cores, load ${load.map(l => l.toFixed(1)).join(' → ')}; Node ${process.version}`, ''
];
if (vscode.length) {
    lines.push('| VS Code (code-server 4.100.3), from activation | median | range |', '|---|---|---|',
        row('extension host start → activation (before the target\'s clock starts)', vscode, 'hostToActivation'),
        row('server up (spawned, `initialize` answered)', vscode, 'serverReady'),
        row('first diagnostics', vscode, 'firstDiagnostics'),
        row('whole workspace checked (first `backplan/coverageChanged`)', vscode, 'workspaceChecked'), '');
}
if (compared.length) {
    lines.push(`| VS Code, the build compared with (${path.relative(repo, compare)}), from activation | median | range |`, '|---|---|---|',
        row('server up', compared, 'serverReady'),
        row('first diagnostics', compared, 'firstDiagnostics'),
        row('whole workspace checked', compared, 'workspaceChecked'), '');
}
lines.push('| language server alone, from spawn | median | range |', '|---|---|---|',
    row('`initialize` answered', lsp, 'serverReady'),
    row('first diagnostics', lsp, 'firstDiagnostics'),
    row('whole workspace checked', lsp, 'workspaceChecked'), '');
/** The server's own timeline (ms since its process started), phase by phase. */
function phases(label, runs) {
    const at = key => r => r.timeline[key];
    const step = (from, to) => r => r.timeline[to] - r.timeline[from];
    const cpu = (from, to) => r => r.timeline.cpuAt[to] - (from ? r.timeline.cpuAt[from] : 0);
    const both = (text, from, to) => [row(text, runs, '', from ? step(from, to) : at(to)), row(`${text}: CPU time`, runs, '', cpu(from, to))];
    return [`| ${label}: the server's own timeline (wall, then CPU time) | median | range |`, '|---|---|---|',
        ...both('process start → modules loaded', undefined, 'loaded'),
        ...both('→ `initialize` received (services created)', 'loaded', 'initialize'),
        ...both('→ workspace read and parsed', 'initialize', 'workspaceRead'),
        ...both('→ linked', 'workspaceRead', 'linked'),
        ...both('→ validated (diagnostics sent)', 'linked', 'validated'),
        ...both('process start → validated', undefined, 'validated'), ''];
}
if (vscode.length) lines.push(...phases('in VS Code', vscode));
if (compared.length) lines.push(...phases('in VS Code, the build compared with', compared));
lines.push(...phases('alone', lsp));
const verdict = vscode.length ? median(vscode.map(r => r.firstDiagnostics)) < 3000 ? 'ok' : 'MISSED' : 'not measured';
lines.push('', `Target (DESIGN §7): first diagnostics < 3 s after activation: ${verdict}.`);
console.log(`\n${lines.join('\n')}`);
writeFileSync(path.join(work, 'last-run.json'), JSON.stringify({ runs: RUNS, load, vscode, compared, lsp }, null, 2));
writeFileSync(path.join(work, 'last-run.md'), `${lines.join('\n')}\n`);
