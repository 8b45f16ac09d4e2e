/**
 * Opening files Backplan did not write in this process. Everything on a tape or in the
 * state folder may have been replaced by anyone who can write there: by a FIFO (a read
 * would wait for a writer for ever), a device, a symlink to either, or a huge file.
 *
 *   open O_RDONLY | O_NOFOLLOW | O_NONBLOCK   a symlink fails (ELOOP); a FIFO opens at once
 *   fstat the open file                        not a regular file → UntrustedFileError
 *   (readUntrustedText) size > limit → refuse, else read it whole from that descriptor
 *
 * The checks are made on the descriptor that is then read, so a file swapped after the
 * check is never the one read. Interruption: nothing is written.
 */
import { constants, promises as fs } from 'node:fs';
import { shownName } from '../schema/shown-name.js';

/** Thrown when a file on a tape or in the state folder is not a regular file, or too big. */
export class UntrustedFileError extends Error {
    constructor(readonly file: string, readonly reason: string) {
        super(`${shownName(file)} ${reason}`);
    }
}

const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** What a file is, in words (for refusals). */
function kindOf(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean }): string {
    if (st.isFIFO()) return 'a FIFO';
    if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
    if (st.isSocket()) return 'a socket';
    if (st.isDirectory()) return 'a folder';
    return 'not a regular file';
}

/** Opens a regular file for reading, never following a symlink and never blocking on a FIFO. */
export async function openRegularFile(file: string): Promise<fs.FileHandle> {
    let handle: fs.FileHandle;
    try {
        handle = await fs.open(file, FLAGS);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ELOOP') throw new UntrustedFileError(file, 'is a symlink: only regular files are read from a tape or the state folder');
        throw err;
    }
    const st = await handle.stat();
    if (!st.isFile()) {
        await handle.close();
        throw new UntrustedFileError(file, `is ${kindOf(st)}, not a regular file: refused`);
    }
    return handle;
}

/** Throws UntrustedFileError unless `file` is a regular file (not a symlink to one). */
export async function assertRegularFile(file: string): Promise<number> {
    const handle = await openRegularFile(file);
    try {
        return (await handle.stat()).size;
    } finally {
        await handle.close();
    }
}

/** A regular file's bytes, refused when it is larger than `maxBytes`. */
export async function readUntrustedBytes(file: string, maxBytes: number): Promise<Buffer> {
    const handle = await openRegularFile(file);
    try {
        const { size } = await handle.stat();
        if (size > maxBytes) throw new UntrustedFileError(file, `is ${size} bytes, more than the ${maxBytes} a file of this kind may hold: refused`);
        return await handle.readFile();
    } finally {
        await handle.close();
    }
}

/** A regular file's text, refused when it is larger than `maxBytes`. */
export async function readUntrustedText(file: string, maxBytes: number): Promise<string> {
    return (await readUntrustedBytes(file, maxBytes)).toString('utf8');
}
