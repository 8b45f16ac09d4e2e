/**
 * Writing one archive: a host's data folder, as tar, compressed into the tape.
 *
 *   host tar --create ─┬─► TarScanner (entries + per-file SHA-256, in passing)
 *                      └─► zstd -1 -T0 (local) ─► SHA-256 + size ─► tape durable write
 *
 * No temporary copy of the data folder and no buffering beyond the pipes' chunks: the tar
 * bytes pass through once on their way to the compressor. Any failure (tar, compressor,
 * write, ENOSPC, abort) kills the others and removes the temporary archive file. The
 * manifest is NOT written here: the caller commits it last, after checking the archive.
 * Interruption: a `.tmp-…` file on the tape at worst (never listed; prune removes it).
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeExit, spawnProcess } from '../hosts/child-process.js';
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

/** Streams the data folder into the tape; resolves once the archive file is durable. */
export async function writeArchive(options: WriteArchiveOptions): Promise<WrittenArchive> {
    const { host, data, tape, id, compressor } = options;
    const abort = new AbortController();
    const onOuterAbort = (): void => abort.abort(options.signal!.reason);
    if (options.signal?.aborted) throw new Error('interrupted');
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
    const tar = host.tarOut(data, { signal: abort.signal });
    const comp = spawnProcess(compressor.command, compressor.args, { stdio: ['pipe', 'pipe', 'pipe'], signal: abort.signal });
    const compDone = comp.exited.then(r => {
        if (r.code !== 0) throw new Error(describeExit(compressor.command, r, comp.stderr.text()));
    }, (err: Error) => { throw new Error(`${compressor.command} could not be started: ${err.message}`); });

    let lastReport = 0;
    const scan = new Transform({
        highWaterMark: 1 << 20,
        transform(chunk: Buffer, _enc, cb) {
            try {
                scanner.write(chunk);
            } catch (err) {
                cb(err as Error);
                return;
            }
            if (options.onProgress && scanner.bytes - lastReport >= 1 << 20) {
                lastReport = scanner.bytes;
                options.onProgress(scanner.bytes);
            }
            cb(null, chunk);
        }
    });
    const hashing = new Transform({
        highWaterMark: 1 << 20,
        transform(chunk: Buffer, _enc, cb) {
            archiveHash.update(chunk);
            size += chunk.length;
            cb(null, chunk);
        }
    });

    const tasks = [
        tar.done.catch(fail),
        compDone.catch(fail),
        pipeline(tar.stream, scan, comp.child.stdin!).catch(fail),
        tape.writeArchive(id, compressor.kind, out => pipeline(comp.child.stdout!, hashing, out)).catch(fail)
    ];
    await Promise.allSettled(tasks);
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (options.signal?.aborted) throw new Error('interrupted while writing the archive');
    if (errors.length > 0) throw new Error(pickReason(errors));
    if (!scanner.complete) throw new Error('the tar stream ended early (no end-of-archive marker)');
    options.onProgress?.(scanner.bytes);
    return { file: tape.archiveFile(id, compressor.kind), size, sha256: archiveHash.digest('hex'), tarSize: scanner.bytes, entries: scanner.entries };
}

/** The most telling of several failures: a tool's own exit beats the broken pipes it caused. */
function pickReason(errors: Error[]): string {
    const space = errors.find(e => (e as NodeJS.ErrnoException).code === 'ENOSPC');
    if (space) return 'the tape is full (no space left on device)';
    const access = errors.find(e => ['EACCES', 'EPERM', 'EROFS'].includes((e as NodeJS.ErrnoException).code ?? ''));
    if (access) return `the tape is not writable (${(access as NodeJS.ErrnoException).code})`;
    const tool = errors.find(e => /^(tar|zstd|gzip) /.test(e.message) && !/EPIPE|Broken pipe/i.test(e.message));
    return (tool ?? errors[0]).message;
}
