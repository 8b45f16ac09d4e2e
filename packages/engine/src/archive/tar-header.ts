/**
 * Decoding one 512-byte tar header the way GNU tar 1.34 does (list.c: tar_checksum,
 * from_header, read_header), refusing whatever GNU tar would read with an error, a guess
 * or a warning: the streaming reader (tar-scanner.ts) must see exactly the entry `tar -x`
 * will write, or throw.
 *
 *   checksum: octal; equal to the unsigned or the signed byte sum (chksum as blanks)
 *   numbers:  one leading NUL and leading blanks skipped, octal digits, then the end of
 *             the field, a NUL or a blank; or base-256 (high bit, positive only)
 *   magic:    "ustar\0" + "00" (POSIX: prefix + "/" + name) or "ustar  \0" (GNU: no prefix)
 *   strings:  up to the first NUL, as UTF-8; invalid bytes become U+FFFD, which the
 *             manifest marks as undecodable (manifest.ts) and a restore refuses
 * Interruption: none (pure).
 */
import type { EntryType } from './manifest.js';

export const BLOCK = 512;
/** The most a name, a link or a pax header may take (GNU tar has no limit; a hostile
 *  stream must not make this process buffer gigabytes). */
export const MAX_META_SIZE = 8 << 20;

/** Thrown when a tar stream holds something the reader cannot read exactly as GNU tar does. */
export class TarFormatError extends Error {
    constructor(readonly offset: number, readonly reason: string) {
        super(`the tar stream is refused at byte ${offset}: ${reason}`);
    }
}

/** How the reader treats a typeflag. */
export type HeaderKind = 'entry' | 'pax' | 'global' | 'longname' | 'longlink';

const ENTRY_TYPES: Record<string, EntryType> = {
    '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'chardev', '4': 'blockdev', '5': 'dir', '6': 'fifo'
};
const META: Record<string, HeaderKind> = { x: 'pax', g: 'global', L: 'longname', K: 'longlink' };

/** The fields of a header that matter to an entry, decoded and checked. */
export interface RawHeader {
    kind: HeaderKind;
    type?: EntryType;
    flag: string;
    /** prefix/name (POSIX) or name (GNU), not yet normalized. */
    name: string;
    linkname: string;
    size: number;
    mode: number;
    uid: number;
    gid: number;
    mtime: number;
}

/** Decodes a non-zero header block found at stream offset `at`; throws TarFormatError. */
export function decodeHeader(h: Buffer, at: number): RawHeader {
    const fail = (why: string): never => { throw new TarFormatError(at, why); };
    checkChecksum(h, fail);
    const flag = String.fromCharCode(h[156]);
    const kind: HeaderKind | undefined = ENTRY_TYPES[flag] ? 'entry' : META[flag];
    if (!kind) fail(`unknown header type ${JSON.stringify(flag)} (GNU tar would guess)`);
    const magic = h.toString('latin1', 257, 265);
    const posix = magic === 'ustar\u000000';
    if (!posix && magic !== 'ustar  \u0000') fail(`unknown header format (magic ${JSON.stringify(magic)})`);
    const num = (offset: number, length: number, field: string): number => readNumber(h, offset, length, field, fail);
    const size = num(124, 12, 'size');
    const raw: RawHeader = { kind: kind!, flag, name: '', linkname: '', size, mode: 0, uid: 0, gid: 0, mtime: 0 };
    if (kind !== 'entry') return raw;
    const name = readString(h, 0, 100);
    const prefix = posix ? readString(h, 345, 155) : '';
    return {
        ...raw, type: ENTRY_TYPES[flag], name: prefix ? `${prefix}/${name}` : name, linkname: readString(h, 157, 100),
        mode: num(100, 8, 'mode') & 0o7777, uid: num(108, 8, 'uid'), gid: num(116, 8, 'gid'), mtime: num(136, 12, 'mtime')
    };
}

/** GNU tar accepts the recorded sum if it equals the unsigned or the signed byte sum. */
function checkChecksum(h: Buffer, fail: (why: string) => never): void {
    let unsigned = 0;
    let signed = 0;
    for (let i = 0; i < BLOCK; i++) {
        const b = i >= 148 && i < 156 ? 32 : h[i];
        unsigned += b;
        signed += b > 127 ? b - 256 : b;
    }
    if (h[148] & 0x80) fail('the header checksum is not octal');
    const stored = readNumber(h, 148, 8, 'checksum', fail);
    if (stored !== unsigned && stored !== signed) fail('the header checksum does not match');
}

/** A numeric field as GNU tar's from_header reads it (octal or positive base-256), strictly. */
export function readNumber(b: Buffer, offset: number, length: number, field: string, fail: (why: string) => never): number {
    const end = offset + length;
    if (b[offset] === 0x80) {
        let v = 0;
        for (let i = offset + 1; i < end; i++) v = v * 256 + b[i];
        if (!Number.isSafeInteger(v)) fail(`the ${field} field is too large`);
        return v;
    }
    if (b[offset] & 0x80) fail(`the ${field} field is negative or not a number`);
    let i = offset + (b[offset] === 0 ? 1 : 0);
    while (i < end && isSpace(b[i])) i++;
    if (i === end) fail(`the ${field} field is blank`);
    let v = 0;
    for (; i < end && b[i] >= 0x30 && b[i] <= 0x37; i++) v = v * 8 + (b[i] - 0x30);
    if (i < end && b[i] !== 0 && !isSpace(b[i])) fail(`the ${field} field is not an octal number`);
    if (!Number.isSafeInteger(v)) fail(`the ${field} field is too large`);
    return v;
}

function isSpace(c: number): boolean {
    return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** A NUL-terminated string field. */
export function readString(b: Buffer, offset: number, length: number): string {
    const nul = b.indexOf(0, offset);
    return b.toString('utf8', offset, nul === -1 || nul > offset + length ? offset + length : nul);
}
