#!/usr/bin/env node
// `backplan status` cold on a year of history (DESIGN.md §7: 365 runs × 20 servers,
// target < 0.5 s). Not a test: it prints figures.
//
//   node bench/status/run.mjs [--runs N] [--servers N] [--days N] [--json]
//
// Generates (bench/status/generate.mjs, into bench/.work/status, git-ignored) a runbook of
// N servers in one scheduled backup block, a journal of a nightly run per day written as
// the runner writes it, and a tape holding what `keep daily 7 weekly 4 monthly 12` keeps,
// then times a fresh `node packages/cli/dist/backplan.mjs status RUNBOOK --format
// prometheus` per run (after one untimed warm-up: the OS file cache is warm, Node is not)
// and reports the median of N (default 5). Cases:
//   year          the year, with a weekly `backplan verify` (what a maintained installation has)
//   never-verify  the same year, never verified: status reads every verification record
//   never-ok      the same year, one server failing every night: status must read the
//                 whole journal (its tail never holds that server's last success)
//   check         `backplan check` of the same runbook: the share of loading and checking
//                 the runbook (Langium), which every verb pays
// Exit 0 when every run gave the expected exit code (targets missed are printed); 1 otherwise.
import * as os from 'node:os';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measureOnce, median, rssMethod } from '../check-large/measure.mjs';
import { generateYear } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const bundle = path.join(repo, 'packages/cli/dist/backplan.mjs');
const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : fallback);
const runs = opt('runs', 5);
const servers = opt('servers', 20);
const days = opt('days', 365);
const TARGET_MS = 500;

if (!existsSync(bundle)) {
    process.stderr.write('status bench: packages/cli/dist/backplan.mjs is missing: run `npm run build` first\n');
    process.exit(2);
}

const work = path.join(repo, 'bench', '.work', 'status');
const cases = [
    { name: 'year', what: `${days} runs × ${servers} servers, weekly verify`, gen: { verifyEvery: 7 }, verb: 'status', exit: 0 },
    { name: 'never-verify', what: `${days} runs × ${servers} servers, never verified`, gen: {}, verb: 'status', exit: 0 },
    { name: 'never-ok', what: `${days} runs × ${servers} servers, one never succeeded (whole journal read)`, gen: { verifyEvery: 7, neverSucceeds: 'Mail01' }, verb: 'status', exit: 1 },
    { name: 'check', what: `\`backplan check\` of the same runbook (the floor every verb pays)`, gen: { verifyEvery: 7 }, verb: 'check', exit: 0 }
];

const rows = [];
let failed = false;
for (const c of cases) {
    const year = generateYear({ root: path.join(work, c.name), servers, runs: days, ...c.gen });
    process.env.BACKPLAN_NOW = year.now;
    const args = c.verb === 'status' ? ['status', year.runbook, '--state', year.state, '--format', 'prometheus'] : ['check', year.runbook];
    const times = [];
    for (let i = 0; i <= runs; i++) {
        const r = measureOnce(bundle, args, repo);
        if (r.status !== c.exit) {
            process.stderr.write(`status bench: ${c.name}: exit ${r.status}, expected ${c.exit}\n${r.stderr}\n`);
            failed = true;
            break;
        }
        if (i > 0) times.push(r);
    }
    if (times.length === 0) continue;
    const walls = times.map(t => t.wallMs);
    rows.push({
        case: c.name, what: c.what, records: year.records, journalMB: year.bytes / 1e6,
        wallMs: median(walls), minMs: Math.min(...walls), maxMs: Math.max(...walls),
        cpuMs: median(times.map(t => t.cpuMs)), rssMB: median(times.map(t => t.rssMB)), timed: c.verb === 'status'
    });
}

const sec = ms => `${(ms / 1000).toFixed(2)} s`;
if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), runs, results: rows }, null, 2) + '\n');
} else {
    const table = [
        ['case', 'journal', 'wall target', `wall median of ${runs} (min–max)`, 'CPU user+sys median', 'peak RSS', 'verdict'],
        ...rows.map(r => [
            `${r.case}: ${r.what}`, `${r.records.toLocaleString('en')} records, ${r.journalMB.toFixed(1)} MB`, r.timed ? `< ${sec(TARGET_MS)}` : '—',
            `${sec(r.wallMs)} (${sec(r.minMs)}–${sec(r.maxMs)})`, sec(r.cpuMs), `${r.rssMB.toFixed(0)} MB`,
            r.timed ? (r.wallMs < TARGET_MS ? 'ok' : 'MISSED') : '—'
        ])
    ];
    const lines = table.map(cells => `| ${cells.join(' | ')} |`);
    lines.splice(1, 0, `|${table[0].map(() => '---').join('|')}|`);
    const load = os.loadavg().map(l => l.toFixed(2)).join(' ');
    const busy = os.loadavg()[0] > os.cpus().length
        ? `\nnote: the load average exceeds the ${os.cpus().length} cores: other processes stretch wall times; CPU time is the figure to compare.\n` : '';
    process.stdout.write(`\nstatus: cold \`backplan status --format prometheus\`, ${os.cpus().length} cores, Node ${process.version}, load average ${load}; CPU and RSS via ${rssMethod}\n\n${lines.join('\n')}\n${busy}`);
}
process.exit(failed ? 1 : 0);
