/**
 * bench/parallel-ssh: Backplan over real sshd hosts on loopback (test/helpers/sshd.ts).
 *
 * 1. Three hosts holding equal data (~SIZE_MB each, mixed: small text files, compressible
 *    and incompressible large files). One runbook per schedule, whole CLI runs:
 *      rolling     one server at a time
 *      parallel 3  all three at once (each over its own multiplexed connection)
 *      single      each server alone (the slowest of the three is the floor for parallel)
 *    Targets: parallel ≤ 0.75× rolling wall (DESIGN §7), parallel ≤ 1.3× slowest single
 *    (issue 5).
 * 2. SSH backup throughput of one server, whole `backplan backup` against the DESIGN §7
 *    baseline `ssh h tar -cf - D | zstd -1 -T0 | tee F | sha256sum; sync`, same ssh config
 *    (key, known_hosts). Target ≤ 1.15× wall.
 * 3. The bare baseline pipeline of 2. on all three hosts, one after another and all at once,
 *    as DESIGN writes it (compressing here) and with the server compressing (Backplan's
 *    split): what this machine's cores give streams that do no per-file hashing,
 *    read-back, stop/start or journal (references for target 1, not targets).
 * Shell pipelines run under bash with pipefail, and `wait` is asked for each job, so a
 * failed ssh or tar is an error, never a fast time.
 * SSH_CIPHERS=aes128-gcm@openssh.com puts a `Ciphers` line first in the ssh config that
 * Backplan AND the baselines use (the choice docs/hosts.md leaves to the admin).
 * Alternating order, median of RUNS. Data lives in bench/.work/parallel-ssh (git-ignored,
 * reused). Writes bench/.work/parallel-ssh/results.json; WRITE_RESULTS=1 also replaces the
 * "parallel-ssh" section of bench/RESULTS.md.
 *
 *   npm run bench:ssh                   (RUNS=3 SIZE_MB=256 by default)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { LocalHost } from '../../packages/engine/out/hosts/local-host.js';
import { SshHost, makeControlDir, shCommand } from '../../packages/engine/out/hosts/ssh/index.js';
import { tarCreateArgs } from '../../packages/engine/out/hosts/tar-options.js';
import { SshdLab } from '../../test/helpers/sshd.js';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'packages/cli/dist/backplan.mjs');
const RUNS = Number(process.env.RUNS ?? 3);
const SIZE_MB = Number(process.env.SIZE_MB ?? 256);
const WORK = path.join(REPO, 'bench', '.work', 'parallel-ssh');
/** Where archives and the baseline's file go (OUT_DIR=/dev/shm/… takes the disk out). */
const OUT = process.env.OUT_DIR ?? WORK;
const DATA = path.join(WORK, `data-${SIZE_MB}`);
const HOSTS = ['h1', 'h2', 'h3'];

let lab: SshdLab;
/** The ssh config of every run: the lab's, with SSH_CIPHERS first when set. */
let sshConfig: string;

/** ~SIZE_MB of mixed data: 20% small text files, 30% compressible, 50% incompressible. */
function makeData(): void {
    if (fs.existsSync(path.join(DATA, '.complete'))) return;
    fs.rmSync(DATA, { recursive: true, force: true });
    const total = SIZE_MB * 1024 * 1024;
    let seed = 1;
    const words = ['mail', 'catalog', 'folder', 'engineering', 'sales', 'backup', 'server', 'replica', 'From:', 'Subject:'];
    const text = (n: number): string => {
        const parts: string[] = [];
        let len = 0;
        while (len < n) { seed = (seed * 1103515245 + 12345) >>> 0; const w = words[seed % words.length] + (seed % 97); parts.push(w); len += w.length + 1; }
        return parts.join(' ').slice(0, n);
    };
    for (let i = 0, made = 0; made < total * 0.2; i++) {
        const dir = path.join(DATA, 'mail', `box-${i % 20}`, 'cur');
        fs.mkdirSync(dir, { recursive: true });
        const size = 1024 + ((i * 7919) % 15360);
        fs.writeFileSync(path.join(dir, `msg-${i}.eml`), text(size));
        made += size;
    }
    fs.mkdirSync(path.join(DATA, 'large'), { recursive: true });
    const chunk = 8 << 20;
    const compressible = Buffer.from(text(chunk));
    for (let i = 0, made = 0; made < total * 0.3; i++, made += chunk) fs.writeFileSync(path.join(DATA, 'large', `catalog-${i}.db`), compressible);
    for (let i = 0, made = 0; made < total * 0.5; i++, made += chunk) fs.writeFileSync(path.join(DATA, 'large', `attach-${i}.bin`), randomBytes(chunk));
    fs.writeFileSync(path.join(DATA, '.complete'), '');
}

/** Each host's data folder: hard-linked copies of DATA (equal data, one page cache). */
function hostData(host: string): string {
    const dir = path.join(WORK, `host-${host}-${SIZE_MB}`);
    if (!fs.existsSync(dir)) execFileSync('cp', ['-al', DATA, dir]);
    return dir;
}

function runbook(name: string, servers: string[], schedule: string): string {
    const file = path.join(WORK, `${name}.backplan`);
    const lines = [`tape T { at "${path.join(OUT, 'tape', name)}" }`];
    for (const h of servers) {
        lines.push(`server S${h} { role mail host "${lab.host(h).url}" data "${hostData(h)}" stop "true" start "true" }`);
    }
    lines.push(`backup B { servers ${servers.map(h => `S${h}`).join(', ')} to T ${schedule} }`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
}

function timed(fn: () => void): number {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / 1e9;
}

function backplan(file: string): number {
    fs.rmSync(path.join(OUT, 'tape'), { recursive: true, force: true });
    return timed(() => {
        const r = spawnSync(process.execPath, [CLI, 'backup', file, '--ssh-config', sshConfig, '--state', path.join(WORK, 'state')], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`backplan backup ${file} failed: ${r.stderr}`);
    });
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error('build first: npm run build');
    fs.mkdirSync(WORK, { recursive: true });
    makeData();
    lab = await SshdLab.start({ hosts: HOSTS });
    sshConfig = lab.configFile;
    if (process.env.SSH_CIPHERS) {
        sshConfig = path.join(WORK, 'ssh_config');
        fs.writeFileSync(sshConfig, `Ciphers ${process.env.SSH_CIPHERS}\n\n${fs.readFileSync(lab.configFile, 'utf8')}`);
    }
});

afterAll(async () => {
    await lab?.stop();
});

/** Seconds to drain SshHost.tarOut (the SSH layer alone, no archive writer). */
async function sshLayer(h: string): Promise<number> {
    const controlDir = makeControlDir();
    const host = new SshHost({ user: lab.user, hostname: lab.host(h).address, port: lab.host(h).port }, { configFile: sshConfig, controlDir });
    await host.checkTools();
    const t = process.hrtime.bigint();
    const out = host.tarOut(hostData(h));
    for await (const chunk of out.stream) void chunk;
    await out.done;
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    await host.close();
    fs.rmSync(controlDir, { recursive: true, force: true });
    return s;
}

/** CPU time stolen by the hypervisor so far (/proc/stat, jiffies), and all CPU time. */
function cpuTimes(): { steal: number; total: number } {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
}

test('parallel-ssh', async () => {
    const loadStart = loadavg();
    const cpuStart = cpuTimes();
    const bytes = Number(execFileSync('du', ['-sb', DATA]).toString().split('\t')[0]);
    execFileSync('sh', ['-c', `tar -cf - -C ${q(DATA)} . > /dev/null`]); // warm the page cache
    const files = {
        rolling: runbook('rolling', HOSTS, 'rolling'),
        parallel: runbook('parallel', HOSTS, 'parallel 3'),
        single: HOSTS.map(h => runbook(`single-${h}`, [h], 'rolling'))
    };
    fs.mkdirSync(OUT, { recursive: true });
    const baselineOut = path.join(OUT, 'baseline.tar.zst');
    const h1 = lab.host('h1');
    /**
     * The DESIGN §7 baseline pipeline for one host, without its trailing sync; `onServer`
     * moves zstd to the server (Backplan's split when the server has zstd).
     */
    const pipeline = (h: string, out: string, onServer = false): string => {
        const host = lab.host(h);
        const tar = `tar -cf - -C ${q(hostData(h))} .`;
        return `ssh -F ${q(sshConfig)} -p ${host.port} ${lab.user}@${host.address} ${q(onServer ? `${tar} | zstd -1 -T0 -q` : tar)}`
            + `${onServer ? '' : ' | zstd -1 -T0 -q'} | tee ${q(out)} | sha256sum > /dev/null`;
    };
    const baselineCmd = `${pipeline('h1', baselineOut)}; sync`;
    // The bare pipelines' own rolling/parallel pairs: what 2 cores give streams with no
    // per-file hashes, read-back or stop/start.
    const bareOut = (h: string): string => path.join(OUT, `bare-${h}.tar.zst`);
    const bare = (onServer: boolean): { rolling: string; parallel: string } => ({
        rolling: `${HOSTS.map(h => pipeline(h, bareOut(h), onServer)).join(' && ')} && sync`,
        parallel: `${HOSTS.map((h, i) => `(${pipeline(h, bareOut(h), onServer)}) & p${i}=$!;`).join(' ')} ${HOSTS.map((_, i) => `wait $p${i}`).join(' && ')} && sync`
    });
    /** Runs a pipeline under bash with pipefail; returns its wall time. */
    const shell = (cmd: string): number => timed(() => execFileSync('bash', ['-c', `set -o pipefail; ${cmd}`], { stdio: ['ignore', 'ignore', 'inherit'] }));
    /** One bare pair, in the run's order, from empty output files. */
    const barePair = (onServer: boolean, first: 'rolling' | 'parallel'): { rolling: number; parallel: number } => {
        const cmds = bare(onServer);
        const t: { rolling: number; parallel: number } = { rolling: 0, parallel: 0 };
        for (const which of first === 'rolling' ? ['rolling', 'parallel'] as const : ['parallel', 'rolling'] as const) {
            for (const h of HOSTS) fs.rmSync(bareOut(h), { force: true });
            t[which] = shell(cmds[which]);
        }
        return t;
    };
    // The same tar command line Backplan runs, so this pair isolates the SSH transport.
    const tarLine = shCommand(['tar', ...tarCreateArgs(hostData('h1'), await new LocalHost().checkTools())]);
    const rawCmd = `ssh -F ${q(sshConfig)} -p ${h1.port} ${lab.user}@${h1.address} ${q(tarLine)} > /dev/null`;
    const s: Record<string, number[]> = {
        rolling: [], parallel: [], slowestSingle: [], baseline: [], single: [], rawSsh: [], sshLayer: [],
        bareRolling: [], bareParallel: [], bareServerRolling: [], bareServerParallel: []
    };
    for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? ['rolling', 'parallel', 'single', 'baseline', 'raw', 'layer', 'bare'] : ['bare', 'layer', 'raw', 'baseline', 'single', 'parallel', 'rolling'];
        for (const what of order) {
            if (what === 'raw') s.rawSsh.push(shell(rawCmd));
            if (what === 'layer') s.sshLayer.push(await sshLayer('h1'));
            if (what === 'bare') {
                const first = i % 2 === 0 ? 'rolling' : 'parallel';
                const here = barePair(false, first);
                const there = barePair(true, first);
                s.bareRolling.push(here.rolling);
                s.bareParallel.push(here.parallel);
                s.bareServerRolling.push(there.rolling);
                s.bareServerParallel.push(there.parallel);
            }
            if (what === 'rolling') s.rolling.push(backplan(files.rolling));
            if (what === 'parallel') s.parallel.push(backplan(files.parallel));
            if (what === 'single') {
                const each = files.single.map(f => backplan(f));
                s.slowestSingle.push(Math.max(...each));
                s.single.push(each[0]);
            }
            if (what === 'baseline') s.baseline.push(shell(baselineCmd));
        }
        process.stderr.write(`run ${i + 1}/${RUNS}: ssh layer ${s.sshLayer.at(-1)!.toFixed(2)} s vs raw ssh ${s.rawSsh.at(-1)!.toFixed(2)} s; rolling ${s.rolling.at(-1)!.toFixed(2)} s, parallel 3 ${s.parallel.at(-1)!.toFixed(2)} s, slowest single ${s.slowestSingle.at(-1)!.toFixed(2)} s; one server ${s.single.at(-1)!.toFixed(2)} s vs baseline ${s.baseline.at(-1)!.toFixed(2)} s; bare pipeline 3 in a row / at once ${s.bareRolling.at(-1)!.toFixed(2)} / ${s.bareParallel.at(-1)!.toFixed(2)} s, compressing on the server ${s.bareServerRolling.at(-1)!.toFixed(2)} / ${s.bareServerParallel.at(-1)!.toFixed(2)} s\n`);
    }
    const m = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, median(v)])) as Record<string, number>;
    const summary = {
        date: new Date().toISOString(), dataBytesPerHost: bytes, runs: RUNS, cores: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown CPU', medians: m,
        parallelVsRolling: m.parallel / m.rolling,
        parallelVsSlowestSingle: m.parallel / m.slowestSingle,
        sshBackupVsBaseline: m.single / m.baseline,
        sshLayerVsRawSsh: m.sshLayer / m.rawSsh,
        bareParallelVsRolling: m.bareParallel / m.bareRolling,
        bareServerParallelVsRolling: m.bareServerParallel / m.bareServerRolling,
        samples: s
    };
    fs.writeFileSync(path.join(WORK, 'results.json'), JSON.stringify(summary, null, 2));
    const mib = (n: number): string => (n / 1024 / 1024).toFixed(0);
    const ok = (v: number, target: number): string => (v <= target ? 'meets' : 'MISSES');
    const report = [
        `data: 3 hosts × ${mib(bytes)} MiB (mixed), loopback sshd (${process.env.SSH_CIPHERS ? `Ciphers ${process.env.SSH_CIPHERS}` : 'OpenSSH\'s default ciphers'}), archives in ${OUT === WORK ? 'bench/.work (disk)' : OUT}, ${summary.cores} cores (${summary.cpu}); median of ${RUNS}`,
        `load average ${loadStart.map(x => x.toFixed(1)).join(' ')} at start, ${loadavg().map(x => x.toFixed(1)).join(' ')} at end; CPU time stolen by the hypervisor during the bench: ${(100 * (cpuTimes().steal - cpuStart.steal) / Math.max(1, cpuTimes().total - cpuStart.total)).toFixed(1)}%`,
        `rolling ${m.rolling.toFixed(2)} s  parallel 3 ${m.parallel.toFixed(2)} s  slowest single ${m.slowestSingle.toFixed(2)} s`,
        `parallel/rolling ${summary.parallelVsRolling.toFixed(2)}× (target ≤ 0.75×: ${ok(summary.parallelVsRolling, 0.75)}); parallel/slowest single ${summary.parallelVsSlowestSingle.toFixed(2)}× (target ≤ 1.3×: ${ok(summary.parallelVsSlowestSingle, 1.3)})`,
        `ssh backup of one server: backplan ${m.single.toFixed(2)} s (${mib(bytes / m.single)} MiB/s)  baseline ${m.baseline.toFixed(2)} s (${mib(bytes / m.baseline)} MiB/s)  ratio ${summary.sshBackupVsBaseline.toFixed(2)}× (target ≤ 1.15×: ${ok(summary.sshBackupVsBaseline, 1.15)})`,
        `the bare baseline pipeline on the same 3 hosts (no per-file hashes, read-back, stop/start or journal), 3 in a row vs 3 at once: as DESIGN writes it ${m.bareRolling.toFixed(2)} s vs ${m.bareParallel.toFixed(2)} s = ${summary.bareParallelVsRolling.toFixed(2)}×; compressing on the server ${m.bareServerRolling.toFixed(2)} s vs ${m.bareServerParallel.toFixed(2)} s = ${summary.bareServerParallelVsRolling.toFixed(2)}×`,
        `ssh layer alone: SshHost.tarOut drained ${m.sshLayer.toFixed(2)} s vs \`ssh h 'tar <the same flags>' > /dev/null\` ${m.rawSsh.toFixed(2)} s: ${summary.sshLayerVsRawSsh.toFixed(2)}×`
    ];
    console.log(report.join('\n'));
    if (process.env.WRITE_RESULTS === '1') writeResults(summary, report);
});

/**
 * Replaces the "latest run" block of bench/RESULTS.md's parallel-ssh section (the prose
 * and the table of earlier runs around it are kept by hand).
 */
function writeResults(summary: { date: string; runs: number }, report: string[]): void {
    const file = path.join(REPO, 'bench', 'RESULTS.md');
    const start = '<!-- parallel-ssh:latest:start -->';
    const end = '<!-- parallel-ssh:latest:end -->';
    const block = `${start}
Latest \`WRITE_RESULTS=1 npm run bench:ssh\` (${summary.date.slice(0, 16).replace('T', ' ')} UTC, ${SIZE_MB} MiB per host, median of ${summary.runs}):

\`\`\`
${report.join('\n')}
\`\`\`
${end}`;
    const text = fs.readFileSync(file, 'utf8');
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    const sectionEnd = text.indexOf('<!-- parallel-ssh:end -->');
    if (a >= 0 && b > a) fs.writeFileSync(file, text.slice(0, a) + block + text.slice(b + end.length));
    else if (sectionEnd >= 0) fs.writeFileSync(file, `${text.slice(0, sectionEnd)}${block}\n${text.slice(sectionEnd)}`);
    else fs.writeFileSync(file, `${text.trimEnd()}\n\n## parallel-ssh\n\n${block}\n`);
}
