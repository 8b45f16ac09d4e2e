/**
 * A restore lab on real files: servers (data folders run by fixtures/event-app.mjs),
 * a tape, a state folder and a runbook, all in one temporary folder (the shared lab,
 * test/helpers/lab.ts); helpers to build rich trees, take byte-for-byte snapshots, read
 * the stop/start log, and forge archives (with manifests that match) for the hostile-archive drills.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TarScanner } from '../../packages/engine/out/archive/tar-scanner.js';
import { RunbookLab } from '../helpers/lab.js';
import { tempTree } from '../helpers/temp-tree.js';

export const APP = path.join(__dirname, 'fixtures', 'event-app.mjs');

export interface LabServer { name: string; role: 'mail' | 'catalog'; master?: boolean; folders?: string[] }

/**
 * The shared lab (test/helpers/lab.ts) with servers run by fixtures/event-app.mjs: data
 * folders ROOT/servers/NAME/data dir (a space, to prove quoting), the tape Tape (keep last
 * 5), one backup per list in `backups`, and every stop and start logged to ROOT/events.log.
 */
export class Lab extends RunbookLab {
    readonly events: string;

    constructor(readonly servers: LabServer[], folders: Array<{ name: string; on: string[]; path?: string }>, backups: string[][] = [servers.map(s => s.name)]) {
        super(tempTree({}, 'backplan-restore-'));
        this.events = path.join(this.root, 'events.log');
        this.env = { EVENTS: this.events };
        const app = `${JSON.stringify(process.execPath).slice(1, -1)} ${APP}`;
        const lines = [`tape Tape { at "${this.tape}" keep last 5 }`];
        for (const s of servers) {
            lines.push(`server ${s.name} { role ${s.role}${s.master ? ' master' : ''} host local data "${this.data(s.name)}" stop "${app} stop" start "${app} start" }`);
            fs.mkdirSync(this.data(s.name), { recursive: true });
        }
        for (const f of folders) lines.push(`folder ${f.name} on ${f.on.join(', ')}${f.path ? ` { path "${f.path}" }` : ''}`);
        backups.forEach((b, i) => { if (b.length) lines.push(`backup B${i} { servers ${b.join(', ')} to Tape schedule "0 2 * * *" }`); });
        this.write(lines.join('\n') + '\n');
    }

    override data(server: string): string {
        return path.join(this.root, 'servers', server.toLowerCase(), 'data dir');
    }

    app(verb: 'start' | 'stop' | 'status', server: string): number {
        const r = spawnSync(process.execPath, [APP, verb, this.data(server), server], { env: { ...process.env, ...this.env } });
        return r.status ?? 1;
    }

    running(server: string): boolean {
        return this.app('status', server) === 0;
    }

    eventLines(): string[] {
        return fs.existsSync(this.events) ? fs.readFileSync(this.events, 'utf8').trim().split('\n').filter(Boolean) : [];
    }

    clearEvents(): void {
        fs.rmSync(this.events, { force: true });
    }

    /** Files beside a data folder (set-aside and staging copies of ours). */
    leftovers(server: string): string[] {
        const dir = path.dirname(this.data(server));
        return fs.readdirSync(dir).filter(n => n.includes('.backplan-'));
    }

    override dispose(): void {
        for (const s of this.servers) this.app('stop', s.name);
        super.dispose();
    }
}

/** A tree with what a restore must bring back: modes, mtimes, symlinks, a hardlink, odd names. */
export function richTree(dir: string, seed: string): void {
    const w = (rel: string, text: string, mode = 0o644): void => {
        const f = path.join(dir, rel);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, text);
        fs.chmodSync(f, mode);
    };
    w('readme.txt', `hello ${seed}\n`);
    w('secret.key', `key ${seed}\n`, 0o600);
    w('bin/run.sh', '#!/bin/sh\necho run\n', 0o755);
    w('Sales Dept/q1 "quoted" $(touch pwned).txt', `sales ${seed}\n`.repeat(100));
    w('Engineering/big.bin', createHash('sha256').update(seed).digest('hex').repeat(40000));
    w('Engineering/empty', '');
    fs.mkdirSync(path.join(dir, 'Engineering', 'empty dir'), { recursive: true });
    fs.symlinkSync('../readme.txt', path.join(dir, 'Engineering', 'readme-link'));
    fs.symlinkSync('big.bin', path.join(dir, 'Engineering', 'current'));
    fs.linkSync(path.join(dir, 'readme.txt'), path.join(dir, 'bin', 'hardlinked.txt'));
    fs.chmodSync(path.join(dir, 'bin'), 0o750);
    const t = new Date('2021-03-04T05:06:07.123Z');
    for (const rel of ['readme.txt', 'secret.key', 'Engineering/big.bin', 'bin/run.sh']) fs.utimesSync(path.join(dir, rel), t, t);
    execFileSync('touch', ['-h', '-d', '2020-01-02 03:04:05.5', path.join(dir, 'Engineering', 'current')]);
    for (const d of ['Engineering/empty dir', 'Engineering', 'Sales Dept', 'bin', '.']) fs.utimesSync(path.join(dir, d), t, t);
}

/** Every entry below a folder: type, mode, mtime (ns), size, link target, SHA-256, inode group. */
export function snapshot(dir: string): string[] {
    const out: string[] = [];
    const inodes = new Map<bigint, string>();
    const walk = (rel: string): void => {
        const abs = rel === '.' ? dir : path.join(dir, rel);
        const st = fs.lstatSync(abs, { bigint: true });
        const mode = (st.mode & 0o7777n).toString(8);
        let line: string;
        if (st.isDirectory()) line = `dir ${mode} ${st.mtimeNs}`;
        else if (st.isSymbolicLink()) line = `symlink ${st.mtimeNs} -> ${fs.readlinkSync(abs)}`;
        else {
            const sha = createHash('sha256').update(fs.readFileSync(abs)).digest('hex');
            const first = st.nlink > 1n ? inodes.get(st.ino) : undefined;
            if (st.nlink > 1n && !first) inodes.set(st.ino, rel);
            line = `file ${mode} ${st.mtimeNs} ${st.size} ${sha}${first ? ` =${first}` : ''}`;
        }
        out.push(`${rel}: ${line}`);
        if (st.isDirectory()) for (const n of fs.readdirSync(abs).sort()) walk(rel === '.' ? n : `${rel}/${n}`);
    };
    walk('.');
    return out;
}

/** Whether, replaying the stop/start log, every folder always had a running holder. */
export function availabilityGaps(events: string[], holders: Record<string, string[]>, initiallyRunning: string[]): string[] {
    const running = new Set(initiallyRunning);
    const gaps: string[] = [];
    for (const [i, line] of events.entries()) {
        const [what, server] = line.split(' ');
        if (what === 'stopping') running.delete(server);
        else if (what === 'started') running.add(server);
        for (const [folder, on] of Object.entries(holders)) {
            if (!on.some(s => running.has(s))) gaps.push(`after event ${i + 1} (${line}): no holder of ${folder} running`);
        }
    }
    return gaps;
}

/** One tar header (ustar) for forged archives. */
export function tarHeader(name: string, opts: { type?: string; size?: number; mode?: number; link?: string; mtime?: number } = {}): Buffer {
    const h = Buffer.alloc(512);
    const put = (s: string, off: number, len: number): void => { h.write(s.slice(0, len), off, 'utf8'); };
    const oct = (n: number, len: number): string => n.toString(8).padStart(len - 1, '0');
    put(name, 0, 100);
    put(oct(opts.mode ?? 0o644, 8), 100, 8);
    put(oct(0, 8), 108, 8);
    put(oct(0, 8), 116, 8);
    put(oct(opts.size ?? 0, 12), 124, 12);
    put(oct(opts.mtime ?? 1600000000, 12), 136, 12);
    h.write('        ', 148, 'latin1');
    put(opts.type ?? '0', 156, 1);
    put(opts.link ?? '', 157, 100);
    put('ustar\u000000', 257, 8);
    if (opts.type === '3' || opts.type === '4') { put(oct(1, 8), 329, 8); put(oct(3, 8), 337, 8); }
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8);
    return h;
}

/** A tar stream from entries (files get their text padded to 512). */
export function tarOf(entries: Array<{ name: string; type?: string; text?: string; mode?: number; link?: string }>, opts: { end?: boolean } = {}): Buffer {
    const parts: Buffer[] = [];
    for (const e of entries) {
        const body = Buffer.from(e.text ?? '');
        parts.push(tarHeader(e.name, { type: e.type, size: body.length, mode: e.mode ?? (e.type === '5' ? 0o755 : 0o644), link: e.link }));
        if (body.length) parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
    if (opts.end !== false) parts.push(Buffer.alloc(1024));
    return Buffer.concat(parts);
}

/** A pax record ("LEN key=value\n", LEN counting itself) for `x`/`g` entries of tarOf. */
export function paxRecord(key: string, value: string): string {
    const body = ` ${key}=${value}\n`;
    let n = Buffer.byteLength(body) + 1;
    while (String(n).length + Buffer.byteLength(body) !== n) n++;
    return `${n}${body}`;
}

/**
 * Writes a forged archive of `server` onto the lab's tape: `tar` compressed with zstd, and a
 * manifest whose archive hash matches. Its entries are those read from `tar` (a manifest
 * that matches), or the ones given (a manifest that lies about the content).
 */
export function forgeArchive(lab: Lab, server: string, tar: Buffer, entriesTar?: Buffer, folders: Array<{ name: string; path: string }> = []): string {
    const dir = path.join(lab.tape, 'archives');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = new Date(Date.now() + 60_000).toISOString().replace(/[-:]/g, '');
    const id = `${stamp}-${server}-beef`;
    const file = `${id}.tar.zst`;
    const zst = execFileSync('zstd', ['-q', '-c'], { input: tar });
    fs.writeFileSync(path.join(dir, file), zst);
    const scanner = new TarScanner();
    try { scanner.write(entriesTar ?? tar); } catch { /* a corrupt stream: the entries read so far */ }
    const manifest = {
        format: 'backplan-manifest', version: 1, id, server, policy: 'B0', runId: 'forged', runbook: lab.runbook, tape: 'Tape', host: 'local',
        data: lab.data(server), folders,
        archive: { file, compression: 'zstd', size: zst.length, sha256: createHash('sha256').update(zst).digest('hex'), tarSize: tar.length },
        times: { stopped: new Date().toISOString(), archiveStarted: new Date().toISOString(), archiveFinished: new Date().toISOString() },
        tools: {}, files: scanner.entries.filter(e => e.type === 'file').length, entries: scanner.entries
    };
    fs.writeFileSync(path.join(dir, `${id}.manifest.json`), JSON.stringify(manifest));
    return id;
}
