#!/usr/bin/env node
/**
 * Benchmark: the stop window and the total time of `backplan backup` of a ~1 GB server,
 * without and with `snapshot btrfs` (DESIGN §10), side by side: one run, alternating
 * (ABBA: plain, snapshot, snapshot, plain, …), median of N each.
 *
 *   data:    bench/lib/mixed-data.mjs in a subvolume of a btrfs image loop-mounted at
 *            bench/.work/stop-window/mnt (made once, reused; unmounted at the end)
 *   plain:    stop → archive the data folder → start → verify → record
 *   snapshot: stop → btrfs snapshot -r → start → archive the snapshot → drop it → …
 *   window:   the journal's `window` on the start-end record (stop begun → started)
 *   total:    the whole CLI run (start-up, check, pre-flight, lock, journal, verify)
 * The stop and start commands are `true`: the window is what Backplan adds, nothing else.
 *
 *   node bench/stop-window/run.mjs [--runs N] [--size-mb M] [--write-results]
 * Needs root (mount -o loop) and btrfs-progs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arg, args, cli, repo, workDir } from '../lib/bench-setup.mjs';
import { makeMixedData } from '../lib/mixed-data.mjs';

const runs = Number(arg('runs', 5));
const sizeMb = Number(arg('size-mb', 1024));
const work = workDir('stop-window');
const image = path.join(work, 'btrfs.img');
const mnt = path.join(work, 'mnt');
const subvolume = path.join(mnt, 'DATA');
const tape = path.join(work, 'tape');
const state = path.join(work, 'state');

/** Mounts the image (made on first use, twice the data's size) with subvolume DATA; returns whether this run mounted it. */
function mountVolume() {
    fs.mkdirSync(mnt, { recursive: true });
    if (spawnSync('mountpoint', ['-q', mnt]).status === 0) return false;
    if (!fs.existsSync(image)) {
        execFileSync('truncate', ['-s', `${Math.max(3, Math.ceil((sizeMb * 2.5) / 1024))}G`, image]);
        execFileSync('mkfs.btrfs', ['-q', image], { stdio: 'ignore' });
    }
    execFileSync('mount', ['-o', 'loop', image, mnt]);
    if (!fs.existsSync(subvolume)) execFileSync('btrfs', ['subvolume', 'create', subvolume], { stdio: 'ignore' });
    return true;
}

/** One backup; its wall time, stop window and archive step (seconds, the last two from the journal). */
function backup(runbook) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, 'backup', runbook, '--state', state], { encoding: 'utf8' });
    const total = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) throw new Error(`backplan backup ${runbook} failed: ${r.stdout}${r.stderr}`);
    const dir = path.join(state, 'journals');
    const records = fs.readdirSync(dir).flatMap(f => fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n').map(l => JSON.parse(l)));
    // One journal per runbook: the run just made is the newest begin of either.
    const run = records.filter(x => x.type === 'run' && x.event === 'begin').sort((a, b) => a.time.localeCompare(b.time)).at(-1).run;
    const mine = records.filter(x => x.run === run && x.type === 'step');
    const window = mine.find(x => x.step === 'start' && x.event === 'end').window;
    const at = (step, event) => Date.parse(mine.find(x => x.step === step && x.event === event).time);
    return { total, window, archive: (at('archive', 'end') - at('archive', 'begin')) / 1000 };
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s2 = n => `${n.toFixed(2)} s`;

const mounted = mountVolume();
try {
    const data = path.join(subvolume, 'files');
    makeMixedData(data, sizeMb);
    const bytes = Number(execFileSync('du', ['-sb', subvolume]).toString().split('\t')[0]);
    const runbooks = {};
    for (const kind of ['plain', 'snapshot']) {
        runbooks[kind] = path.join(work, `${kind}.backplan`);
        fs.writeFileSync(runbooks[kind], `tape BenchTape { at "${tape}" }
server Bench { role mail host local data "${subvolume}" stop "true" start "true"${kind === 'snapshot' ? ' snapshot btrfs' : ''} }
backup Nightly { servers Bench to BenchTape }
`);
    }
    // One untimed backup of each kind first: a freshly mounted image reads cold.
    for (const kind of ['plain', 'snapshot']) {
        fs.rmSync(tape, { recursive: true, force: true });
        backup(runbooks[kind]);
    }
    const samples = { plain: [], snapshot: [] };
    for (let i = 0; i < runs; i++) {
        for (const kind of i % 2 === 0 ? ['plain', 'snapshot'] : ['snapshot', 'plain']) {
            fs.rmSync(tape, { recursive: true, force: true });
            samples[kind].push(backup(runbooks[kind]));
        }
        const [p, s] = [samples.plain.at(-1), samples.snapshot.at(-1)];
        process.stderr.write(`run ${i + 1}/${runs}: window ${s2(p.window)} vs ${s2(s.window)}; total ${s2(p.total)} vs ${s2(s.total)}\n`);
    }
    const med = kind => {
        const of = key => samples[kind].map(x => x[key]);
        return { window: median(of('window')), total: median(of('total')), archive: median(of('archive')), windowRange: [Math.min(...of('window')), Math.max(...of('window'))] };
    };
    const summary = { date: new Date().toISOString(), dataBytes: bytes, runs, plain: med('plain'), snapshot: med('snapshot'), load: os.loadavg() };
    summary.windowRatio = summary.plain.window / summary.snapshot.window;
    summary.totalRatio = summary.snapshot.total / summary.plain.total;
    const mb = (bytes / 1024 / 1024).toFixed(0);
    console.log([
        `data: ${mb} MiB on btrfs (subvolume); stop/start commands: true; median of ${runs}, alternating`,
        `                 stop window   archive step   total`,
        `plain            ${s2(summary.plain.window).padStart(11)}   ${s2(summary.plain.archive).padStart(12)}   ${s2(summary.plain.total)}`,
        `snapshot btrfs   ${s2(summary.snapshot.window).padStart(11)}   ${s2(summary.snapshot.archive).padStart(12)}   ${s2(summary.snapshot.total)}`,
        `ratios: stop window plain/snapshot ${summary.windowRatio.toFixed(1)}×; total snapshot/plain ${summary.totalRatio.toFixed(2)}× (target: window ≤ 1 s with a snapshot)`
    ].join('\n'));
    fs.writeFileSync(path.join(work, 'results.json'), JSON.stringify({ ...summary, samples }, null, 2));
    if (args.includes('--write-results')) writeResults(summary, mb);
} finally {
    if (mounted) execFileSync('umount', [mnt]);
}

/** Replaces the stop-window section of bench/RESULTS.md with these figures. */
function writeResults(summary, mb) {
    const file = path.join(repo, 'bench', 'RESULTS.md');
    const start = '<!-- stop-window:start -->';
    const end = '<!-- stop-window:end -->';
    const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown CPU';
    const cores = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm) ?? []).length;
    const row = (name, m) => `| ${name} | ${s2(m.window)} (${m.windowRange.map(x => x.toFixed(2)).join('–')}) | ${s2(m.archive)} | ${s2(m.total)} |`;
    const section = `${start}
## stop-window

\`node bench/stop-window/run.mjs\` (root: it loop-mounts a btrfs image): \`backplan backup\` of one
local server of ${mb} MiB (bench/lib/mixed-data.mjs) in a btrfs subvolume, without and with
\`snapshot btrfs\`, alternating, median of ${summary.runs}, whole CLI runs; stop and start are \`true\`, so
the window is what Backplan itself adds; one untimed backup of each kind first. ${summary.date.slice(0, 10)}, ${cpu}, ${cores} cores, load average
${summary.load.map(x => x.toFixed(1)).join(', ')}.

| server | stop window (journal; min–max) | archive step | total |
|---|---|---|---|
${row('plain stop → archive → start', summary.plain)}
${row('snapshot btrfs', summary.snapshot)}

Stop window ${summary.windowRatio.toFixed(1)}× shorter with the snapshot (target ≤ 1 s: DESIGN §10); total time
${summary.totalRatio.toFixed(2)}× the plain run's: besides the snapshot's create and delete, the archive reads the
snapshot's files, which btrfs caches apart from the data folder's (another subvolume), so
it reads them from the image where the plain run finds the data folder in the page cache.
${end}`;
    let text = fs.readFileSync(file, 'utf8');
    text = text.includes(start) ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), section) : `${text.trimEnd()}\n\n${section}\n`;
    fs.writeFileSync(file, text);
    console.log(`wrote the stop-window section of ${path.relative(process.cwd(), file)}`);
}
