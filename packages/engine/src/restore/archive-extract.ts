/**
 * Streaming an archive (or a live server's tar stream) into a staging folder on a host,
 * through a gate that sees every tar header before `tar -x` does.
 *
 *   source bytes ─► [decompressor reading the archive file] ─► gate ─► host.tarIn(staging)
 *   gate, per chunk: feed the TarScanner (it throws TarFormatError on any header it
 *                    cannot read exactly as GNU tar does); every entry it began in this
 *                    chunk must be safe (archive/entry-safety.ts) and, for an archive, equal to
 *                    the manifest's entry at the same position (path, type, link) — only
 *                    then is the chunk passed on, so a refused header never reaches tar
 *   end: the scanner saw the end-of-archive marker; its per-file SHA-256s are returned
 *
 * Any failure kills every process of the pipe (nothing is retried).
 * Interruption: the staging folder holds what was extracted so far; callers remove it.
 */
import { ToolExitError } from '../hosts/tool-exit-error.js';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressorFor } from '../archiver/compression.js';
import type { Manifest, ManifestEntry } from '../archive/manifest.js';
import { shownName } from '../schema/shown-name.js';
import { TarFormatError, TarScanner } from '../archive/tar-scanner.js';
import { spawnProcess } from '../hosts/child-process.js';
import { assertRegularFile } from '../schema/untrusted-file.js';
import type { Host, HostStream, ToolVersions } from '../hosts/host.js';
import { SafeEntryChecker, UnsafeEntryError } from '../archive/entry-safety.js';

export interface GateOptions {
    /** Entries the stream must hold, in order (an archive's manifest). */
    expected?: readonly ManifestEntry[];
    onProgress?: (bytes: number) => void;
}

/** A pass-through that refuses unsafe or unexpected entries before passing their bytes on. */
export function createEntryGate(options: GateOptions = {}): { gate: Transform; scanner: TarScanner } {
    const scanner = new TarScanner();
    const checker = new SafeEntryChecker();
    let checked = 0;
    let lastReport = 0;
    const gate = new Transform({
        highWaterMark: 1 << 20,
        transform(chunk: Buffer, _e, cb) {
            try {
                scanner.write(chunk);
                for (; checked < scanner.entries.length; checked++) {
                    const got = scanner.entries[checked];
                    checker.check(got);
                    const want = options.expected?.[checked];
                    if (options.expected && (!want || want.path !== got.path || want.type !== got.type || (want.linkTarget ?? '') !== (got.linkTarget ?? ''))) {
                        throw new UnsafeEntryError(got.path, want ? `the manifest lists ${shownName(want.path)} (${want.type}) at this position` : 'the manifest does not list it');
                    }
                }
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
    return { gate, scanner };
}

/** Pumps a tar source through the gate into `tar -x` on a host; resolves with what passed. */
export async function pumpThroughGate(source: Readable, sourceDone: Promise<void>, sink: HostStream<Writable>,
    options: GateOptions & { abort: AbortController }): Promise<ManifestEntry[]> {
    const { gate, scanner } = createEntryGate(options);
    const errors: Error[] = [];
    // `tar -x` may exit as soon as it has read the end-of-archive marker, before the record's
    // padding after it has been written: the broken pipe that follows (and the source killed
    // by SIGPIPE) is no failure once the gate has seen the marker. tar's own exit still counts.
    const afterEnd = (e: Error): boolean => scanner.complete
        && /EPIPE|premature close|write after end|SIGPIPE|broken pipe/i.test(`${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`);
    const fail = (err: unknown): void => {
        const e = err instanceof Error ? err : new Error(String(err));
        if (afterEnd(e)) return;
        errors.push(e);
        options.abort.abort();
    };
    await Promise.allSettled([
        sourceDone.catch(fail),
        sink.done.catch(fail),
        pipeline(source, gate, sink.stream).catch(fail)
    ]);
    if (errors.length) throw pickError(errors);
    if (!scanner.complete) throw new Error('the tar stream ended early (no end-of-archive marker)');
    if (options.expected && scanner.entries.length !== options.expected.length) {
        throw new Error(`the archive holds ${scanner.entries.length} entries, the manifest lists ${options.expected.length}`);
    }
    return scanner.entries;
}

/** The error that explains the others: a refused entry or header, then a tool's own exit, then the rest. */
function pickError(errors: Error[]): Error {
    return errors.find(e => e instanceof UnsafeEntryError)
        ?? errors.find(e => e instanceof TarFormatError)
        ?? errors.find(e => /^(tar|zstd|gzip) /.test(e.message) && !/EPIPE|Broken pipe/i.test(e.message))
        ?? errors.find(e => !/EPIPE|premature close|write after end/i.test(e.message))
        ?? errors[0];
}

export interface ExtractArchiveOptions {
    archivePath: string;
    manifest: Manifest;
    host: Host;
    /** An existing, empty folder on the host. */
    into: string;
    /** Extract only these archive paths (`./People`) and what is below them; the whole stream is still checked. */
    members?: readonly string[];
    tools: ToolVersions;
    signal?: AbortSignal;
    onProgress?: (tarBytes: number) => void;
}

/** Extracts an archive from the tape into a folder on a host, every header gated. */
export async function extractArchive(options: ExtractArchiveOptions): Promise<ManifestEntry[]> {
    const abort = new AbortController();
    const onOuter = (): void => abort.abort();
    if (options.signal?.aborted) throw new Error('interrupted');
    options.signal?.addEventListener('abort', onOuter, { once: true });
    try {
        const dec = decompressorFor(options.manifest.archive.compression, options.tools);
        await assertRegularFile(options.archivePath); // a FIFO or device would hang the decompressor
        // The decompressor reads the archive file itself: its bytes need not pass through here.
        const proc = spawnProcess(dec.command, [...dec.args, '--', options.archivePath], { stdio: ['ignore', 'pipe', 'pipe'], signal: abort.signal });
        const decDone = proc.exited.then(r => {
            if (r.code !== 0 && !abort.signal.aborted) throw new ToolExitError(dec.command, r, proc.stderr.text());
        }, (err: Error) => { throw new Error(`${dec.command} could not be started: ${err.message}`); });
        const sink = options.host.tarIn(options.into, { signal: abort.signal, members: options.members });
        const entries = await pumpThroughGate(proc.child.stdout!, decDone, sink, {
            expected: options.manifest.entries, onProgress: options.onProgress, abort
        });
        if (options.signal?.aborted) throw new Error('interrupted');
        return entries;
    } finally {
        options.signal?.removeEventListener('abort', onOuter);
    }
}
