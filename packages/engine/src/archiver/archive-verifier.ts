/**
 * Verifying an archive against its manifest, read-only.
 *
 *   manifest readable? archive present? size equal?
 *   read archive ─► SHA-256 (must equal manifest.archive.sha256)
 *        └─► decompressor ─► TarScanner ─► every entry (path, type, size, mode, owner,
 *                                          mtime, link, SHA-256) equal to the manifest's
 *   every entry of the manifest, and every tar header read, safe to extract: the check
 *   restore makes (archive/entry-safety.ts), so "ok" means restore would accept it
 *
 * `archive-hash` mode re-reads and hashes the compressed bytes only (the check a backup
 * does right after writing, when the entries were hashed on the way in), on a worker
 * thread (`hashFileOffThread`).
 * Never modifies, moves or deletes anything. Interruption leaves nothing behind.
 */
import { ToolExitError } from '../hosts/tool-exit-error.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { spawnProcess } from '../hosts/child-process.js';
import { hashFile } from '../hosts/local-host.js';
import type { ToolVersions } from '../hosts/host.js';
import type { ListedArchive } from '../tape/tape-store.js';
import { consume } from './archive-writer.js';
import { decompressorFor } from './compression.js';
import { entryName, type Manifest, type ManifestEntry } from '../archive/manifest.js';
import { TarFormatError, TarScanner } from '../archive/tar-scanner.js';
import { assertRegularFile } from '../schema/untrusted-file.js';
import { unsafeEntries } from '../archive/entry-safety.js';

export interface VerifyResult {
    ok: boolean;
    problems: string[];
}

export interface VerifyOptions {
    mode?: 'full' | 'archive-hash';
    tools: ToolVersions;
    signal?: AbortSignal;
    onProgress?: (bytes: number) => void;
}

/** Why the archive cannot even be read back (missing, refused, of another size), or undefined. */
async function unreadable(item: ListedArchive, m: Manifest): Promise<string | undefined> {
    if (item.archiveError) return `archive file refused: ${item.archiveError}`;
    if (item.archiveSize === undefined) return `archive file missing: ${item.archivePath}`;
    if (item.archiveSize !== m.archive.size) return `archive size ${item.archiveSize} differs from the manifest's ${m.archive.size} (truncated or replaced)`;
    try {
        // Again, just before reading: a FIFO put in its place since the listing would hang the readers.
        await assertRegularFile(item.archivePath);
    } catch (err) {
        return `archive file refused: ${(err as Error).message}`;
    }
    return undefined;
}

/** Verifies one listed archive. */
export async function verifyArchive(item: ListedArchive, options: VerifyOptions): Promise<VerifyResult> {
    const m = item.manifest;
    if (!m) return { ok: false, problems: [`manifest unreadable: ${item.manifestError ?? 'unknown'}`] };
    const refused = await unreadable(item, m);
    if (refused) return { ok: false, problems: [refused] };
    if ((options.mode ?? 'full') === 'archive-hash') {
        // Small archives hash here: a worker's start-up (~40 ms) would cost more than it frees.
        const sha = item.archiveSize! < OFF_THREAD_BYTES ? await hashFile(item.archivePath, options) : await hashFileOffThread(item.archivePath, options);
        const problems = sha === m.archive.sha256 ? [] : [`archive SHA-256 ${sha} differs from the manifest's ${m.archive.sha256}`];
        return { ok: problems.length === 0, problems };
    }
    let dec;
    try {
        dec = decompressorFor(m.archive.compression, options.tools);
    } catch (err) {
        return { ok: false, problems: [(err as Error).message] };
    }
    const problems = await readBack(item, m, dec, options);
    return { ok: problems.length === 0, problems };
}

/** The whole archive hashed, decompressed and its tar headers compared with the manifest: the problems found. */
async function readBack(item: ListedArchive, m: Manifest, dec: ReturnType<typeof decompressorFor>, options: VerifyOptions): Promise<string[]> {
    const problems: string[] = [];
    const hash = createHash('sha256');
    let read = 0;
    const hashing = new Transform({
        highWaterMark: 1 << 20,
        transform(chunk: Buffer, _e, cb) {
            hash.update(chunk);
            read += chunk.length;
            options.onProgress?.(read);
            cb(null, chunk);
        }
    });
    const source = createReadStream(item.archivePath, { highWaterMark: 1 << 20 });
    // The decompressor reads the file itself while this process hashes it (a second
    // read of the same pages, from the cache) and scans what comes out: no byte is
    // written through this process.
    const abort = new AbortController();
    options.signal?.addEventListener('abort', () => abort.abort(), { once: true });
    const proc = spawnProcess(dec.command, [...dec.args, item.archivePath], { stdio: ['ignore', 'pipe', 'pipe'], signal: abort.signal, group: false });
    const scanner = new TarScanner();
    let scanError: Error | undefined;
    const scan = consume(proc.child.stdout!, chunk => {
        if (scanError) return;
        try { scanner.write(chunk); } catch (err) { scanError = err as Error; }
    });
    const results = await Promise.allSettled([
        proc.exited.then(r => { if (r.code !== 0) throw new ToolExitError(dec.command, r, proc.stderr.text()); }),
        scan,
        pipeline(source, hashing, new Writable({ write: (_c, _e, cb) => cb() }), { signal: options.signal })
    ]);
    if (options.signal?.aborted) throw new Error('interrupted');
    const decompressFailed = results.find(r => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (decompressFailed) problems.push(`the archive cannot be decompressed: ${(decompressFailed.reason as Error).message}`);
    if (scanError) problems.push(scanError instanceof TarFormatError ? scanError.message : `the tar stream is corrupt: ${scanError.message}`);
    else if (!decompressFailed && !scanner.complete) problems.push('the tar stream is truncated (no end-of-archive marker)');
    else if (!decompressFailed) problems.push(...compareEntries(m, scanner.entries));
    problems.unshift(...refusals(m.entries, scanner.entries));
    const sha = hash.digest('hex');
    if (sha !== m.archive.sha256) problems.unshift(`archive SHA-256 ${sha} differs from the manifest's ${m.archive.sha256}`);
    return problems;
}

/** Why restore would refuse the manifest's entries or the headers read (each reason once). */
function refusals(listed: readonly ManifestEntry[], read: readonly ManifestEntry[]): string[] {
    const reasons = new Set([...unsafeEntries(listed), ...unsafeEntries(read)]);
    return [...reasons].map(r => `restore would refuse it: ${r}`);
}

/** Archives at least this big are read back on a worker thread. */
const OFF_THREAD_BYTES = 32 << 20;

/**
 * The read-back hash, on a worker thread: the code is a string (eval), so the CLI bundle
 * needs no second file. 4 MiB reads; progress after each; the SHA-256 last.
 */
const HASH_FILE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const hash = createHash('sha256');
const buf = Buffer.allocUnsafe(4 << 20);
const fd = openSync(workerData.file, 'r');
let read = 0;
try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) {
        hash.update(buf.subarray(0, n));
        read += n;
        parentPort.postMessage({ read });
    }
} finally {
    closeSync(fd);
}
parentPort.postMessage({ sha256: hash.digest('hex') });
`;

/**
 * SHA-256 of a file (the read-back check of every backup), hashed on a worker thread:
 * after `parallel N` the servers' read-backs run side by side on the cores instead of one
 * after another on this thread (bench/RESULTS.md, parallel-ssh). An abort ends the worker.
 */
function hashFileOffThread(file: string, options: Pick<VerifyOptions, 'signal' | 'onProgress'>): Promise<string> {
    return new Promise((resolve, reject) => {
        if (options.signal?.aborted) return reject(new Error('interrupted'));
        const worker = new Worker(HASH_FILE_WORKER, { eval: true, workerData: { file } });
        let result: string | undefined;
        const onAbort = (): void => { void worker.terminate(); };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        let failure: Error | undefined;
        worker.on('message', (m: { read?: number; sha256?: string }) => {
            if (m.sha256 !== undefined) result = m.sha256;
            else if (m.read !== undefined) {
                try {
                    options.onProgress?.(m.read);
                } catch (err) {
                    failure = err as Error;
                    void worker.terminate();
                }
            }
        });
        worker.once('error', err => reject(new Error(`the archive cannot be read: ${err.message}`)));
        worker.once('exit', () => {
            options.signal?.removeEventListener('abort', onAbort);
            if (options.signal?.aborted) reject(new Error('interrupted'));
            else if (failure) reject(failure);
            else if (result !== undefined) resolve(result);
            else reject(new Error('the archive could not be hashed (the hashing thread ended early)'));
        });
    });
}

const FIELDS: Array<keyof ManifestEntry> = ['path', 'type', 'size', 'mode', 'uid', 'gid', 'mtime', 'linkTarget', 'sha256'];

/** A field's value for a message, cut like names. */
const cut = (v: unknown): string => JSON.stringify(typeof v === 'string' ? entryName(v) : v);

/** Differences between the manifest's entries and those read back (at most 10 listed). */
export function compareEntries(m: Manifest, found: readonly ManifestEntry[]): string[] {
    const problems: string[] = [];
    if (found.length !== m.entries.length) problems.push(`the archive holds ${found.length} entries, the manifest lists ${m.entries.length}`);
    const n = Math.min(found.length, m.entries.length);
    for (let i = 0; i < n && problems.length < 10; i++) {
        const want = m.entries[i];
        const got = found[i];
        for (const field of FIELDS) {
            if (want[field] !== got[field]) {
                problems.push(`${entryName(want.path)}: ${field} ${cut(got[field])} in the archive, ${cut(want[field])} in the manifest`);
                break;
            }
        }
    }
    return problems;
}
