/**
 * Drills across three real sshd hosts through the built CLI (`node packages/cli/bin/
 * backplan.js VERB RUNBOOK --ssh-config FILE`): backup and verify; an unreachable host
 * (fails alone, the others are backed up);
 * a host lost between pre-flight and its turn; sshd killed mid-stream; remote tar
 * missing; a remote data path with odd names. Needs `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, Drill, type DrillServer } from '../helpers/sshd-drill.js';
import { SshdLab, freePort, sshdSkip, sshdSuiteName } from '../helpers/sshd.js';

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

const ODD_FILES = ['with space', "single'quote", 'double"quote', '$(touch PWNED-drill)', '`touch PWNED-tick`', 'new\nline', 'ünï 日本'];

const THREE: DrillServer[] = [
    { name: 'Mail1', host: 'mail1', role: 'mail', data: 'srv/mail' },
    { name: 'Cat1', host: 'cat1', role: 'catalog master', data: 'srv/catalog' },
    { name: 'Cat2', host: 'cat2', role: 'catalog', data: 'srv/catalog' }
];
const FOLDERS = [{ name: 'Engineering', on: ['Cat1', 'Cat2'] }, { name: 'Sales', on: ['Cat1', 'Cat2'], path: 'Sales Dept' }];

function fill(drill: Drill, server: string, files: Record<string, string | Buffer>): void {
    const base = drill.dataPath(drill.server(server));
    for (const [rel, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
        writeFileSync(path.join(base, rel), content);
    }
}

/** Live ssh master processes (`ssh: /tmp/bp-ssh-…/hNNN.<pid base 36> [mux]`) and sockets a process opened. */
function sshMastersOf(pid: number): string[] {
    const tag = `.${pid.toString(36)}`;
    const found: string[] = [];
    for (const p of readdirSync('/proc').filter(e => /^\d+$/.test(e))) {
        try {
            const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
            if (cmd.includes('[mux]') && cmd.includes(tag)) found.push(cmd.trim());
        } catch { /* gone */ }
    }
    for (const dir of readdirSync(tmpdir()).filter(e => e.startsWith('bp-ssh-'))) {
        try {
            found.push(...readdirSync(path.join(tmpdir(), dir)).filter(f => f.endsWith(tag)).map(f => path.join(tmpdir(), dir, f)));
        } catch { /* gone */ }
    }
    return found;
}

/** Archive files (committed or not) on the drill's tape. */
/** A PATH folder of links to every tool in /usr/bin and /bin except those matching `hide`. */
function binWithout(dir: string, hide: RegExp): string {
    mkdirSync(dir, { recursive: true });
    for (const from of ['/usr/bin', '/bin']) {
        for (const name of readdirSync(from)) {
            if (!hide.test(name) && !existsSync(path.join(dir, name))) symlinkSync(path.join(from, name), path.join(dir, name));
        }
    }
    return dir;
}

/** A PATH folder whose `zstd` logs its arguments to ZSTD.log beside it, then runs the real one. */
function loggingZstdBin(dir: string): string {
    binWithout(dir, /^zstd$/);
    const real = execFileSync('sh', ['-c', 'command -v zstd'], { encoding: 'utf8' }).trim();
    writeFileSync(path.join(dir, 'zstd'), `#!/bin/sh\necho "$*" >> '${path.join(dir, 'ZSTD.log')}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    return dir;
}

/** Bytes of a server's archive written so far (its in-flight temporary file on the tape). */
function streamed(drill: Drill, server: string): number {
    const dir = path.join(drill.tape, 'archives');
    if (!existsSync(dir)) return 0;
    return readdirSync(dir).filter(n => n.startsWith('.tmp-') && n.includes(`-${server}-`))
        .reduce((n, f) => { try { return n + statSync(path.join(dir, f)).size; } catch { return n; } }, 0);
}

function tapeFiles(drill: Drill): string[] {
    const out: string[] = [];
    const walk = (d: string): void => {
        if (!existsSync(d)) return;
        for (const e of readdirSync(d, { withFileTypes: true })) {
            if (e.isDirectory()) walk(path.join(d, e.name)); else out.push(path.relative(drill.tape, path.join(d, e.name)));
        }
    };
    walk(drill.tape);
    return out;
}

describe.skipIf(sshdSkip)(sshdSuiteName('SSH drills through the CLI (three sshd hosts)'), () => {
    let lab: SshdLab;
    let work: string;
    let n = 0;
    const newDrill = (options: ConstructorParameters<typeof Drill>[2]): Drill => new Drill(lab, path.join(work, `drill-${++n}`), options);

    /** A drill whose Cat1 is reached through the throttling proxy (its archive takes seconds). */
    const throttledDrill = (extra: Partial<ConstructorParameters<typeof Drill>[2]> = {}): Drill => {
        const config = path.join(work, `throttled_config_${n + 1}`);
        writeFileSync(config, `Host ${lab.host('cat1').address}\n  ProxyCommand ${process.execPath} ${path.join(__dirname, 'throttle-proxy.mjs')} %h %p 4000000\n\n`
            + readFileSync(lab.configFile, 'utf8'));
        const d = newDrill({ servers: THREE, folders: FOLDERS, sshConfig: config, ...extra });
        fill(d, 'Mail1', { 'cur/1.eml': 'one\n' });
        fill(d, 'Cat1', { 'Engineering/big': randomBytes(24 << 20), 'Sales Dept/b': 'b\n' });
        fill(d, 'Cat2', { 'Engineering/a': 'a\n' });
        return d;
    };

    /** Waits for a condition; after 30 s the test fails here, not at a later, puzzling check. */
    const waitFor = async (what: () => boolean): Promise<void> => {
        const deadline = Date.now() + 30_000;
        while (!what()) {
            if (Date.now() > deadline) throw new Error(`waited 30 s in vain for: ${what.toString()}`);
            await sleep(50);
        }
    };

    beforeAll(async () => {
        if (!existsSync(CLI.replace(/bin\/backplan\.js$/, 'dist/backplan.mjs'))) throw new Error('build the CLI first: npm run build');
        work = mkdtempSync(path.join(tmpdir(), 'bp-drill-'));
        lab = await SshdLab.start({
            hosts: ['mail1', 'cat1', 'cat2', 'notar', 'nozstd', 'logzstd'],
            remotePath: { notar: '/nonexistent-backplan-bin', nozstd: binWithout(path.join(work, 'bin-nozstd'), /zstd/), logzstd: loggingZstdBin(path.join(work, 'bin-logzstd')) }
        });
    });

    afterAll(async () => {
        await lab?.stop();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    test('backup then verify, three ssh hosts, rolling: every application stopped and started once', async () => {
        const d = newDrill({ servers: THREE, folders: FOLDERS });
        fill(d, 'Mail1', { 'cur/1.eml': 'mail one\n', 'new/2.eml': 'mail two\n' });
        fill(d, 'Cat1', { 'Engineering/a.ldif': 'eng\n', 'Sales Dept/b.ldif': 'sales\n' });
        fill(d, 'Cat2', { 'Engineering/a.ldif': 'eng\n', 'Sales Dept/b.ldif': 'sales\n' });
        let pid = 0;
        const r = await d.cli('backup', ['--format', 'json'], {}, p => { pid = p; });
        expect(r.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
        expect(r.code, r.stderr).toBe(0);
        // Every master connection of the run was closed (ssh -O exit) and its socket folder removed.
        expect(sshMastersOf(pid)).toEqual([]);
        for (const s of THREE) {
            expect(d.appLog(s.name)).toEqual([`stopped stop ${s.name}`, `running start ${s.name}`]);
        }
        const v = await d.cli('verify');
        expect(v.code, v.stdout + v.stderr).toBe(0);
        const listed = await d.cli('archives', ['--format', 'json']);
        expect(listed.code).toBe(0);
        for (const s of THREE) expect(listed.stdout).toContain(s.name);
    });

    test('zstd on the host: tar | zstd runs there (compressed bytes cross the network); a host without zstd is compressed here; both verify', async () => {
        const servers: DrillServer[] = [{ name: 'MailH', host: 'logzstd', role: 'mail', data: 'srv/mail-h' }, { name: 'MailZ', host: 'nozstd', role: 'mail', data: 'srv/mail-z' }];
        const d = newDrill({ servers });
        const files = { 'cur/1.eml': 'one\n'.repeat(5000), 'big.bin': randomBytes(3 << 20), 'dir $(touch PWNED-z)/x': 'x\n' };
        const zstdLog = path.join(work, 'bin-logzstd', 'ZSTD.log');
        rmSync(zstdLog, { force: true });
        fill(d, 'MailH', files);
        fill(d, 'MailZ', files);
        const r = await d.cli('backup');
        expect(r.code, r.stderr).toBe(0);
        const manifests = tapeFiles(d).filter(f => f.endsWith('.manifest.json')).map(f => JSON.parse(readFileSync(path.join(d.tape, f), 'utf8')));
        const of = (name: string): { tools: { compressor: string }; archive: { compression: string }; entries: Array<{ path: string; sha256?: string }> } => manifests.find(m => m.server === name);
        expect(of('MailH').tools.compressor).toMatch(new RegExp(`^Zstandard CLI .* \\(on ssh://${lab.user}@${lab.host('logzstd').address.replace(/\./g, '\\.')}:\\d+\\)$`));
        // The server's own zstd compressed the stream (not only the label says so).
        expect(readFileSync(zstdLog, 'utf8').split('\n')).toContain('-1 -T0 -q -c');
        expect(of('MailZ').tools.compressor).toMatch(/^Zstandard CLI /);
        expect(of('MailZ').tools.compressor).not.toMatch(/\(on ssh:/);
        for (const name of ['MailH', 'MailZ']) {
            expect(of(name).archive.compression).toBe('zstd');
            const big = of(name).entries.find(e => e.path === 'big.bin');
            expect(big?.sha256).toBe(createHash('sha256').update(files['big.bin']).digest('hex'));
        }
        const v = await d.cli('verify');
        expect(v.code, v.stdout + v.stderr).toBe(0);
        expect(v.stdout).toMatch(/2 archives verified/);
    });

    test('parallel 3 runs the three hosts at once over their own connections; rolling one at a time', async () => {
        const servers: DrillServer[] = [
            { name: 'MailA', host: 'mail1', role: 'mail', data: 'srv/mail-a' },
            { name: 'MailB', host: 'cat1', role: 'mail', data: 'srv/mail-b' },
            { name: 'MailC', host: 'cat2', role: 'mail', data: 'srv/mail-c' }
        ];
        for (const schedule of ['parallel 3', 'rolling'] as const) {
            const shared = path.join(work, `order-${schedule.replace(' ', '-')}.log`);
            const d = newDrill({ servers, schedule, sharedLog: shared, stopSleep: 1 });
            for (const s of servers) fill(d, s.name, { 'cur/1.eml': `${s.name}\n` });
            const r = await d.cli('backup', ['--format', 'json']);
            expect(r.code, r.stderr).toBe(0);
            const order = readFileSync(shared, 'utf8').trim().split('\n').map(l => l.split(' ')[0]);
            if (schedule === 'rolling') expect(order).toEqual(['stop', 'start', 'stop', 'start', 'stop', 'start']);
            else expect(order).toEqual(['stop', 'stop', 'stop', 'start', 'start', 'start']);
        }
    });

    test('an unreachable host fails alone with a clear reason, in pre-flight, never stopped; the others are backed up; exit 1', async () => {
        const port = await freePort('127.0.0.9');
        const servers: DrillServer[] = [THREE[0], THREE[1], { name: 'Cat2', host: 'unreachable', role: 'catalog', data: 'srv/catalog' }];
        const d = newDrill({ servers, folders: FOLDERS, unreachablePort: port });
        fill(d, 'Mail1', { 'cur/1.eml': 'one\n' });
        fill(d, 'Cat1', { 'Engineering/a': 'a\n' });
        const t0 = Date.now();
        const r = await d.cli('backup');
        expect(r.code).toBe(1);
        expect(Date.now() - t0).toBeLessThan(15_000);
        const url = `ssh://${lab.user}@127.0.0.9:${port}`;
        const reason = /Cat2: skipped, never stopped: (ssh:\/\/\S+) cannot be reached: connection refused by 127\.0\.0\.9 port \d+: no SSH server listens there/;
        expect(r.stderr).toMatch(reason);
        expect(reason.exec(r.stderr)![1]).toBe(url);
        expect(r.stderr.match(/Cat2: skipped.*/)![0].split('ssh://').length - 1, 'the URL is said once').toBe(1);
        expect(r.stdout).toMatch(/FAILED +Cat2 → tape Vault: skipped in pre-flight, never stopped: ssh:\/\/\S+ cannot be reached: connection refused/);
        expect(d.appLog('Cat2')).toEqual([]);
        for (const name of ['Mail1', 'Cat1']) expect(d.appLog(name)).toEqual([`stopped stop ${name}`, `running start ${name}`]);
        const listed = await d.cli('archives', ['--format', 'json']);
        expect(listed.stdout).toContain('Mail1');
        expect(listed.stdout).toContain('Cat1');
        expect(listed.stdout).not.toMatch(/"server": "Cat2"/);
    });

    test('a host lost after pre-flight fails alone with a clear message; the others are backed up; exit 1', async () => {
        // Mail1's stop takes cat2's sshd down (crash: listener and connections) before Cat2's turn.
        const kill = `kill -9 $(cat '${lab.host('cat2').pidFile}') $(ps -o pid= --ppid $(cat '${lab.host('cat2').pidFile}'))`;
        const d = newDrill({ servers: THREE, folders: FOLDERS, onStop: { Mail1: kill } });
        fill(d, 'Mail1', { 'cur/1.eml': 'one\n' });
        fill(d, 'Cat1', { 'Engineering/a': 'a\n' });
        fill(d, 'Cat2', { 'Engineering/a': 'a\n' });
        try {
            const r = await d.cli('backup', ['--format', 'json'], { BACKPLAN_SSH_RETRIES: '2' });
            expect(r.code, r.stderr).toBe(1);
            expect(d.appLog('Mail1')).toEqual(['stopped stop Mail1', 'running start Mail1']);
            expect(d.appLog('Cat1')).toEqual(['stopped stop Cat1', 'running start Cat1']);
            expect(d.appLog('Cat2')).toEqual([]);
            expect(r.stdout + r.stderr).toMatch(/Cat2.*(connection refused|connection was lost)/);
            const listed = await d.cli('archives', ['--format', 'json']);
            expect(listed.stdout).toContain('Mail1');
            expect(listed.stdout).toContain('Cat1');
            expect(listed.stdout).not.toMatch(/"server": "Cat2"/);
        } finally {
            await lab.startHost('cat2');
        }
    });

    test('sshd killed mid-stream: the partial archive is never committed, the application is started after reconnecting; exit 1', async () => {
        // cat1 is reached through a throttling ProxyCommand (4 MB/s), so its archive takes seconds.
        const d = throttledDrill();
        let progress = '';
        const run = d.cli('backup', ['--format', 'json'], {}, undefined, text => { progress = text; });
        // Wait until Cat1's archive streams (bytes on the tape), then crash its sshd; start it
        // again once the runner has noticed and backs off to reconnect for the start.
        await waitFor(() => d.appState('Cat1') === 'stopped' && streamed(d, 'Cat1') >= 1 << 20);
        lab.killHost('cat1');
        await waitFor(() => /reconnecting in/.test(progress));
        await lab.startHost('cat1');
        const r = await run;
        expect(r.code, r.stderr).toBe(1);
        const result = JSON.parse(r.stdout) as { servers: Array<{ server: string; ok: boolean; started?: boolean; error?: string }> };
        const cat1 = result.servers.find(s => s.server === 'Cat1')!;
        expect(cat1.ok).toBe(false);
        expect(cat1.error).toMatch(/archive failed: .*connection was lost/);
        expect(cat1.started).toBe(true);
        expect(d.appLog('Cat1')).toEqual(['stopped stop Cat1', 'running start Cat1']);
        expect(d.appState('Cat1')).toBe('running');
        expect(r.stderr).toMatch(/reconnecting in/);
        for (const name of ['Mail1', 'Cat2']) expect(result.servers.find(s => s.server === name)?.ok, `${name}: ${JSON.stringify(result.servers)}\nstderr:\n${r.stderr}`).toBe(true);
        // Cat1's partial archive is never committed and leaves nothing on the tape.
        expect(tapeFiles(d).filter(f => f.includes('Cat1'))).toEqual([]);
        const listed = await d.cli('archives', ['--format', 'json']);
        expect(listed.stdout).not.toContain('Cat1');
    });

    test('Ctrl-C (SIGINT) while an ssh archive streams: the application is started again, nothing is committed', async () => {
        const d = throttledDrill();
        let pid = 0;
        const run = d.cli('backup', ['--format', 'json'], {}, p => { pid = p; });
        await waitFor(() => d.appState('Cat1') === 'stopped' && streamed(d, 'Cat1') >= 1 << 20);
        expect(pid).toBeGreaterThan(0);
        process.kill(pid, 'SIGINT');
        const r = await run;
        // Exit 0 right after the SIGINT notice with Cat1 left stopped was a CLI that turned
        // every SIGPIPE into exit(0) (the abort kills zstd while the writer writes into it).
        expect(r.code, `the CLI exited ${r.code} after SIGINT; stderr:\n${r.stderr}`).not.toBe(0);
        expect(d.appLog('Cat1')).toEqual(['stopped stop Cat1', 'running start Cat1']);
        expect(d.appLog('Cat2')).toEqual([]);
        expect(tapeFiles(d).filter(f => f.includes('Cat1') && f.endsWith('.json'))).toEqual([]);
    });

    // Issue 5 "done when": no network failure leaves an application stopped once the host
    // is reachable again: the next command on the runbook starts every application whose
    // start did not complete, in runs that ended too (journal/recovery.ts).
    test('a start that failed because the host stayed down is done by the next command once the host is back', async () => {
        const d = throttledDrill();
        const run = d.cli('backup', ['--format', 'json'], { BACKPLAN_SSH_RETRIES: '2' });
        await waitFor(() => d.appState('Cat1') === 'stopped' && streamed(d, 'Cat1') >= 1 << 20);
        lab.killHost('cat1');
        try {
            const r = await run;
            expect(r.code).toBe(1);
            expect(d.appState('Cat1')).toBe('stopped');
        } finally {
            await lab.startHost('cat1');
        }
        const next = await d.cli('history');
        expect(next.stderr).toMatch(/left applications stopped \(their start did not complete\); starting them again: Cat1/);
        expect(d.appState('Cat1')).toBe('running');
        expect(d.appLog('Cat1')).toEqual(['stopped stop Cat1', 'running start Cat1']);
        // Done once: the command after that has nothing to start.
        expect((await d.cli('history')).stderr).not.toMatch(/starting them again/);
        expect(d.appLog('Cat1')).toHaveLength(2);
    });

    test('remote tar missing: a clear error in pre-flight, that server never stopped, the other backed up; exit 1', async () => {
        const servers: DrillServer[] = [THREE[1], { name: 'Cat9', host: 'notar', role: 'catalog', data: 'srv/catalog' }];
        const d = newDrill({ servers, folders: [{ name: 'Engineering', on: ['Cat1', 'Cat9'] }] });
        fill(d, 'Cat1', { 'Engineering/a': 'a\n' });
        const r = await d.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/Cat9: skipped, never stopped: tar was not found on ssh:\/\/\S+/);
        expect(d.appLog('Cat9')).toEqual([]);
        expect(d.appLog('Cat1')).toEqual(['stopped stop Cat1', 'running start Cat1']);
        // With --fail-fast the finding stops nothing at all.
        const ff = await d.cli('backup', ['--fail-fast']);
        expect(ff.code).toBe(1);
        expect(ff.stderr).toMatch(/pre-flight failed, nothing was stopped \(--fail-fast\): Cat9: tar was not found/);
        expect(d.appLog('Cat1')).toHaveLength(2);
    });

    test('a remote data path and file names with spaces, quotes, $(…), newlines: backed up, verified, nothing executed', async () => {
        const servers: DrillServer[] = [{ name: 'Odd', host: 'cat1', role: 'mail', data: `srv/odd $(touch PWNED-path) 'q' ü` }];
        const d = newDrill({ servers });
        fill(d, 'Odd', Object.fromEntries(ODD_FILES.map((f, i) => [`dir ${f}/${f}`, `content ${i}\n`])));
        const r = await d.cli('backup', ['--format', 'json']);
        expect(r.code, r.stderr).toBe(0);
        expect((await d.cli('verify')).code).toBe(0);
        const manifests = tapeFiles(d).filter(f => f.endsWith('.json') && f.includes('Odd'));
        const text = manifests.map(f => readFileSync(path.join(d.tape, f), 'utf8')).join('\n');
        for (const f of ODD_FILES) expect(text).toContain(JSON.stringify(`dir ${f}/${f}`));
        const pwned = execFileSync('find', [work, lab.dir, process.env.HOME ?? '/root', '-maxdepth', '6', '-name', 'PWNED*', '-newer', d.runbook], { encoding: 'utf8' })
            .split('\n').filter(l => l !== '' && !l.includes('/dir ') && !l.includes('odd $('));
        expect(pwned).toEqual([]);
    });

    // restore from tape / from a replica and recover over ssh: ssh-restore-drills.test.ts
});
