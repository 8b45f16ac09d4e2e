#!/usr/bin/env node
/**
 * Benchmark: a restic tape against plain restic on the same ~1 GB of mixed data, the same
 * restic binary, alternating which goes first, in one run (DESIGN §7):
 *
 *   first backup      backplan backup (stop/start: `true`) into a fresh repository
 *                     vs  restic backup D into a fresh repository          ≤ 1.15× wall
 *   second backup,    backplan backup again: its STOP WINDOW (journal: stop begun → up
 *   data unchanged    again) vs restic backup D again (wall)                ≤ 1.15×
 *                     and the repository's growth (data + manifest snapshot)  ≤ 1% of D
 *   restore           backplan restore --target T (restic restore into staging, every
 *                     entry checked against the manifest, sync, rename)
 *                     vs  restic restore latest --target T; sync            ≤ 1.15× wall
 *
 * Every timed command starts after a `sync`, outside the timing, and nothing is deleted
 * until the end (see `trash` below): the side that wrote first after a round's deletes lost
 * by ~1.6x, by order alone.
 * Before each round one repository is made with `restic init` and copied (`cp -a`) to
 * be the other, outside the timings: both then hold the same key, whose scrypt parameters
 * `restic init` calibrates to the machine's speed at that moment — two inits on a loaded
 * machine can differ by 2× in the cost of every repository open, which is a good part of
 * an unchanged backup's 1–2 s. Each side has its own restic cache folder (the copies share
 * a repository ID, so one cache would serve whichever side runs second). Backplan's figures are whole CLI
 * runs: start-up, runbook check, journal, lock, pre-flight (restic version, the
 * repository's locks), restic backup with the walk of the stopped data beside it (the
 * manifest, when restic's summary agrees), the manifest snapshot; a restore lists the
 * snapshots with the newest manifest read beside the listing. The data is
 * bench/lib/mixed-data.mjs's, shared with bench/backup-throughput.
 *
 *   node bench/restic/run.mjs [--runs N] [--size-mb M] [--write-results]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchSetup } from '../lib/bench-args.mjs';
import { makeMixedData, mixedDataDir } from '../lib/mixed-data.mjs';

const { repo, cli, args, arg } = benchSetup();
const runs = Number(arg('runs', 3));
const sizeMb = Number(arg('size-mb', 1024));
const work = path.join(repo, 'bench', '.work', 'restic');
const data = mixedDataDir(repo, sizeMb);
const state = path.join(work, 'state');
const pass = path.join(work, 'restic.pass');
const cacheB = path.join(work, 'cache-backplan');
const cacheR = path.join(work, 'cache-restic');
const repoB = path.join(work, 'repo-backplan');
const repoR = path.join(work, 'repo-restic');
const targetB = path.join(work, 'restored-backplan');
const targetR = path.join(work, 'restored-restic');
const runbook = path.join(work, 'bench.backplan');

const env = (repository) => ({ ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: pass, RESTIC_CACHE_DIR: repository === repoB ? cacheB : cacheR });
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bytesOf = dir => Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0]);

/** `fn`'s wall time, after a sync outside it: what the other side wrote (1 GB and more) must not be written back during this one. */
function time(fn) {
    execFileSync('sync');
    const t = process.hrtime.bigint();
    const value = fn();
    return { s: Number(process.hrtime.bigint() - t) / 1e9, value };
}

function run(cmd, argv, options = {}) {
    const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
}

const restic = (repository, ...argv) => run('restic', argv, { env: env(repository) });
const backplan = (...argv) => run(process.execPath, [cli, ...argv, '--state', state], { env: { ...process.env, RESTIC_CACHE_DIR: cacheB } });

/** The stop window of a backup run, from its journal's start-end record. */
function stopWindow(runId) {
    const dir = path.join(state, 'journals');
    for (const f of fs.readdirSync(dir)) {
        for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
            if (!line.includes(runId)) continue;
            const r = JSON.parse(line);
            if (r.run === runId && r.step === 'start' && r.event === 'end' && typeof r.window === 'number') return r.window;
        }
    }
    throw new Error(`no stop window in the journal for run ${runId}`);
}

/** One side's round: first backup, unchanged second backup, restore. */
const sides = {
    restic: {
        first: () => time(() => restic(repoR, 'backup', '-q', data)).s,
        second: () => {
            const before = bytesOf(repoR);
            const { s } = time(() => restic(repoR, 'backup', '-q', data));
            return { wall: s, window: s, growth: bytesOf(repoR) - before };
        },
        restore: () => time(() => { restic(repoR, 'restore', 'latest', '--target', targetR, '-q'); run('sync', []); }).s
    },
    backplan: {
        first: () => time(() => backplan('backup', runbook)).s,
        second: () => {
            const before = bytesOf(repoB);
            const { s, value } = time(() => JSON.parse(backplan('backup', runbook, '--format', 'json')));
            return { wall: s, window: stopWindow(value.runId), growth: bytesOf(repoB) - before };
        },
        restore: () => time(() => backplan('restore', runbook, '--server', 'Bench', '--target', targetB)).s
    }
};

fs.mkdirSync(work, { recursive: true });
if (!fs.existsSync(pass)) fs.writeFileSync(pass, `${Math.random().toString(36).slice(2)}${Date.now()}\n`, { mode: 0o600 });
makeMixedData(data, sizeMb);
const dataBytes = bytesOf(data);
fs.writeFileSync(runbook, `tape Vault { restic "${repoB}" password-file "${pass}" }
server Bench { role mail host local data "${data}" stop "true" start "true" }
backup Nightly { servers Bench to Vault }
`);
run('sh', ['-c', `find "${data}" -type f -exec cat {} + > /dev/null`]); // both sides read from the page cache

// The last round's folders go to the trash, emptied at the end: this disk is mounted with
// `discard`, and the first gigabyte written after deleting one took twice as long (seen:
// restic restore 16-20 s right after an rm -rf of 2 GB, 8-9 s next), which made whichever
// side wrote first lose by ~1.6x.
const trash = path.join(work, 'trash');
fs.rmSync(trash, { recursive: true, force: true });
fs.mkdirSync(trash);
const samples = { first: { restic: [], backplan: [] }, second: { restic: [], backplan: [], window: [], growthR: [], growthB: [] }, restore: { restic: [], backplan: [] } };
for (let i = 0; i < runs; i++) {
    for (const dir of [repoB, repoR, targetB, targetR, cacheB, cacheR]) if (fs.existsSync(dir)) fs.renameSync(dir, path.join(trash, `${i}-${path.basename(dir)}`));
    restic(repoB, 'init');
    run('cp', ['-a', repoB, repoR]);
    const order = i % 2 === 0 ? ['restic', 'backplan'] : ['backplan', 'restic'];
    for (const who of order) samples.first[who].push(sides[who].first());
    for (const who of order) {
        const r = sides[who].second();
        samples.second[who].push(r.wall);
        if (who === 'backplan') { samples.second.window.push(r.window); samples.second.growthB.push(r.growth); } else samples.second.growthR.push(r.growth);
    }
    for (const who of order) samples.restore[who].push(sides[who].restore());
    const f = n => n.toFixed(2);
    process.stderr.write(`run ${i + 1}/${runs} (${order[0]} first): first ${f(samples.first.restic.at(-1))} s vs ${f(samples.first.backplan.at(-1))} s; `
        + `second ${f(samples.second.restic.at(-1))} s vs stop window ${f(samples.second.window.at(-1))} s (wall ${f(samples.second.backplan.at(-1))} s, +${samples.second.growthB.at(-1)} B); `
        + `restore ${f(samples.restore.restic.at(-1))} s vs ${f(samples.restore.backplan.at(-1))} s\n`);
}

const m = {
    first: { restic: median(samples.first.restic), backplan: median(samples.first.backplan) },
    second: { restic: median(samples.second.restic), window: median(samples.second.window), wall: median(samples.second.backplan), growthB: median(samples.second.growthB), growthR: median(samples.second.growthR) },
    restore: { restic: median(samples.restore.restic), backplan: median(samples.restore.backplan) }
};
const rows = [
    ['first backup', m.first.restic, m.first.backplan, 1.15, 'wall'],
    ['second backup, unchanged: stop window', m.second.restic, m.second.window, 1.15, 'restic wall'],
    ['restore', m.restore.restic, m.restore.backplan, 1.15, 'wall']
].map(([what, base, ours, target, of]) => ({ what, base, ours, ratio: ours / base, target, of, ok: ours / base <= target }));
const growth = m.second.growthB / dataBytes;
const mib = n => (n / 1024 / 1024).toFixed(0);
const version = run('restic', ['version']).trim();
console.log(`data: ${mib(dataBytes)} MiB mixed; ${version}; median of ${runs}`);
for (const r of rows) console.log(`${r.what.padEnd(40)} restic ${r.base.toFixed(2)} s  backplan ${r.ours.toFixed(2)} s  ${r.ratio.toFixed(2)}× (target ≤ ${r.target}×) ${r.ok ? 'ok' : 'MISSED'}`);
console.log(`${'second backup: repository growth'.padEnd(40)} backplan ${m.second.growthB} B = ${(growth * 100).toFixed(4)}% of the data (restic alone ${m.second.growthR} B; target ≤ 1%) ${growth <= 0.01 ? 'ok' : 'MISSED'}`);
console.log(`${'second backup: backplan wall'.padEnd(40)} ${m.second.wall.toFixed(2)} s (the run: pre-flight, manifest; not a target)`);
fs.rmSync(trash, { recursive: true, force: true });
fs.writeFileSync(path.join(work, 'results.json'), JSON.stringify({ date: new Date().toISOString(), dataBytes, version, medians: m, samples }, null, 2));

if (args.includes('--write-results')) {
    const file = path.join(repo, 'bench', 'RESULTS.md');
    const start = '<!-- restic:start -->';
    const end = '<!-- restic:end -->';
    const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown CPU';
    const cores = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm) ?? []).length;
    const table = rows.map(r => `| ${r.what} | ${r.base.toFixed(2)} s | ${r.ours.toFixed(2)} s | ${r.ratio.toFixed(2)}× | ≤ ${r.target}× ${r.of} | ${r.ok ? 'ok' : 'MISSED'} |`).join('\n');
    const section = `${start}
## restic

\`node bench/restic/run.mjs\`: a restic tape against plain restic (${version}) on the same
${mib(dataBytes)} MiB of mixed data (bench/lib/mixed-data.mjs), the same binary, alternating which goes
first, median of ${runs}, each timed command after a \`sync\` outside its timing, nothing deleted until the end (the disk discards freed blocks: writing into them is slow); before each round one repository made with \`restic init\` and copied to be the
other (the same key, so the same scrypt cost per open), outside the timings; a restic cache folder per side.
${new Date().toISOString().slice(0, 10)}, ${cpu}, ${cores} cores; load average ${os.loadavg().map(x => x.toFixed(1)).join(', ')} at the end (shared machine).

| what | restic alone | backplan | ratio | target | verdict |
|---|---|---|---|---|---|
${table}
| second backup: repository growth | ${m.second.growthR} B | ${m.second.growthB} B | ${(growth * 100).toFixed(4)}% of the data | ≤ 1% | ${growth <= 0.01 ? 'ok' : 'MISSED'} |

The second backup's whole Backplan run took ${m.second.wall.toFixed(2)} s (not a target): besides the stop
window it runs restic three more times — \`version\` and \`list locks\` in pre-flight, before the
stop, and \`backup --stdin\` for the manifest after the application is up again — the last two
each opening the repository (restic derives its key with scrypt, ≈ 0.5 s here). The manifest is
the walk of the stopped data made beside restic (no listing back: restic's summary agreed).
${end}`;
    let text = fs.readFileSync(file, 'utf8');
    text = text.includes(start) ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), section) : `${text.trimEnd()}\n\n${section}\n`;
    fs.writeFileSync(file, text);
    console.log(`wrote the restic section of ${path.relative(process.cwd(), file)}`);
}
