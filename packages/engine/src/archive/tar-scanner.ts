/**
 * A streaming reader of tar headers: fed the bytes of a POSIX/pax (or ustar/GNU) tar
 * stream chunk by chunk, it records every entry with the SHA-256 of each file's content,
 * without buffering any file. Used while writing an archive (the bytes pass through on
 * their way to the compressor) and while verifying one.
 *
 *   loop: HEADER (512 bytes; checksum checked; zero block = end)
 *         'x' pax / 'L','K' GNU long names → collect, apply to the next header
 *         'g' global pax → ignored
 *         file → hash `size` bytes (sparse 1.0: read the map, hash zeros for holes)
 *         skip padding to the next 512-byte boundary
 *
 * Why not `tar-stream`: it emits a stream per entry (an object and a stream per file:
 * slow on many small files) and does not expand GNU sparse 1.0 files; this reader hashes
 * slices of the chunks it is handed (no copies) and is small enough to read.
 * Interruption: none (pure, in memory); an incomplete stream is reported by `finish()`.
 */
import { createHash, type Hash } from 'node:crypto';
import { mtimeString, type EntryType, type ManifestEntry } from './manifest.js';

const BLOCK = 512;
const ZEROS = Buffer.alloc(1 << 20);

type State = 'header' | 'data' | 'pad' | 'end';

interface Current {
    entry: ManifestEntry;
    kind: 'file' | 'pax' | 'longname' | 'longlink' | 'skip';
    /** Bytes of data stored in the stream after the header. */
    dataSize: number;
    remaining: number;
    hash?: Hash;
    collected?: Buffer[];
    /** Sparse 1.0: the map text being read, then the map. */
    sparse?: { mapText?: Buffer; map?: Array<[number, number]>; segment: number; logical: number; segLeft: number; realSize: number };
}

/** Reads a tar stream; see the module comment. */
export class TarScanner {
    readonly entries: ManifestEntry[] = [];
    /** Bytes consumed so far. */
    bytes = 0;
    private state: State = 'header';
    private header = Buffer.alloc(BLOCK);
    private headerFill = 0;
    private padLeft = 0;
    private current?: Current;
    private pax: Record<string, string> = {};
    private longName?: string;
    private longLink?: string;

    /** Feeds the next bytes of the stream (throws on a corrupt header). */
    write(chunk: Buffer): void {
        this.bytes += chunk.length;
        let pos = 0;
        while (pos < chunk.length) {
            switch (this.state) {
                case 'end':
                    return;
                case 'header': {
                    const n = Math.min(BLOCK - this.headerFill, chunk.length - pos);
                    if (this.headerFill === 0 && n === BLOCK) {
                        this.onHeader(chunk.subarray(pos, pos + BLOCK));
                    } else {
                        chunk.copy(this.header, this.headerFill, pos, pos + n);
                        this.headerFill += n;
                        if (this.headerFill === BLOCK) {
                            this.headerFill = 0;
                            this.onHeader(this.header);
                        }
                    }
                    pos += n;
                    break;
                }
                case 'data': {
                    const cur = this.current!;
                    const n = Math.min(cur.remaining, chunk.length - pos);
                    this.onData(cur, chunk.subarray(pos, pos + n));
                    cur.remaining -= n;
                    pos += n;
                    if (cur.remaining === 0) this.endEntry();
                    break;
                }
                case 'pad': {
                    const n = Math.min(this.padLeft, chunk.length - pos);
                    this.padLeft -= n;
                    pos += n;
                    if (this.padLeft === 0) this.state = 'header';
                    break;
                }
            }
        }
    }

    /** Whether the end-of-archive marker was seen. */
    get complete(): boolean {
        return this.state === 'end';
    }

    /** Throws when the stream ended before the end-of-archive marker. */
    finish(): ManifestEntry[] {
        if (this.state !== 'end') throw new Error('the tar stream is truncated (no end-of-archive marker)');
        return this.entries;
    }

    private onHeader(h: Buffer): void {
        if (isZero(h)) {
            this.state = 'end';
            return;
        }
        const stored = readNumber(h, 148, 8);
        let sum = 0;
        for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
        if (stored !== sum) throw new Error(`corrupt tar header after ${this.bytes} bytes (checksum mismatch)`);
        const flag = String.fromCharCode(h[156] || 48);
        const size = readNumber(h, 124, 12);
        const pax = this.pax;
        let name = this.longName ?? pax.path ?? joinName(readString(h, 345, 155), readString(h, 0, 100));
        const linkname = this.longLink ?? pax.linkpath ?? readString(h, 157, 100);
        const entry: ManifestEntry = {
            path: normalize(pax['GNU.sparse.name'] ?? name),
            type: typeOf(flag),
            size: 0,
            mode: readNumber(h, 100, 8) & 0o7777,
            uid: pax.uid !== undefined ? Number(pax.uid) : readNumber(h, 108, 8),
            gid: pax.gid !== undefined ? Number(pax.gid) : readNumber(h, 116, 8),
            mtime: mtimeString(pax.mtime ?? readNumber(h, 136, 12))
        };
        name = entry.path;
        const dataSize = pax.size !== undefined && !('GNU.sparse.major' in pax) ? Number(pax.size) : size;
        let kind: Current['kind'] = 'skip';
        if (flag === 'x') kind = 'pax';
        else if (flag === 'L') kind = 'longname';
        else if (flag === 'K') kind = 'longlink';
        else if (flag === 'g' || flag === 'V' || flag === 'M' || flag === 'N') kind = 'skip';
        else {
            this.pax = {};
            this.longName = undefined;
            this.longLink = undefined;
            if (entry.type === 'symlink' || entry.type === 'hardlink') entry.linkTarget = entry.type === 'hardlink' ? normalize(linkname) : linkname;
            if (entry.type === 'file') {
                kind = 'file';
                entry.size = dataSize;
                if (pax['GNU.sparse.major'] === '1') {
                    entry.size = Number(pax['GNU.sparse.realsize']);
                    entry.sparse = true;
                }
            }
            this.entries.push(entry);
        }
        const cur: Current = { entry, kind, dataSize, remaining: dataSize };
        if (kind === 'file') {
            cur.hash = createHash('sha256');
            if (entry.sparse) cur.sparse = { segment: -1, logical: 0, segLeft: 0, realSize: entry.size, mapText: Buffer.alloc(0) };
        }
        if (kind === 'pax' || kind === 'longname' || kind === 'longlink') cur.collected = [];
        this.current = cur;
        if (dataSize === 0) this.endEntry();
        else this.state = 'data';
    }

    private onData(cur: Current, bytes: Buffer): void {
        if (cur.collected) cur.collected.push(Buffer.from(bytes));
        else if (cur.sparse) this.onSparseData(cur, bytes);
        else cur.hash?.update(bytes);
    }

    /** GNU sparse 1.0: a decimal map (count, then offset/size pairs) padded to 512, then the segments' bytes. */
    private onSparseData(cur: Current, bytes: Buffer): void {
        const sp = cur.sparse!;
        let pos = 0;
        while (sp.map === undefined && pos < bytes.length) {
            const n = Math.min(BLOCK - (sp.mapText!.length % BLOCK), bytes.length - pos);
            sp.mapText = Buffer.concat([sp.mapText!, bytes.subarray(pos, pos + n)]);
            pos += n;
            if (sp.mapText.length % BLOCK !== 0) continue;
            const lines = sp.mapText.toString('latin1').split('\n');
            const count = Number(lines[0]);
            if (lines.length - 1 >= 1 + 2 * count) {
                // The map is complete once every number has been followed by a newline.
                const numbers = lines.slice(1, 1 + 2 * count).map(Number);
                sp.map = [];
                for (let i = 0; i < count; i++) sp.map.push([numbers[2 * i], numbers[2 * i + 1]]);
                sp.mapText = undefined;
                this.nextSegment(cur);
            }
        }
        while (pos < bytes.length && sp.map) {
            const n = Math.min(sp.segLeft, bytes.length - pos);
            cur.hash!.update(bytes.subarray(pos, pos + n));
            sp.segLeft -= n;
            sp.logical += n;
            pos += n;
            if (sp.segLeft === 0) this.nextSegment(cur);
            if (n === 0 && sp.segment >= sp.map.length) break;
        }
    }

    private nextSegment(cur: Current): void {
        const sp = cur.sparse!;
        sp.segment++;
        while (sp.segment < sp.map!.length) {
            const [offset, size] = sp.map![sp.segment];
            this.zeros(cur, offset - sp.logical);
            sp.logical = offset;
            if (size > 0) {
                sp.segLeft = size;
                return;
            }
            sp.segment++;
        }
    }

    private zeros(cur: Current, count: number): void {
        for (let left = count; left > 0; left -= ZEROS.length) cur.hash!.update(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
    }

    private endEntry(): void {
        const cur = this.current!;
        if (cur.kind === 'pax') this.pax = { ...this.pax, ...parsePax(Buffer.concat(cur.collected!)) };
        else if (cur.kind === 'longname') this.longName = cString(Buffer.concat(cur.collected!));
        else if (cur.kind === 'longlink') this.longLink = cString(Buffer.concat(cur.collected!));
        else if (cur.kind === 'file') {
            if (cur.sparse) {
                const sp = cur.sparse;
                if (!sp.map) throw new Error(`corrupt sparse map for ${cur.entry.path}`);
                this.zeros(cur, sp.realSize - sp.logical);
            }
            cur.entry.sha256 = cur.hash!.digest('hex');
        }
        this.current = undefined;
        this.padLeft = (BLOCK - (cur.dataSize % BLOCK)) % BLOCK;
        this.state = this.padLeft > 0 ? 'pad' : 'header';
    }
}

function isZero(b: Buffer): boolean {
    for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
    return true;
}

function readString(b: Buffer, offset: number, length: number): string {
    const end = b.indexOf(0, offset);
    return b.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
}

function cString(b: Buffer): string {
    const end = b.indexOf(0);
    return b.toString('utf8', 0, end === -1 ? b.length : end);
}

/** An octal field, or GNU base-256 when the high bit of the first byte is set. */
function readNumber(b: Buffer, offset: number, length: number): number {
    if (b[offset] & 0x80) {
        let v = b[offset] & 0x7f;
        for (let i = 1; i < length; i++) v = v * 256 + b[offset + i];
        return v;
    }
    const text = b.toString('latin1', offset, offset + length).replace(/[\0 ]+$/g, '').replace(/^[\0 ]+/, '');
    return text === '' ? 0 : parseInt(text, 8);
}

function joinName(prefix: string, name: string): string {
    return prefix ? `${prefix}/${name}` : name;
}

/** `./a/b/` → `a/b`; `./` → `.`. */
function normalize(name: string): string {
    let n = name.replace(/^\.\/+/, '').replace(/\/+$/, '');
    if (n === '' || n === '.') n = '.';
    return n;
}

function typeOf(flag: string): EntryType {
    switch (flag) {
        case '0': case '\0': case '7': return 'file';
        case '1': return 'hardlink';
        case '2': return 'symlink';
        case '3': return 'chardev';
        case '4': return 'blockdev';
        case '5': return 'dir';
        case '6': return 'fifo';
        default: return 'file';
    }
}

/** `LEN key=value\n` records (UTF-8). */
function parsePax(b: Buffer): Record<string, string> {
    const out: Record<string, string> = {};
    let pos = 0;
    while (pos < b.length) {
        const space = b.indexOf(0x20, pos);
        if (space === -1) break;
        const len = parseInt(b.toString('latin1', pos, space), 10);
        if (!(len > 0)) break;
        const record = b.toString('utf8', space + 1, pos + len - 1);
        const eq = record.indexOf('=');
        if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
        pos += len;
    }
    return out;
}
