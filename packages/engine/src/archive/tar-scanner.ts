/**
 * A streaming reader of tar headers: fed the bytes of a POSIX/pax (or GNU) tar stream
 * chunk by chunk, it records every entry with the SHA-256 of each file's content, without
 * buffering any file. Used while writing an archive (the bytes pass through on their way
 * to the compressor), while verifying one, and as the gate in front of `tar -x`.
 *
 *   loop: HEADER (512 bytes, decoded strictly: tar-header.ts)
 *         zero block → the next must be zero too, then only zeros follow
 *         'x' pax / 'g' global pax / 'L','K' GNU long names → collect (pax-records.ts);
 *             they apply to the next entry (global: to every later one) as in GNU tar
 *         entry → its view is GNU tar's (pax path > long name > header); anything GNU
 *             tar would read otherwise, guess at or warn about is refused
 *         file → hash `size` bytes (sparse 1.0: read the map, hash zeros for holes)
 *         skip padding to the next 512-byte boundary
 *
 * Strict on purpose: the restore gate checks the entries seen here before `tar -x` gets
 * their bytes, so the two must never disagree; whatever this reader cannot read exactly
 * as GNU tar does throws TarFormatError instead (test/tar-fuzz.test.ts compares both).
 * Why not `tar-stream`: it emits a stream per entry (an object and a stream per file:
 * slow on many small files) and does not expand GNU sparse 1.0 files; this reader hashes
 * slices of the chunks it is handed (no copies) and is small enough to read.
 * Interruption: none (pure, in memory); an incomplete stream is reported by `finish()`.
 */
import { createHash, type Hash } from 'node:crypto';
import { mtimeString, type ManifestEntry } from './manifest.js';
import { effectivePax, parsePax, type PaxRecords } from './pax-records.js';
import { shownName } from '../schema/shown-name.js';
import { BLOCK, decodeHeader, MAX_META_SIZE, TarFormatError, type HeaderKind, type RawHeader } from './tar-header.js';

export { TarFormatError } from './tar-header.js';

const ZEROS = Buffer.alloc(1 << 20);
/** GNU tar reads a sparse map number of at most 20 digits. */
const SPARSE_NUMBER = /^[0-9]{1,20}$/;

type State = 'header' | 'data' | 'pad' | 'zero' | 'end';

interface Current {
    /** The entry (for an entry header; undefined for x/g/L/K). */
    entry?: ManifestEntry;
    kind: 'file' | 'skip' | Exclude<HeaderKind, 'entry'>;
    /** Stream offset of the header. */
    at: number;
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
    /** The last global header's records (GNU tar: each `g` replaces the previous set). */
    private global: PaxRecords = {};
    /** The pending `x` header's records, long name and long link. */
    private pax?: PaxRecords;
    private longName?: string;
    private longLink?: string;

    /** Feeds the next bytes of the stream (throws TarFormatError on what it cannot read exactly). */
    write(chunk: Buffer): void {
        const base = this.bytes;
        this.bytes += chunk.length;
        let pos = 0;
        while (pos < chunk.length) {
            switch (this.state) {
                case 'end': {
                    const bad = chunk.findIndex((b, i) => i >= pos && b !== 0);
                    if (bad !== -1) throw new TarFormatError(base + bad, 'data after the end-of-archive marker');
                    return;
                }
                case 'header':
                case 'zero': {
                    const n = Math.min(BLOCK - this.headerFill, chunk.length - pos);
                    const at = base + pos + n - BLOCK;
                    if (this.headerFill === 0 && n === BLOCK) {
                        this.onBlock(chunk.subarray(pos, pos + BLOCK), at);
                    } else {
                        chunk.copy(this.header, this.headerFill, pos, pos + n);
                        this.headerFill += n;
                        if (this.headerFill === BLOCK) {
                            this.headerFill = 0;
                            this.onBlock(this.header, at);
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
        if (this.state !== 'end') throw new TarFormatError(this.bytes, 'the tar stream is truncated (no end-of-archive marker)');
        return this.entries;
    }

    private onBlock(h: Buffer, at: number): void {
        if (this.state === 'zero') {
            if (!isZero(h)) this.refuse(at, 'a lone zero block inside the archive (GNU tar would stop there)');
            this.state = 'end';
        } else {
            this.onHeader(h, at);
        }
    }

    private onHeader(h: Buffer, at: number): void {
        if (isZero(h)) {
            // GNU tar stops at the first zero block but lists nothing after a lone one:
            // a stream must end with two, then only zeros.
            if (this.longName !== undefined || this.longLink !== undefined || this.pax) this.refuse(at, 'an extended header is followed by the end of the archive');
            this.state = 'zero';
            return;
        }
        const raw = decodeHeader(h, at);
        if (raw.kind !== 'entry') return this.onMetaHeader(raw, at);
        const pax = effectivePax(this.global, this.pax);
        const dataSize = pax.size !== undefined ? Number(pax.size) : raw.size;
        const sparse = pax['GNU.sparse.major'] !== undefined;
        // GNU tar: pax path (GNU.sparse.name first) wins over a GNU long name, which wins over the header.
        const name = pax['GNU.sparse.name'] ?? pax.path ?? this.longName ?? raw.name;
        const link = pax.linkpath ?? this.longLink ?? raw.linkname;
        const entry: ManifestEntry = {
            path: normalize(name),
            type: raw.type!,
            size: 0,
            mode: raw.mode,
            uid: pax.uid !== undefined ? Number(pax.uid) : raw.uid,
            gid: pax.gid !== undefined ? Number(pax.gid) : raw.gid,
            mtime: mtimeString(pax.mtime ?? raw.mtime)
        };
        this.checkEntry(entry, name, link, dataSize, sparse, at);
        this.pax = undefined;
        this.longName = undefined;
        this.longLink = undefined;
        if (entry.type === 'symlink') entry.linkTarget = link;
        if (entry.type === 'hardlink') entry.linkTarget = normalize(link);
        const cur: Current = { entry, kind: 'skip', at, dataSize, remaining: dataSize };
        if (entry.type === 'file') {
            cur.kind = 'file';
            cur.hash = createHash('sha256');
            entry.size = dataSize;
            if (sparse) {
                entry.size = Number(pax['GNU.sparse.realsize']);
                entry.sparse = true;
                cur.sparse = { segment: -1, logical: 0, segLeft: 0, realSize: entry.size, mapText: Buffer.alloc(0) };
            }
        }
        this.entries.push(entry);
        this.begin(cur);
    }

    /** What GNU tar would read otherwise than this reader, or warn about, is refused. */
    private checkEntry(entry: ManifestEntry, name: string, link: string, dataSize: number, sparse: boolean, at: number): void {
        const shown = shownName(name);
        if (name === '') this.refuse(at, 'an entry has an empty name');
        if (entry.type !== 'dir' && name.endsWith('/')) this.refuse(at, `${shown} is a ${entry.type} whose name ends with "/" (GNU tar would make a folder)`);
        if (entry.type !== 'file' && dataSize !== 0) this.refuse(at, `${shown} is a ${entry.type} with ${dataSize} bytes of data`);
        if (sparse && entry.type !== 'file') this.refuse(at, `${shown} is a ${entry.type} with a sparse map`);
        if ((entry.type === 'symlink' || entry.type === 'hardlink') && link === '') this.refuse(at, `${shown} is a ${entry.type} with no target`);
        if (entry.type !== 'symlink' && entry.type !== 'hardlink' && link !== '') this.refuse(at, `${shown} is a ${entry.type} with a link target`);
    }

    /** An `x`, `g`, 'L' or 'K' header: its data is collected and applies to the next entry. */
    private onMetaHeader(raw: RawHeader, at: number): void {
        if (raw.size > MAX_META_SIZE) this.refuse(at, `a ${raw.flag} header of ${raw.size} bytes`);
        // GNU tar keeps only the last of two `x` (or two 'L') headers before an entry: refused.
        const pending = raw.kind === 'pax' ? this.pax : raw.kind === 'longname' ? this.longName : raw.kind === 'longlink' ? this.longLink : undefined;
        if (pending !== undefined) this.refuse(at, `two '${raw.flag}' headers before one entry`);
        if (raw.kind === 'global' && (this.pax || this.longName !== undefined || this.longLink !== undefined)) this.refuse(at, 'a global header between an extended header and its entry');
        this.begin({ entry: undefined, kind: raw.kind as Exclude<HeaderKind, 'entry'>, dataSize: raw.size, remaining: raw.size, collected: [], at });
    }

    private begin(cur: Current): void {
        this.current = cur;
        if (cur.dataSize === 0) this.endEntry();
        else this.state = 'data';
    }

    private refuse(at: number, why: string): never {
        throw new TarFormatError(at, why);
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
            if (sp.mapText.length % BLOCK === 0) this.readSparseMap(cur);
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

    /** Once every number of the map has its newline: the map, checked against the sizes. */
    private readSparseMap(cur: Current): void {
        const sp = cur.sparse!;
        const fail = (why: string): never => this.refuse(cur.at, `the sparse map of ${shownName(cur.entry!.path)} ${why}`);
        if (sp.mapText!.length > MAX_META_SIZE) fail('is too long');
        const lines = sp.mapText!.toString('latin1').split('\n');
        if (lines.length < 2) return;
        if (!SPARSE_NUMBER.test(lines[0])) fail('does not start with a count');
        const count = Number(lines[0]);
        if (lines.length - 1 < 1 + 2 * count) {
            if (lines.slice(0, -1).some(l => !SPARSE_NUMBER.test(l))) fail('holds something else than numbers');
            return;
        }
        const numbers = lines.slice(1, 1 + 2 * count).map(l => SPARSE_NUMBER.test(l) ? Number(l) : fail('holds something else than numbers'));
        sp.map = [];
        let end = 0;
        let stored = 0;
        for (let i = 0; i < count; i++) {
            const [offset, size] = [numbers[2 * i], numbers[2 * i + 1]];
            if (offset < end || offset + size > sp.realSize) fail('has overlapping segments or segments past the file\'s size');
            sp.map.push([offset, size]);
            end = offset + size;
            stored += size;
        }
        if (sp.mapText!.length + stored !== cur.dataSize) fail(`and its segments take ${sp.mapText!.length + stored} bytes, the header says ${cur.dataSize}`);
        sp.mapText = undefined;
        this.nextSegment(cur);
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
        const data = (): Buffer => Buffer.concat(cur.collected!);
        const fail = (why: string): never => this.refuse(cur.at, why);
        if (cur.kind === 'pax') this.pax = parsePax(data(), cur.at, false);
        else if (cur.kind === 'global') this.global = parsePax(data(), cur.at, true);
        else if (cur.kind === 'longname') this.longName = cString(data(), 'long name', fail);
        else if (cur.kind === 'longlink') this.longLink = cString(data(), 'long link name', fail);
        else if (cur.kind === 'file') {
            if (cur.sparse) {
                const sp = cur.sparse;
                if (!sp.map) fail(`the sparse map of ${shownName(cur.entry!.path)} is incomplete`);
                this.zeros(cur, sp.realSize - sp.logical);
            }
            cur.entry!.sha256 = cur.hash!.digest('hex');
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

/** A GNU long name: up to its first NUL. */
function cString(b: Buffer, what: string, fail: (why: string) => never): string {
    const end = b.indexOf(0);
    const name = b.toString('utf8', 0, end === -1 ? b.length : end);
    if (name === '') fail(`an empty ${what}`);
    return name;
}

/** `./a/b/` → `a/b`; `./` → `.`. */
function normalize(name: string): string {
    let n = name.replace(/^\.\/+/, '').replace(/\/+$/, '');
    if (n === '' || n === '.') n = '.';
    return n;
}
