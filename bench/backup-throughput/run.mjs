#!/usr/bin/env node
/**
 * Benchmark: `backplan backup` of a local server holding ~1 GB of mixed data against the
 * DESIGN §7 baseline, and `backplan verify` against its baseline, alternating, median of 5.
 *
 *   backup baseline:  tar -cf - -C D . | zstd -1 -T0 | tee F | sha256sum; sync
 *   verify baseline:  zstd -dc F | sha256sum
 *
 * Backplan's figures are whole CLI runs (start-up, runbook check, pre-flight, lock,
 * journal, per-file SHA-256 of the tar stream, archive SHA-256, fsyncs, read-back check,
 * manifest) with `stop`/`start` commands that do nothing. The data lives in
 * bench/.work/backup-throughput (git-ignored) and is reused by later runs.
 *
 *   node bench/backup-throughput/run.mjs [--runs N] [--size-mb M] [--write-results]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchSetup } from '../lib/bench-args.mjs';
import { makeMixedData, mixedDataDir } from '../lib/mixed-data.mjs';

const { repo, cli, args, arg } = benchSetup();
const runs = Number(arg('runs', 5));
const sizeMb = Number(arg('size-mb', 1024));
const work = path.join(repo, 'bench', '.work', 'backup-throughput');
const data = mixedDataDir(repo, sizeMb);
const tape = path.join(work, 'tape');
const state = path.join(work, 'state');
const baselineOut = path.join(work, 'baseline.tar.zst');

/** The shared ~sizeMb of mixed data (bench/lib/mixed-data.mjs). */
function makeData() {
    makeMixedData(data, sizeMb);
}

function time(fn) {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / 1e9;
}

function sh(script) {
    const r = spawnSync('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`failed: ${script}`);
}

function backplan(...argv) {
    const r = spawnSync(process.execPath, [cli, ...argv, '--state', state], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`backplan ${argv.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const q = s => `'${s.replace(/'/g, `'\\''`)}'`;

makeData();
const bytes = Number(execFileSync('du', ['-sb', data]).toString().split('\t')[0]);
const runbook = path.join(work, 'bench.backplan');
fs.writeFileSync(runbook, `tape BenchTape { at "${tape}" }
server Bench { role mail host local data "${data}" stop "true" start "true" }
backup Nightly { servers Bench to BenchTape }
`);
// Warm the page cache for both sides alike.
sh(`tar -cf - -C ${q(data)} . > /dev/null`);

const results = { backup: { baseline: [], backplan: [] }, verify: { baseline: [], backplan: [] } };
for (let i = 0; i < runs; i++) {
    fs.rmSync(tape, { recursive: true, force: true });
    fs.rmSync(baselineOut, { force: true });
    const order = i % 2 === 0 ? ['baseline', 'backplan'] : ['backplan', 'baseline'];
    for (const who of order) {
        if (who === 'baseline') results.backup.baseline.push(time(() => sh(`tar -cf - -C ${q(data)} . | zstd -1 -T0 -q | tee ${q(baselineOut)} | sha256sum > /dev/null; sync`)));
        else results.backup.backplan.push(time(() => backplan('backup', runbook)));
    }
    const id = JSON.parse(backplan('archives', runbook, '--format', 'json')).archives[0].id;
    for (const who of order) {
        if (who === 'baseline') results.verify.baseline.push(time(() => sh(`zstd -dc -q ${q(baselineOut)} | sha256sum > /dev/null`)));
        else results.verify.backplan.push(time(() => backplan('verify', runbook, '--archive', id)));
    }
    process.stderr.write(`run ${i + 1}/${runs}: backup ${results.backup.baseline.at(-1).toFixed(2)} s vs ${results.backup.backplan.at(-1).toFixed(2)} s; verify ${results.verify.baseline.at(-1).toFixed(2)} s vs ${results.verify.backplan.at(-1).toFixed(2)} s\n`);
}
const archiveSize = fs.statSync(baselineOut).size;
const summary = {
    date: new Date().toISOString(),
    dataBytes: bytes,
    archiveBytes: archiveSize,
    runs,
    backup: { baselineS: median(results.backup.baseline), backplanS: median(results.backup.backplan) },
    verify: { baselineS: median(results.verify.baseline), backplanS: median(results.verify.backplan) }
};
summary.backup.ratio = summary.backup.backplanS / summary.backup.baselineS;
summary.verify.ratio = summary.verify.backplanS / summary.verify.baselineS;
const mb = n => (n / 1024 / 1024).toFixed(0);
const lines = [
    `data: ${mb(bytes)} MiB (${fs.readdirSync(path.join(data, 'mail')).length} mailboxes of small files, large compressible and incompressible files); archive ${mb(archiveSize)} MiB`,
    `backup  baseline ${summary.backup.baselineS.toFixed(2)} s (${mb(bytes / summary.backup.baselineS)} MiB/s)  backplan ${summary.backup.backplanS.toFixed(2)} s (${mb(bytes / summary.backup.backplanS)} MiB/s)  ratio ${summary.backup.ratio.toFixed(2)}× wall (target ≤ 1.15×)`,
    `verify  baseline ${summary.verify.baselineS.toFixed(2)} s  backplan ${summary.verify.backplanS.toFixed(2)} s  ratio ${summary.verify.ratio.toFixed(2)}× wall (target ≤ 1.25×)`
];
console.log(lines.join('\n'));
fs.writeFileSync(path.join(work, 'results.json'), JSON.stringify({ ...summary, samples: results }, null, 2));

if (args.includes('--write-results')) {
    const file = path.join(repo, 'bench', 'RESULTS.md');
    const start = '<!-- backup-throughput:start -->';
    const end = '<!-- backup-throughput:end -->';
    const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown CPU';
    const section = `${start}
## backup-throughput

\`npm run bench:backup\` (bench/backup-throughput/run.mjs): \`backplan backup\` of one local server
against \`tar -cf - D | zstd -1 -T0 | tee F | sha256sum; sync\`, and \`backplan verify\` against
\`zstd -dc F | sha256sum\`; alternating, median of ${runs}, whole CLI runs. ${summary.date.slice(0, 10)}, ${cpu},
${require_cores()} cores.

| what | baseline | backplan | ratio | target |
|---|---|---|---|---|
| backup, ${mb(bytes)} MiB mixed → ${mb(archiveSize)} MiB | ${summary.backup.baselineS.toFixed(2)} s | ${summary.backup.backplanS.toFixed(2)} s | ${summary.backup.ratio.toFixed(2)}× | ≤ 1.15× |
| verify of that archive | ${summary.verify.baselineS.toFixed(2)} s | ${summary.verify.backplanS.toFixed(2)} s | ${summary.verify.ratio.toFixed(2)}× | ≤ 1.25× |

Load average during the run: ${os.loadavg().map(x => x.toFixed(1)).join(', ')} (the machine is shared; figures move by ±30% between runs).

Backplan does more than the baselines: a SHA-256 of every file read from the tar stream
(and, in verify, of the archive too), fsync of archive, manifest and folder, a read-back
hash check of the archive after the application has been started again, the journal and
the lock, and the CLI's start-up with a runbook check. From the journals of this bench
(2026-11-25, load 2.5–3.6): archive step 2.5–3.0 s (0.85–1.0× the whole baseline),
read-back check 0.31–0.32 s, the rest ≈ 0.2 s. That tail after the stream (≈ 0.5 s) is
≈ 17% of a 3 s baseline by itself, so the ratio meets the target only while the archive
step is faster than the baseline: per-run ratios 0.72–1.24× here (median 1.04×; the 5-run
ratio 1.07×); earlier benches of the same day, before 64 KiB tar records: 1.13× and 1.24×.
The per-file SHA-256 of the tar stream (1 GB at ≈ 1.7 GB/s with SHA-NI, ≈ 0.6 s CPU on
the thread that also moves the bytes) is work the baseline does not do; its coreutils
\`sha256sum\` (no SHA-NI: 1.9 s for the 513 MiB archive at load ≈ 5, ours 0.31 s; on a parallel path) is slower
than ours.
How the data flows: tar (64 KiB records) → Backplan → zstd → Backplan → tape; Backplan
scans and hashes each chunk as it passes it on (writes to the tape with writeSync). Before
2026-11-25 two \`tee\` processes copied the streams (8 KiB pieces, two more kernel copies
of every byte; ≈ 1.4 s more CPU) and the read-back went through a 1 MiB stream
(0.45–0.8 s): 1.36–1.57×.
The data-path processes stay in the CLI's session: with
the kernel's autogroup scheduling, five \`setsid\` children were five CPU shares, and the
same pipeline ran at half speed.
${end}`;
    let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
    text = text.includes(start) ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), section) : `${text.trimEnd()}\n\n${section}\n`;
    fs.writeFileSync(file, text);
    console.log(`wrote the backup-throughput section of ${path.relative(process.cwd(), file)}`);
}

function require_cores() {
    return (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm) ?? []).length;
}
void createHash;
