/**
 * The lock of a tape: AT/lock.json, created with O_EXCL, holding who runs what.
 *
 *   acquire: create lock.json exclusively → done
 *            exists → read holder; same host and its pid is dead → report, take over:
 *                     rename lock.json → lock.json.stale-PID (atomic), check it is the
 *                     holder we judged dead (else link it back), remove it, retry
 *            alive or another host → fail naming the holder, or with --wait poll until free
 *   release: remove lock.json only when it still holds our token
 *
 * Interruption: a killed process leaves its lock.json; the next run on this host sees the
 * pid dead (a zombie counts as dead) and takes it over. A lock from another host is only
 * removed by `unlock`. The same construction, with another file, serialises the recovery
 * of a journal's killed runs (journal/recovery-lock.ts).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fsyncDir } from './durable-write.js';
import { checkShape } from '../schema/json-schemas.js';
import { readUntrustedText } from '../schema/untrusted-file.js';

/** What a lock file holds. */
export interface LockHolder {
    pid: number;
    host: string;
    command: string;
    started: string;
    token: string;
}

/** Thrown when the lock is held and we are not waiting. */
export class LockHeldError extends Error {
    constructor(readonly tape: string, readonly holder: LockHolder | undefined) {
        super(`tape ${tape} is locked by ${describeHolder(holder)}; run again with --wait to wait for it`);
    }
}

/** A one-line description of a holder. */
export function describeHolder(holder: LockHolder | undefined): string {
    if (!holder) return 'an unreadable lock file';
    return `pid ${holder.pid} on ${holder.host} ("${holder.command}", since ${holder.started})`;
}

/** Whether a process is alive on this host (a zombie, dead but not yet reaped by its parent, is not). */
export function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    return !isZombie(pid);
}

/** Whether /proc says the process is a zombie (no /proc: not known to be one). */
function isZombie(pid: number): boolean {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
    } catch {
        return false;
    }
}

export interface AcquireOptions {
    command: string;
    wait?: boolean;
    /** Told about stale locks taken over and about waiting. */
    notice?: (message: string) => void;
    signal?: AbortSignal;
    pollMs?: number;
    /** The lock file (default AT/lock.json): another kind of lock built the same way. */
    file?: string;
    /** How messages name what is locked (default `tape NAME`). */
    subject?: string;
}

/** A held lock. */
export class TapeLock {
    private constructor(readonly file: string, readonly holder: LockHolder) {}

    static lockFile(tapeRoot: string): string {
        return path.join(tapeRoot, 'lock.json');
    }

    /** Reads the current holder (undefined: no lock; 'unreadable': not a lock file of ours). */
    static read(tapeRoot: string): Promise<LockHolder | undefined | 'unreadable'> {
        return readHolder(TapeLock.lockFile(tapeRoot));
    }

    /** Acquires the lock of a tape. */
    static async acquire(tapeName: string, tapeRoot: string, options: AcquireOptions): Promise<TapeLock> {
        const file = options.file ?? TapeLock.lockFile(tapeRoot);
        const subject = options.subject ?? `tape ${tapeName}`;
        const holder: LockHolder = {
            pid: process.pid, host: os.hostname(), command: options.command,
            started: new Date().toISOString(), token: randomBytes(8).toString('hex')
        };
        let announcedWait = false;
        for (;;) {
            options.signal?.throwIfAborted();
            try {
                const handle = await fs.open(file, 'wx', 0o644);
                try {
                    await handle.writeFile(JSON.stringify(holder) + '\n');
                    await handle.sync();
                } finally {
                    await handle.close();
                }
                await fsyncDir(path.dirname(file));
                return new TapeLock(file, holder);
            } catch (err) {
                if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
            }
            const current = await readHolder(file);
            if (current === undefined) continue; // released meanwhile
            const other = current === 'unreadable' ? undefined : current;
            if (other && other.host === os.hostname() && !processAlive(other.pid)) {
                options.notice?.(`${subject}: taking over a stale lock of ${describeHolder(other)}: that process is gone`);
                await takeOver(file, other);
                continue;
            }
            if (!options.wait) throw new LockHeldError(tapeName, other);
            if (!announcedWait) {
                options.notice?.(`${subject} is locked by ${describeHolder(other)}; waiting…`);
                announcedWait = true;
            }
            await sleep(options.pollMs ?? 250, options.signal);
        }
    }

    /** Removes the lock if it is still ours. */
    async release(): Promise<void> {
        try {
            const current = await readLockFile(this.file);
            if (current.token !== this.holder.token) return;
            await fs.rm(this.file, { force: true });
            await fsyncDir(path.dirname(this.file));
        } catch { /* already gone */ }
    }

    /** `backplan unlock`: removes whatever lock the tape has; returns the holder removed. */
    static async forceRemove(tapeRoot: string): Promise<LockHolder | 'unreadable' | undefined> {
        const current = await TapeLock.read(tapeRoot);
        if (current !== undefined) {
            await fs.rm(TapeLock.lockFile(tapeRoot), { force: true });
            await fsyncDir(tapeRoot);
        }
        return current;
    }
}

/** The holder of a lock file (undefined: no lock; 'unreadable': not a lock file of ours). */
async function readHolder(file: string): Promise<LockHolder | undefined | 'unreadable'> {
    try {
        return await readLockFile(file);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        return 'unreadable';
    }
}

/** A lock file's holder: a regular file of the lock's shape, or it throws. */
async function readLockFile(file: string): Promise<LockHolder> {
    return checkShape<LockHolder>('lock', JSON.parse(await readUntrustedText(file, 64 << 10)), file);
}

async function takeOver(file: string, dead: LockHolder): Promise<void> {
    const aside = `${file}.stale-${process.pid}`;
    try {
        await fs.rename(file, aside);
    } catch {
        return; // someone else moved it first
    }
    let moved: LockHolder | undefined;
    try {
        moved = await readLockFile(aside);
    } catch { /* unreadable: treat as the dead one */ }
    if (moved && moved.token !== dead.token) {
        // Another process took over and locked between our read and rename: give it back.
        await fs.link(aside, file).catch(() => undefined);
    }
    await fs.rm(aside, { force: true });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
    });
}
