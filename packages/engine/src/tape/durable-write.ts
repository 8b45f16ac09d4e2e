/**
 * The one durable write path of the engine (archives, manifests, verification records,
 * run records, locks' siblings). Every caller goes through `durableWrite`.
 *
 *   open DIR/.tmp-NAME-PID-RAND (O_EXCL) → write (stream or bytes) → fsync file → close
 *   → rename to DIR/NAME → fsync DIR
 *
 * Interruption: before the rename, only a `.tmp-…` file exists (never listed; `prune`
 * removes it); after the rename the file is complete and durable once the folder's fsync
 * returns. A failed write removes its temporary file.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import * as path from 'node:path';

/** Prefix of temporary files (ignored by listings, removed by prune). */
export const TEMP_PREFIX = '.tmp-';

/**
 * Content for `durableWrite`: bytes; a function that writes to a stream and ends it; or
 * `{ writeFile }`, a function that has the file at the given (temporary) path written —
 * by a child process, say — and resolves once it is complete.
 */
export type DurableContent = string | Uint8Array | ((out: Writable) => Promise<void>) | { writeFile: (tmpPath: string) => Promise<void> };

/** Writes DIR/NAME durably (see module comment). Resolves once the rename is on disk. */
export async function durableWrite(dir: string, name: string, content: DurableContent): Promise<void> {
    const tmp = path.join(dir, `${TEMP_PREFIX}${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
        if (typeof content === 'function') {
            const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644, highWaterMark: 1 << 20 });
            await new Promise<void>((resolve, reject) => {
                out.once('open', () => resolve());
                out.once('error', reject);
            });
            await content(out);
            await finished(out);
        } else if (typeof content === 'object' && 'writeFile' in content) {
            await fs.writeFile(tmp, '', { flag: 'wx', mode: 0o644 });
            await content.writeFile(tmp);
        } else {
            await fs.writeFile(tmp, content, { flag: 'wx', mode: 0o644 });
        }
        // fsync applies to the file, whichever descriptor asks: the write stream has
        // closed its own, so sync through a fresh one.
        const handle = await fs.open(tmp, 'r');
        try {
            await handle.sync();
        } finally {
            await handle.close();
        }
        await fs.rename(tmp, path.join(dir, name));
    } catch (err) {
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        throw err;
    }
    await fsyncDir(dir);
}

/** fsyncs a folder so that a rename or unlink in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
    const handle = await fs.open(dir, 'r');
    try {
        await handle.sync();
    } finally {
        await handle.close();
    }
}
