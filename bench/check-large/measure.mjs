// Times one cold `backplan check` (a fresh Node process): wall time, CPU time (user+system)
// and peak RSS. CPU time is reported beside wall time because the machine may be shared:
// other processes stretch wall time much more than CPU time.
//
// Peak RSS comes from GNU time (`/usr/bin/time -f '%U %S %M'`, Debian package `time`) when it is
// installed, else from `process.resourceUsage().maxRSS` of the CLI process itself, written at
// exit by a preloaded hook (rss-hook.mjs). Wall time is measured here, around the spawn.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const GNU_TIME = '/usr/bin/time';

/** How peak RSS is measured on this machine. */
export const rssMethod = existsSync(GNU_TIME) ? 'GNU time (/usr/bin/time)' : 'process.resourceUsage().maxRSS (preloaded hook)';

/**
 * Runs `node <bin> <args…>` once. Returns { wallMs, cpuMs, rssMB, status, stdout, stderr }.
 */
export function measureOnce(bin, args, cwd) {
    const scratch = mkdtempSync(path.join(tmpdir(), 'backplan-bench-'));
    try {
        const rssFile = path.join(scratch, 'rss');
        let command, commandArgs;
        if (existsSync(GNU_TIME)) {
            command = GNU_TIME;
            commandArgs = ['-f', '%U %S %M', '-o', rssFile, process.execPath, bin, ...args];
        } else {
            command = process.execPath;
            commandArgs = ['--import', path.join(here, 'rss-hook.mjs'), bin, ...args];
        }
        const start = process.hrtime.bigint();
        const result = spawnSync(command, commandArgs, {
            cwd,
            encoding: 'utf8',
            maxBuffer: 256 * 1024 * 1024,
            env: { ...process.env, NO_COLOR: '1', BACKPLAN_BENCH_RSS_FILE: rssFile }
        });
        const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
        if (result.error) throw result.error;
        // GNU time writes "Command exited with non-zero status N" before the figure.
        const lines = existsSync(rssFile) ? readFileSync(rssFile, 'utf8').trim().split('\n') : [];
        const [user, system, rssKiB] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
        return {
            wallMs,
            cpuMs: (user + system) * 1000,
            rssMB: Number.isFinite(rssKiB) && rssKiB > 0 ? rssKiB / 1024 : NaN,
            status: result.status,
            stdout: result.stdout,
            stderr: result.stderr
        };
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
}

export function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
