/**
 * Writing one archive: a host's data folder, as tar, compressed into the tape.
 *
 *   host tar --create ─► tee FIFO ─stdout─► TarScanner (entries + per-file SHA-256)
 *                           └─FIFO─► zstd -1 -T0 (here) ─► tee TMP ─stdout─► SHA-256 + size
 *   then (durable-write.ts) fsync TMP → rename → fsync folder
 *
 * The bytes flow between processes through pipes; this process only READS two copies to
 * hash them (the tar stream for the manifest's per-file hashes, the compressed stream for
 * the archive hash). Nothing is buffered beyond the pipes' chunks and the data folder is
 * never copied to a temporary place. (Passing every byte through Node's streams on its
 * way to zstd and to the file cost twice the wall time of the tar | zstd baseline on
 * 2 cores; see bench/RESULTS.md.) A tar stream that is not a child's pipe (an unusual
 * host) is fed to the first tee through Node instead.
 *
 * Any failure (tar, tee, compressor, ENOSPC, abort, a tar stream without its
 * end-of-archive marker) kills the other processes and the temporary archive file is
 * removed: every check runs BEFORE the rename, so a failed write never appears under the
 * archive's final name (an abort during the fsync/rename removes the renamed file). The
 * manifest is NOT written here: the caller commits it last, after checking the archive
 * (and removes the archive when that check fails).
 * Interruption: a `.tmp-…` file on the tape at worst (never listed; prune removes it),
 * and an empty FIFO folder in the system's temp folder.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeExit, spawnProcess, type Spawned } from '../hosts/child-process.js';
import type { Host } from '../hosts/host.js';
import type { TapeStore } from '../tape/tape-store.js';
import type { Compressor } from './compression.js';
import type { ManifestEntry } from './manifest.js';
import { TarScanner } from './tar-scanner.js';

export interface WriteArchiveOptions {
    host: Host;
    data: string;
    tape: TapeStore;
    id: string;
    compressor: Compressor;
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
}

/** Whether a stream is a child process's pipe (so another child can read it directly). */
function isChildPipe(stream: Readable): boolean {
    const handle = (stream as unknown as { _handle?: { fd?: number } })._handle;
    return typeof handle?.fd === 'number' && handle.fd >= 0;
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
        if (r.code !== 0) throw new Error(describeExit(tool, r, p.stderr.text()));
    }, (err: Error) => { throw new Error(`${tool} could not be started: ${err.message}`); });
}

/** Streams the data folder into the tape; resolves once the archive file is durable. */
export async function writeArchive(options: WriteArchiveOptions): Promise<WrittenArchive> {
    const { host, data, tape, id, compressor } = options;
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

    const fifoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'backplan-fifo-'));
    const fifo = path.join(fifoDir, 'tar');
    const scanner = new TarScanner();
    const archiveHash = createHash('sha256');
    let size = 0;
    let renamed = false;
    try {
        await succeeded('mkfifo', spawnProcess('mkfifo', ['-m', '600', fifo], { stdio: ['ignore', 'ignore', 'pipe'] }));

        // Everything below is spawned in one synchronous stretch: a child's stdout handed
        // to the next child must not have been read by this process in between.
        await tape.writeArchive(id, compressor.kind, {
            writeFile: async tmp => {
                const tar = host.tarOut(data, { signal: abort.signal });
                const direct = isChildPipe(tar.stream);
                const split = spawnProcess('tee', [fifo], { stdio: [direct ? tar.stream : 'pipe', 'pipe', 'pipe'], signal: abort.signal, group: false });
                if (direct) tar.stream.destroy(); // the tee reads it now; our copy must go
                const comp = spawnProcess('sh', ['-c', 'exec "$@" < "$BACKPLAN_FIFO"', 'sh', compressor.command, ...compressor.args], {
                    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BACKPLAN_FIFO: fifo }, signal: abort.signal, group: false
                });
                const writer = spawnProcess('tee', [tmp], { stdio: [comp.child.stdout!, 'pipe', 'pipe'], signal: abort.signal, group: false });
                comp.child.stdout!.destroy();

                let lastReport = 0;
                const scan = consume(split.child.stdout!, chunk => {
                    scanner.write(chunk);
                    if (options.onProgress && scanner.bytes - lastReport >= 1 << 20) {
                        lastReport = scanner.bytes;
                        options.onProgress(scanner.bytes);
                    }
                });
                const hashing = consume(writer.child.stdout!, chunk => {
                    archiveHash.update(chunk);
                    size += chunk.length;
                });
                const tasks: Array<Promise<unknown>> = [
                    tar.done.catch(fail),
                    succeeded('tee', split).catch(fail),
                    succeeded(compressor.command, comp).catch(fail),
                    succeeded('tee', writer).catch(err => fail(describeWriteFailure(err as Error))),
                    scan.catch(fail),
                    hashing.catch(fail)
                ];
                if (!direct) tasks.push(pipeline(tar.stream, split.child.stdin!).catch(fail));
                await Promise.allSettled(tasks);
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
        await fs.rm(fifoDir, { recursive: true, force: true }).catch(() => undefined);
    }
    if (options.signal?.aborted) throw new Error('interrupted while writing the archive');
    if (errors.length > 0) throw new Error(pickReason(errors));
    options.onProgress?.(scanner.bytes);
    return { file: tape.archiveFile(id, compressor.kind), size, sha256: archiveHash.digest('hex'), tarSize: scanner.bytes, entries: scanner.entries };
}

/** The tape-writing tee's failure, in the words of the error it hit. */
function describeWriteFailure(err: Error): Error {
    if (/No space left/i.test(err.message)) return Object.assign(new Error(err.message), { code: 'ENOSPC' });
    if (/Read-only file system/i.test(err.message)) return Object.assign(new Error(err.message), { code: 'EROFS' });
    if (/Permission denied/i.test(err.message)) return Object.assign(new Error(err.message), { code: 'EACCES' });
    return err;
}

/** The most telling of several failures: a tool's own exit beats the broken pipes it caused. */
function pickReason(errors: Error[]): string {
    const space = errors.find(e => (e as NodeJS.ErrnoException).code === 'ENOSPC');
    if (space) return 'the tape is full (no space left on device)';
    const access = errors.find(e => ['EACCES', 'EPERM', 'EROFS'].includes((e as NodeJS.ErrnoException).code ?? ''));
    if (access) return `the tape is not writable (${(access as NodeJS.ErrnoException).code})`;
    const tar = errors.find(e => /^tar /.test(e.message));
    if (tar) return tar.message;
    const tool = errors.find(e => /^(zstd|gzip|tee) /.test(e.message) && !/EPIPE|Broken pipe|killed by SIGPIPE/i.test(e.message));
    return (tool ?? errors[0]).message;
}
