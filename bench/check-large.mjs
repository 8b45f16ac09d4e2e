// `npm run bench`: the check-large benchmark (DESIGN.md §7). Not a test: it prints figures.
//
// Generates three inputs (bench/check-large/generate.mjs) and times a cold
// `node packages/cli/bin/backplan.js check <input> --strict` on each — a fresh Node process
// every run, as in CI — after one untimed warm-up run (so the OS file cache is warm, not
// Node). Reports the median and range of N runs (default 5) and the peak RSS.
//
//   node bench/check-large.mjs [--runs N] [--only small|single|reversed|workspace[,…]] [--out DIR] [--json]
//
// Targets (DESIGN.md §7): 500 servers / 10,000 folders < 2 s and < 400 MB RSS; one small
// runbook < 0.35 s. The reversed runbook (servers after folders) and the 200-file workspace
// (the same content split across files joined by imports) are held to the same target.
// Exit 0 when every run succeeded (whether or not a target is missed: misses are printed);
// 1 when a check failed or reported a problem (the generated runbooks must be clean); 2 usage.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, FOLDERS, SERVERS, WORKSPACE_FILES } from './check-large/generate.mjs';
import { measureOnce, median, rssMethod } from './check-large/measure.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'packages/cli/bin/backplan.js');
const bundle = path.join(root, 'packages/cli/dist/backplan.mjs');

function parseArgs(argv) {
    const options = { runs: 5, only: undefined, out: undefined, json: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) usage(`${arg} needs a value`);
            return argv[++i];
        };
        if (arg === '--runs') options.runs = Number(value());
        else if (arg === '--only') options.only = value().split(',');
        else if (arg === '--out') options.out = path.resolve(value());
        else if (arg === '--json') options.json = true;
        else if (arg === '--help' || arg === '-h') usage();
        else usage(`unknown argument ${arg}`);
    }
    if (!Number.isInteger(options.runs) || options.runs < 1) usage('--runs takes a whole number ≥ 1');
    return options;
}

function usage(problem) {
    const text = 'usage: node bench/check-large.mjs [--runs N] [--only small|single|reversed|workspace[,…]] [--out DIR] [--json]';
    if (problem) {
        process.stderr.write(`check-large: ${problem}\n${text}\n`);
        process.exit(2);
    }
    process.stdout.write(text + '\n');
    process.exit(0);
}

const options = parseArgs(process.argv.slice(2));
if (!existsSync(bundle)) {
    process.stderr.write(`check-large: ${path.relative(root, bundle)} is missing: run \`npm run build\` first\n`);
    process.exit(2);
}

process.stderr.write('check-large: generating inputs…\n');
const inputs = generate(options.out);
const cases = [
    { id: 'small', what: 'one small runbook (3 servers, 2 folders)', path: inputs.small, files: 1, targetMs: 350 },
    { id: 'single', what: `${SERVERS} servers / ${FOLDERS.toLocaleString('en-US')} folders, one file`, path: inputs.single, files: 1, targetMs: 2000, targetMB: 400 },
    { id: 'reversed', what: 'same, one file, servers declared after the folders', path: inputs.reversed, files: 1, targetMs: 2000, targetMB: 400 },
    { id: 'workspace', what: `same, ${WORKSPACE_FILES} files joined by imports`, path: inputs.workspace, files: WORKSPACE_FILES, targetMs: 2000, targetMB: 400 }
].filter(c => !options.only || options.only.includes(c.id));

let failed = false;
const rows = [];
for (const c of cases) {
    const args = ['check', path.relative(root, c.path), '--strict'];
    process.stderr.write(`check-large: ${c.id}: warm-up + ${options.runs} runs of backplan ${args.join(' ')}\n`);
    const runs = [];
    for (let i = 0; i <= options.runs; i++) {
        const run = measureOnce(bin, args, root);
        if (run.status !== 0) {
            process.stderr.write(`check-large: ${c.id}: backplan exited ${run.status}; the generated runbook must be clean:\n${(run.stdout + run.stderr).split('\n').slice(0, 20).join('\n')}\n`);
            failed = true;
            break;
        }
        if (i > 0) runs.push(run);
    }
    if (runs.length === 0) continue;
    const walls = runs.map(r => r.wallMs);
    const rss = runs.map(r => r.rssMB);
    const cpu = runs.map(r => r.cpuMs);
    rows.push({
        ...c,
        wallMs: median(walls), minMs: Math.min(...walls), maxMs: Math.max(...walls),
        cpuMs: median(cpu),
        rssMB: median(rss), maxRssMB: Math.max(...rss)
    });
}

const sec = ms => (ms / 1000).toFixed(2) + ' s';
const verdict = r => (r.wallMs < r.targetMs && (r.targetMB === undefined || r.maxRssMB < r.targetMB)) ? 'ok' : 'MISSED';
if (options.json) {
    process.stdout.write(JSON.stringify({ node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), rssMethod, runs: options.runs, results: rows }, null, 2) + '\n');
} else {
    const table = [
        ['case', 'files', 'wall target', `wall median of ${options.runs} (min–max)`, 'CPU user+sys median', 'RSS target', 'peak RSS median (max)', 'verdict'],
        ...rows.map(r => [
            r.what, String(r.files), `< ${sec(r.targetMs)}`,
            `${sec(r.wallMs)} (${sec(r.minMs)}–${sec(r.maxMs)})`,
            sec(r.cpuMs),
            r.targetMB === undefined ? '—' : `< ${r.targetMB} MB`,
            `${r.rssMB.toFixed(0)} MB (${r.maxRssMB.toFixed(0)} MB)`,
            verdict(r)
        ])
    ];
    const lines = table.map(cells => `| ${cells.join(' | ')} |`);
    lines.splice(1, 0, `|${table[0].map(() => '---').join('|')}|`);
    const load = os.loadavg().map(l => l.toFixed(2)).join(' ');
    const busy = os.loadavg()[0] > os.cpus().length
        ? `\nnote: the load average exceeds the ${os.cpus().length} cores: other processes stretch wall times; CPU time is the figure to compare.\n`
        : '';
    process.stdout.write(`\ncheck-large: cold \`backplan check --strict\`, ${os.cpus().length} cores, Node ${process.version}, load average ${load}; time and peak RSS via ${rssMethod}\n\n${lines.join('\n')}\n${busy}`);
}
process.exit(failed ? 1 : 0);
