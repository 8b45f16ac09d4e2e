/**
 * Writing one archive: a host's data folder, as tar, compressed into the tape.
 *
 *   local host, or a host without zstd (compressed here):
 *   host tar --create ─stdout─► this process ─► zstd -1 -T0 ─stdout─► this process ─► TMP
 *                                 └ TarScanner (entries + per-file SHA-256)     └ SHA-256 + size
 *   SSH host with zstd (compressed there; ≈ half the bytes cross the network):
 *   tar | zstd -1 -T0 (host) ─ssh─► this process ─► TMP   (SHA-256 + size)
 *                                     └► zstd -d ─stdout─► this process: TarScanner
 *   then (durable-write.ts) fsync TMP → rename → fsync folder
 *
 * Each byte is copied once per hop: this process reads the tar stream, scans it and
 * writes the same chunk to the compressor's stdin; it reads the compressed stream,
 * hashes it and writes the same chunk to the file (a synchronous write: the page cache
 * takes 64 KiB in microseconds; no thread-pool round trip per chunk). Nothing
 * is buffered beyond the chunk in hand and the pipes, and the data folder is never copied
 * to a temporary place. Why no `tee` processes any more: with `tar → tee FIFO → zstd →
 * tee TMP` and this process reading both tees' copies, each tar byte crossed the kernel
 * 6 times instead of 4 and each compressed byte 5 times instead of 3, in 8 KiB pieces
 * (coreutils tee's buffer); that cost ≈ 1.4 s more CPU per GB on 2 cores than this path
 * (bench/RESULTS.md). The earlier "every byte through Node is 2× slower" measurement
 * predates flowing-mode reads and the data-path processes sharing our session
 * (autogroup scheduling). A synchronous write can hold the event loop for as long as
 * the kernel throttles a writer (a slow tape): a Ctrl-C is then handled a moment later.
 *
 * On the host path the decompression here also checks the host's frames as they arrive
 * (zstd's content checksum) before the archive can be committed.
 *
 * Any failure (tar, compressor, a write error such as ENOSPC, abort, a tar stream without
 * its end-of-archive marker) kills the other processes and the temporary archive file is
 * removed: every check runs BEFORE the rename, so a failed write never appears under the
 * archive's final name (an abort during the fsync/rename removes the renamed file). The
 * manifest is NOT written here: the caller commits it last, after checking the archive
 * (and removes the archive when that check fails).
 * Interruption: a `.tmp-…` file on the tape at worst (never listed; prune removes it).
 */
import { ToolExitError } from '../hosts/tool-exit-error.js';
import { SshError } from '../hosts/ssh/ssh-errors.js';
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { spawnProcess, type Spawned } from '../hosts/child-process.js';
import type { Host } from '../hosts/host.js';
import type { TapeStore } from '../tape/tape-store.js';
import { decompressorFor, type Compressor } from './compression.js';
import type { ManifestEntry } from '../archive/manifest.js';
import { TarScanner } from '../archive/tar-scanner.js';

export interface WriteArchiveOptions {
    host: Host;
    data: string;
    tape: TapeStore;
    id: string;
    compressor: Compressor;
    /** The server's `exclude` patterns. */
    exclude?: readonly string[];
    signal?: AbortSignal;
    /** Called with the tar bytes read so far. */
    onProgress?: (tarBytes: number) => void;
}

/** What was written. */
export interface WrittenArchive {
    file: string;
    size: number;
    sha256: string;
    tarSize: number;
    entries: ManifestEntry[];
    /** The compressor that made the archive, as the manifest records it. */
    compressorVersion?: string;
}

/**
 * Reads a stream in flowing mode (every chunk as it arrives: `for await` would pause the
 * pipe at each 16 KiB high-water mark and ping-pong with the writer), calling `onChunk`
 * synchronously; an exception from it ends the stream with that error.
 */
export function consume(stream: Readable, onChunk: (chunk: Buffer) => void): Promise<void> {
    return new Promise((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
            try {
                onChunk(chunk);
            } catch (err) {
                stream.destroy(err as Error);
            }
        });
        stream.once('end', resolve);
        stream.once('error', reject);
        stream.once('close', () => resolve());
    });
}

/** Resolves when a spawned process exits 0; rejects with a one-line reason otherwise. */
function succeeded(tool: string, p: Spawned): Promise<void> {
    return p.exited.then(r => {
        if (r.code !== 0) throw new ToolExitError(tool, r, p.stderr.text());
    }, (err: Error) => { throw new Error(`${tool} could not be started: ${err.message}`); });
}

/** Where the archive is compressed: on the data's host (`onHost`, with that zstd's version) or here. */
interface CompressionSite {
    onHost: boolean;
    version?: string;
}

/**
 * Where the compressor runs. On a network host that has it (SSH, remote zstd), the host
 * compresses: about half the bytes cross the network and its ciphers, and the decompressor
 * here (to scan the tar stream) costs less than the cipher work it saves (bench/RESULTS.md).
 */
async function compressionSite(host: Host, compressor: Compressor): Promise<CompressionSite> {
    if (compressor.kind !== 'zstd' || host.compressedTarOut === undefined) return { onHost: false, version: compressor.version };
    const remote = (await host.checkTools()).zstd;
    return remote === undefined ? { onHost: false, version: compressor.version } : { onHost: true, version: `${remote} (on ${host.label})` };
}

/**
 * Copies `source` into `target` (a process's stdin), handing each chunk to `tap` after
 * the write (the process works on it meanwhile); the process's back-pressure pauses the
 * source. Resolves when the source ended (and the target was ended) or the target closed.
 */
function feed(source: Readable, target: Writable, tap: (chunk: Buffer) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
        let waiting = false;
        target.on('error', reject);
        // Node destroys a child's stdin, without an error, when the child exits: a process
        // killed (Ctrl-C) while we wait for 'drain' would leave the source paused and this
        // promise unsettled for ever (the run then ends with nothing to do and never starts
        // the application). Stop reading the source; the process's exit, the abort or the
        // missing end-of-archive marker reports the failure.
        target.once('close', () => {
            if (!source.readableEnded) source.destroy();
            resolve();
        });
        source.on('error', reject);
        source.once('end', () => {
            target.end();
            resolve();
        });
        source.once('close', () => resolve());
        source.on('data', (chunk: Buffer) => {
            if (!target.write(chunk) && !waiting) {
                waiting = true;
                source.pause();
                target.once('drain', () => {
                    waiting = false;
                    source.resume();
                });
            }
            try {
                tap(chunk);
            } catch (err) {
                source.destroy(err as Error);
                reject(err);
            }
        });
    });
}

/**
 * Fills the temporary archive file (durableWrite created it empty, O_EXCL, and fsyncs it
 * after): the compressed bytes, hashed as written; a write error (ENOSPC, EIO) ends the
 * stream with that error. Resolves with the bytes written.
 */
async function fillTemp(tmp: string, job: { options: WriteArchiveOptions; site: CompressionSite; signal: AbortSignal; scanner: TarScanner; fail: (err: unknown) => never; hash: Hash }): Promise<number> {
    const fd = openSync(tmp, 'r+');
    let size = 0;
    try {
        const store = (chunk: Buffer): void => {
            job.hash.update(chunk);
            for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
            size += chunk.length;
        };
        await pumpArchive({ options: job.options, site: job.site, signal: job.signal, scanner: job.scanner, store, fail: job.fail });
    } finally {
        closeSync(fd);
    }
    return size;
}

/** Streams the data folder into the tape; resolves once the archive file is durable. */
export async function writeArchive(options: WriteArchiveOptions): Promise<WrittenArchive> {
    const { host, tape, id, compressor } = options;
    if (options.signal?.aborted) throw new Error('interrupted');
    const site = await compressionSite(host, compressor);
    // The abort listener comes next: an abort during the tool probe must not be lost.
    if (options.signal?.aborted) throw new Error('interrupted');
    const abort = new AbortController();
    const onOuterAbort = (): void => abort.abort(options.signal!.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });

    const errors: Error[] = [];
    const fail = (err: unknown): never => {
        errors.push(err instanceof Error ? err : new Error(String(err)));
        abort.abort();
        throw err;
    };

    const scanner = new TarScanner();
    const archiveHash = createHash('sha256');
    let size = 0;
    let renamed = false;
    try {
        await tape.writeArchive(id, compressor.kind, {
            writeFile: async tmp => {
                size = await fillTemp(tmp, { options, site, signal: abort.signal, scanner, fail, hash: archiveHash });
                // Every check BEFORE the rename: a failed write must never appear under
                // the archive's final name (durableWrite removes the temporary file).
                if (errors.length > 0) throw errors[0];
                if (options.signal?.aborted) throw new Error('interrupted while writing the archive');
                if (!scanner.complete) throw new Error('the tar stream ended early (no end-of-archive marker)');
            }
        });
        renamed = true;
        // An abort that arrived during the fsync and rename: the run is interrupted, so
        // this archive will not be committed; take it off the tape rather than leave
        // garbage under a final name.
        if (options.signal?.aborted) throw new Error('interrupted while writing the archive');
    } catch (err) {
        if (!errors.includes(err as Error)) errors.push(err as Error);
        if (renamed) await tape.discardArchive(id, compressor.kind).catch(() => undefined);
    } finally {
        options.signal?.removeEventListener('abort', onOuterAbort);
    }
    if (options.signal?.aborted) throw new Error('interrupted while writing the archive');
    if (errors.length > 0) throw new Error(pickReason(errors));
    options.onProgress?.(scanner.bytes);
    return {
        file: tape.archiveFile(id, compressor.kind), size, sha256: archiveHash.digest('hex'), tarSize: scanner.bytes, entries: scanner.entries,
        compressorVersion: site.version
    };
}

/** One archive's pipes, all running until each has ended; every failure goes to `fail`. */
async function pumpArchive(job: {
    options: WriteArchiveOptions; site: CompressionSite; signal: AbortSignal; scanner: TarScanner;
    store: (chunk: Buffer) => void; fail: (err: unknown) => never;
}): Promise<void> {
    const { options, site, signal, scanner, store, fail } = job;
    const { host, data, compressor } = options;
    let lastReport = 0;
    const scan = (chunk: Buffer): void => {
        scanner.write(chunk);
        if (options.onProgress && scanner.bytes - lastReport >= 1 << 20) {
            lastReport = scanner.bytes;
            options.onProgress(scanner.bytes);
        }
    };
    // Here:    tar ─► scan ─► compressor ─► store
    // On host: tar | compressor (there) ─► store ─► decompressor ─► scan
    const filter = site.onHost ? decompressorFor(compressor.kind, { zstd: compressor.version }) : compressor;
    const source = site.onHost
        ? host.compressedTarOut!(data, compressor, { signal, exclude: options.exclude })
        : host.tarOut(data, { signal, exclude: options.exclude });
    let proc: Spawned;
    try {
        proc = spawnProcess(filter.command, filter.args, { stdio: ['pipe', 'pipe', 'pipe'], signal, group: false });
    } catch (err) {
        throw fail(err); // aborts the source: tar must not go on reading the data folder
    }
    await Promise.allSettled([
        source.done.catch(fail),
        succeeded(site.onHost ? `${filter.command} -d` : filter.command, proc).catch(fail),
        feed(source.stream, proc.child.stdin!, site.onHost ? store : scan).catch(fail),
        consume(proc.child.stdout!, site.onHost ? scan : store).catch(fail)
    ]);
}

/** The most telling of several failures: a tool's own exit beats the broken pipes it caused. */
function pickReason(errors: Error[]): string {
    const code = (e: Error): string | undefined => (e as NodeJS.ErrnoException).code;
    if (errors.some(e => code(e) === 'ENOSPC')) return 'the tape is full (no space left on device)';
    const access = errors.find(e => ['EACCES', 'EPERM', 'EROFS'].includes(code(e) ?? ''));
    if (access) return `the tape is not writable (${code(access)})`;
    const tool = (e: Error): ToolExitError | undefined => e instanceof ToolExitError ? e : undefined;
    // The host's side (tar, or `tar | zstd` over ssh) is the cause; the local tools we killed then are not.
    const tar = errors.find(e => tool(e)?.tool === 'tar' || (e instanceof SshError && e.tool !== undefined));
    if (tar) return tar.message;
    const compressor = errors.find(e => tool(e) && !tool(e)!.brokenPipe);
    return (compressor ?? errors[0]).message;
}
