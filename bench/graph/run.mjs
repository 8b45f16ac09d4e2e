#!/usr/bin/env node
// Benchmark: `backplan graph` of the 500-server / 10,000-folder runbook to SVG, cold
// (DESIGN.md §7: < 3 s). Not a test: it prints figures.
//
// The input is the check-large benchmark's runbook (bench/check-large/generate.mjs, written
// to bench/.work/graph/, git-ignored). Each run is a fresh
// `node packages/cli/bin/backplan.js graph large.backplan` (the esbuild bundle, ELK loaded
// from its chunk), after one untimed warm-up so the files are in the OS cache; median of N
// (default 5). Beside it, in the same session, a cold `backplan check` of the same file:
// the part of the time that is reading, parsing and checking the runbook, which `graph`
// does first. Each SVG is checked: one node per folder, server and tape.
//
//   node bench/graph/run.mjs [--runs N] [--json]
//
// Exit 0 when every run succeeded (a missed target is printed, not an error); 1 when a run
// failed or drew the wrong picture; 2 usage.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, FOLDERS, SERVERS } from '../check-large/generate.mjs';
import { measureOnce, median, rssMethod } from '../check-large/measure.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'packages/cli/bin/backplan.js');
const bundle = path.join(root, 'packages/cli/dist/backplan.mjs');
const TARGET_MS = 3000;

function parseArgs(argv) {
    const options = { runs: 5, json: false };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--runs' && i + 1 < argv.length) options.runs = Number(argv[++i]);
        else if (argv[i] === '--json') options.json = true;
        else usage(`unknown argument ${argv[i]}`);
    }
    if (!Number.isInteger(options.runs) || options.runs < 1) usage('--runs takes a whole number ≥ 1');
    return options;
}

function usage(problem) {
    process.stderr.write(`graph-bench: ${problem}\nusage: node bench/graph/run.mjs [--runs N] [--json]\n`);
    process.exit(2);
}

/** The SVG has a node for every folder, server and tape of the generated runbook. */
function checkPicture(svg) {
    const count = kind => (svg.match(new RegExp(`<g class="node node-${kind}[ "]`, 'g')) ?? []).length;
    const problems = [];
    if (!svg.startsWith('<svg ')) problems.push('output is not an SVG');
    if (count('folder') !== FOLDERS) problems.push(`${count('folder')} folder nodes, not ${FOLDERS}`);
    if (count('server') !== SERVERS) problems.push(`${count('server')} server nodes, not ${SERVERS}`);
    if (count('tape') !== 4) problems.push(`${count('tape')} tape nodes, not 4`);
    return problems;
}

/** Warm-up, then `runs` timed runs of `backplan ARGS…`; undefined (and a message) when one fails. */
function timeRuns(args, runs, check) {
    const results = [];
    for (let i = 0; i <= runs; i++) {
        const run = measureOnce(bin, args, root);
        const problems = run.status === 0 ? check(run.stdout) : [`exit ${run.status}: ${run.stderr.slice(0, 500)}`];
        if (problems.length) {
            process.stderr.write(`graph-bench: backplan ${args.join(' ')}: ${problems.join('; ')}\n`);
            return undefined;
        }
        if (i > 0) results.push({ ...run, bytes: Buffer.byteLength(run.stdout) });
    }
    const walls = results.map(r => r.wallMs);
    return {
        wallMs: median(walls), minMs: Math.min(...walls), maxMs: Math.max(...walls),
        cpuMs: median(results.map(r => r.cpuMs)), rssMB: median(results.map(r => r.rssMB)), bytes: results[0].bytes
    };
}

const options = parseArgs(process.argv.slice(2));
if (!existsSync(bundle)) {
    process.stderr.write(`graph-bench: ${path.relative(root, bundle)} is missing: run \`npm run build\` first\n`);
    process.exit(2);
}
process.stderr.write('graph-bench: generating the input…\n');
const input = path.relative(root, generate(path.join(root, 'bench/.work/graph')).single);
process.stderr.write(`graph-bench: warm-up + ${options.runs} runs each of backplan graph and backplan check --strict on ${input}\n`);
const graph = timeRuns(['graph', input], options.runs, checkPicture);
const check = timeRuns(['check', input, '--strict'], options.runs, () => []);
if (!graph || !check) process.exit(1);

const sec = ms => (ms / 1000).toFixed(2) + ' s';
const load = os.loadavg().map(l => l.toFixed(2)).join(' ');
if (options.json) {
    process.stdout.write(JSON.stringify({ node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), rssMethod, runs: options.runs, targetMs: TARGET_MS, graph, check }, null, 2) + '\n');
} else {
    const row = (what, r, target) => `| ${what} | ${target} | ${sec(r.wallMs)} (${sec(r.minMs)}–${sec(r.maxMs)}) | ${sec(r.cpuMs)} | ${r.rssMB.toFixed(0)} MB | ${target === '—' ? '—' : r.wallMs < TARGET_MS ? 'ok' : 'MISSED'} |`;
    const lines = [
        `| command | wall target | wall median of ${options.runs} (min–max) | CPU user+sys median | peak RSS median | verdict |`,
        '|---|---|---|---|---|---|',
        row(`backplan graph (SVG, ${(graph.bytes / 1e6).toFixed(1)} MB)`, graph, `< ${sec(TARGET_MS)}`),
        row('backplan check --strict (the same runbook: what graph reads first)', check, '—')
    ];
    const busy = os.loadavg()[0] > os.cpus().length
        ? `\nnote: the load average exceeds the ${os.cpus().length} cores: other processes stretch wall times; CPU time is the figure to compare.\n`
        : '';
    process.stdout.write(`\ngraph-bench: cold backplan graph of ${SERVERS} servers / ${FOLDERS.toLocaleString('en-US')} folders, ${os.cpus().length} cores, Node ${process.version}, load average ${load}; time and RSS via ${rssMethod}\n\n${lines.join('\n')}\n${busy}`);
}
