/**
 * A throw-away lab for tests against real restic (Debian's 0.14): a temp folder with a
 * password file, restic's cache, data trees that exercise what a restore must give back
 * (modes incl. setuid and sticky, numeric owners, nanosecond mtimes, symlinks relative,
 * absolute and dangling, hardlinks, a fifo, empty files and folders, odd names), and a
 * REST server (`rclone serve restic`, Debian's rclone) on 127.0.0.1, started on a free
 * port and ready once it prints its listening line, stopped by its pid.
 *
 * Where restic or rclone is missing, suites skip and say so; with BACKPLAN_REQUIRE_RESTIC=1
 * (CI) they run and fail.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { ResticTarget } from '../../packages/engine/out/restic/restic-command.js';
import { freePort } from '../helpers/sshd.js';

const found = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
export const resticRequired = process.env.BACKPLAN_REQUIRE_RESTIC === '1';
export const resticSkip = !found('restic') && !resticRequired;
export const rcloneSkip = !found('rclone') && !resticRequired;

/** A suite name that says why it was skipped. */
export function resticSuiteName(name: string, needsRclone = false): string {
    const missing = resticSkip ? 'restic' : needsRclone && rcloneSkip ? 'rclone' : undefined;
    if (!missing) return name;
    process.stderr.write(`${name}: skipped: ${missing} not found; install it (apt-get install -y restic rclone), CI sets BACKPLAN_REQUIRE_RESTIC=1\n`);
    return `${name} (skipped: ${missing} not found)`;
}

export class ResticLab {
    readonly passwordFile: string;
    readonly cacheDir: string;

    private constructor(readonly root: string) {
        this.passwordFile = path.join(root, 'restic.pass');
        this.cacheDir = path.join(root, 'cache');
        fs.writeFileSync(this.passwordFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
        fs.mkdirSync(this.cacheDir);
    }

    static create(): ResticLab {
        return new ResticLab(fs.mkdtempSync(path.join(tmpdir(), 'backplan-restic-')));
    }

    /** A target for a repository string, with the lab's password file and cache. */
    target(repository: string, more: Partial<ResticTarget> = {}): ResticTarget {
        return { repository, passwordFile: this.passwordFile, ...more, env: { RESTIC_CACHE_DIR: this.cacheDir, ...more.env } };
    }

    /** A fresh folder below the lab. */
    dir(name: string): string {
        const d = path.join(this.root, name);
        fs.mkdirSync(d, { recursive: true });
        return d;
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** Sets an mtime with sub-second digits on a path (not following symlinks). */
function stamp(p: string, seconds: number): void {
    fs.lutimesSync(p, seconds, seconds);
}

/**
 * Writes a data tree of about `randomBytes` bytes of incompressible content plus every
 * kind of entry a restore must give back. Returns the folder.
 */
export function makeDataTree(root: string, randomSize = 4 << 20, options: { absoluteLink?: boolean } = {}): string {
    const data = path.join(root, 'data');
    const w = (rel: string, content: Buffer | string, mode = 0o644): void => {
        fs.mkdirSync(path.dirname(path.join(data, rel)), { recursive: true });
        fs.writeFileSync(path.join(data, rel), content);
        fs.chmodSync(path.join(data, rel), mode);
    };
    for (let i = 0, left = randomSize; left > 0; i++) {
        const size = Math.min(left, 64 * 1024 * (1 + (i % 7)));
        w(`cur/msg-${String(i).padStart(4, '0')}`, randomBytes(size), 0o640);
        left -= size;
    }
    w('empty', '');
    w('setuid-tool', '#!/bin/sh\n', 0o4755);
    w('with space/ünïcödé 日本語', 'names are data\n');
    w("quote'name", 'q\n', 0o600);
    w('new\nline', 'n\n');
    fs.mkdirSync(path.join(data, 'empty-dir'));
    fs.mkdirSync(path.join(data, 'sticky'));
    fs.chmodSync(path.join(data, 'sticky'), 0o1777);
    fs.linkSync(path.join(data, 'empty'), path.join(data, 'hardlink-to-empty'));
    fs.symlinkSync('cur/msg-0000', path.join(data, 'relative-link'));
    // A restore refuses absolute links (entry-safety.ts): verb-level suites leave it out.
    if (options.absoluteLink !== false) fs.symlinkSync('/etc/hostname', path.join(data, 'absolute-link'));
    fs.symlinkSync('nowhere', path.join(data, 'dangling-link'));
    spawnSync('mkfifo', [path.join(data, 'fifo')]);
    fs.chownSync(path.join(data, 'cur'), 1234, 5678);
    fs.lchownSync(path.join(data, 'relative-link'), 4321, 8765);
    fs.chownSync(path.join(data, "quote'name"), 1000, 1000);
    // Times last, deepest first: writing into a folder changes its mtime.
    const all = walk(data).sort((a, b) => b.split('/').length - a.split('/').length);
    all.forEach((p, i) => stamp(p, 1_700_000_000 + i * 3600 + 0.123456));
    fs.chmodSync(data, 0o711);
    fs.chownSync(data, 42, 43);
    stamp(data, 1_690_000_000.5);
    return data;
}

/** Every path below a folder (the folder excluded). */
function walk(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? [p, ...walk(p)] : [p];
    });
}

/** Bytes of every file below a folder (a repository's size on disk). */
export function treeBytes(dir: string): number {
    return walk(dir).reduce((n, p) => {
        const st = fs.lstatSync(p);
        return n + (st.isFile() ? st.size : 0);
    }, 0);
}

/** A running `rclone serve restic`. */
export interface RestServer {
    readonly url: string;
    readonly pid: number;
    stop(): Promise<void>;
}

/** Serves `dir` as a restic REST repository on 127.0.0.1; resolves once rclone says it is listening. */
export async function startRestServer(dir: string): Promise<RestServer> {
    const port = await freePort('127.0.0.1');
    const child = spawn('rclone', ['serve', 'restic', '--addr', `127.0.0.1:${port}`, '--config', path.join(dir, '..', 'rclone.conf'), dir],
        { stdio: ['ignore', 'ignore', 'pipe'] });
    const log: string[] = [];
    await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`rclone did not listen within 60 s: ${log.join('\n')}`)), 60_000);
        const lines = createInterface({ input: child.stderr! });
        lines.on('line', line => {
            log.push(line);
            if (/Serving restic REST API on/.test(line)) { clearTimeout(deadline); resolve(); }
        });
        child.once('exit', code => { clearTimeout(deadline); reject(new Error(`rclone exited with ${code}: ${log.join('\n')}`)); });
    });
    return { url: `rest:http://127.0.0.1:${port}/`, pid: child.pid!, stop: () => stopChild(child) };
}

/** Stops a child by its pid and waits for it to be gone. */
function stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise(resolve => {
        child.once('exit', () => resolve());
        process.kill(child.pid!, 'SIGTERM');
    });
}
