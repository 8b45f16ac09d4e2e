/**
 * The streaming tar reader against GNU tar's own listing, on archives generated from a
 * seeded PRNG (the same ones on every run): archives made by GNU tar (odd and long names,
 * long links, hardlinks, sparse files; posix, gnu and ustar formats), archives built here
 * header by header (pax `x` and `g` records, GNU long names, data on folders …), and
 * byte-level mutations of both (header bytes and numeric fields with or without a fixed
 * checksum, typeflags, pax record lengths/keys/values, sparse maps, zero blocks, truncation).
 * For each, either the reader refuses (TarFormatError), or GNU tar lists it without an
 * error and both see the same entries: names, types, link targets, sizes, modes, owners.
 * tar runs once per archive from one shell loop (one process tree, not 2,000 spawns).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../src/archive/manifest.js';
import { TarFormatError, TarScanner } from '../src/archive/tar-scanner.js';
import { splitEntryPath } from '../src/archive/entry-safety.js';

const COUNT = 2100;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backplan-tarfuzz-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** mulberry32: small, seeded, good enough to pick mutations. */
function prng(seed: number): { int: (n: number) => number; pick: <T>(xs: readonly T[]) => T; chance: (p: number) => boolean } {
    let a = seed >>> 0;
    const next = (): number => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (n: number): number => Math.floor(next() * n);
    return { int, pick: xs => xs[int(xs.length)], chance: p => next() < p };
}
type Rand = ReturnType<typeof prng>;

// ---- archives made by GNU tar -------------------------------------------------------

function gnuTarBases(): Buffer[] {
    const tree = path.join(dir, 'tree');
    const w = (rel: string, data: string | Buffer = rel): void => {
        fs.mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
        fs.writeFileSync(path.join(tree, rel), data);
    };
    w('plain.txt', 'hello\n');
    w('sp ace/"quoted" $(x).txt');
    w('back\\slash\nnewline');
    w('ünïcödé/ファイル');
    w(`${'d'.repeat(90)}/${'n'.repeat(120)}`);
    w(`${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(60)}/${'e'.repeat(80)}`, Buffer.alloc(3000, 1));
    fs.mkdirSync(path.join(tree, 'empty dir'));
    fs.symlinkSync('plain.txt', path.join(tree, 'link'));
    fs.symlinkSync(`../${'t'.repeat(150)}/x`, path.join(tree, 'long-link'));
    fs.symlinkSync('/etc/passwd', path.join(tree, 'abs-link'));
    fs.linkSync(path.join(tree, 'plain.txt'), path.join(tree, 'hard'));
    fs.linkSync(path.join(tree, 'plain.txt'), path.join(tree, `hard-${'h'.repeat(120)}`));
    execFileSync('mkfifo', [path.join(tree, 'fifo')]);
    const fd = fs.openSync(path.join(tree, 'holes'), 'w');
    fs.writeSync(fd, 'x', 70_000);
    fs.writeSync(fd, 'y', 300_000);
    fs.ftruncateSync(fd, 400_000);
    fs.closeSync(fd);
    const short = path.join(dir, 'short');
    fs.mkdirSync(path.join(short, 'd'), { recursive: true });
    fs.writeFileSync(path.join(short, 'd', 'f'), 'f');
    fs.symlinkSync('d/f', path.join(short, 's'));
    const make = (args: string[], from: string): Buffer => execFileSync('tar', ['--create', '--file=-', '--numeric-owner', ...args, '-C', from, '.'], { maxBuffer: 1 << 26 });
    return [
        make(['--format=posix', '--sparse', '--pax-option=delete=atime,delete=ctime'], tree),
        make(['--format=posix'], tree),
        make(['--format=gnu'], tree),
        make(['--format=gnu', '--sparse'], tree),
        make(['--format=ustar'], short),
        make(['--format=posix', '--sparse'], short)
    ];
}

// ---- archives built header by header ----------------------------------------------

interface Hdr { name: string; type: string; size?: number; link?: string; mode?: number; uid?: number; gid?: number; gnu?: boolean; data?: Buffer }

function header(h: Hdr): Buffer {
    const b = Buffer.alloc(512);
    const put = (s: string, off: number, len: number): void => { Buffer.from(s, 'utf8').subarray(0, len).copy(b, off); };
    const oct = (n: number, len: number): string => n.toString(8).padStart(len - 1, '0');
    put(h.name, 0, 100);
    put(oct(h.mode ?? 0o644, 8), 100, 8);
    put(oct(h.uid ?? 0, 8), 108, 8);
    put(oct(h.gid ?? 0, 8), 116, 8);
    put(oct(h.size ?? h.data?.length ?? 0, 12), 124, 12);
    put(oct(1_600_000_000, 12), 136, 12);
    b.write(h.type, 156, 'latin1');
    put(h.link ?? '', 157, 100);
    b.write(h.gnu ? 'ustar  \0' : 'ustar\u000000', 257, 'latin1');
    fixChecksum(b);
    return b;
}

function fixChecksum(b: Buffer, at = 0): void {
    b.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (let i = at; i < at + 512; i++) sum += b[i];
    b.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
}

function record(key: string, value: string): string {
    const body = ` ${key}=${value}\n`;
    let n = Buffer.byteLength(body) + 1;
    while (String(n).length + Buffer.byteLength(body) !== n) n++;
    return `${n}${body}`;
}

function member(h: Hdr): Buffer {
    const data = h.data ?? Buffer.alloc(h.size ?? 0, 0x61);
    return Buffer.concat([header({ ...h, size: h.size ?? data.length }), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const NAMES = ['a', 'dir', 'ü', 'sp ace', '"q"', 'back\\slash', 'new\nline', '.', '..', 'x'.repeat(120), 'evil/../x', '/abs', './a', 'a//b', 'tab\there', 'b', 'c'];
const pathOf = (r: Rand): string => Array.from({ length: 1 + r.int(3) }, () => r.pick(NAMES)).join('/') + (r.chance(0.05) ? '/' : '');
const GLOBAL_VALUES: Record<string, (r: Rand) => string> = {
    path: pathOf, linkpath: pathOf, uid: r => String(r.int(70000)), gid: r => String(r.int(70000)),
    mtime: r => `${r.int(2_000_000_000)}.${r.int(1000)}`, comment: pathOf
};

/** An archive built header by header: GNU tar's extensions in many orders, mostly well-formed. */
function synthetic(r: Rand): Buffer {
    const parts: Buffer[] = [member({ name: './', type: '5', mode: 0o755 })];
    const gnu = r.chance(0.2);
    for (let i = 0, n = 1 + r.int(6); i < n; i++) {
        const type = r.pick(['0', '0', '5', '2', '1', '6', '0', '7']);
        const name = pathOf(r);
        const link = type === '1' || type === '2' ? pathOf(r) : undefined;
        const size = type === '0' || type === '7' ? r.int(1500) : r.chance(0.05) ? 512 : 0;
        if (r.chance(0.2)) {
            const keys = [r.pick(Object.keys(GLOBAL_VALUES)), ...(r.chance(0.3) ? ['uid'] : [])];
            parts.push(member({ name: 'pax_global_header', type: 'g', data: Buffer.from([...new Set(keys)].map(k => record(k, GLOBAL_VALUES[k](r))).join('')) }));
        }
        if (r.chance(0.4)) {
            const recs: string[] = [];
            if (r.chance(0.7)) recs.push(record('path', pathOf(r)));
            if (link && r.chance(0.5)) recs.push(record('linkpath', pathOf(r)));
            if (r.chance(0.3)) recs.push(record('uid', String(r.int(100000))));
            if (r.chance(0.2)) recs.push(record('size', String(r.chance(0.9) ? size : r.int(2000))));
            if (r.chance(0.2)) recs.push(record('mtime', `${r.int(2_000_000_000)}.${r.int(1000)}`));
            parts.push(member({ name: 'PaxHeaders/x', type: 'x', data: Buffer.from(recs.join('')) }));
        }
        if (r.chance(0.15)) parts.push(member({ name: '././@LongLink', type: 'L', gnu: true, data: Buffer.from(`${pathOf(r)}\0`) }));
        if (link && r.chance(0.15)) parts.push(member({ name: '././@LongLink', type: 'K', gnu: true, data: Buffer.from(`${pathOf(r)}\0`) }));
        parts.push(member({ name, type, link, size, mode: r.pick([0o644, 0o755, 0o4755, 0o1777, 0o600]), uid: r.int(70000), gid: r.int(70000), gnu }));
    }
    parts.push(Buffer.alloc(r.chance(0.9) ? 1024 : 512 * (2 + r.int(30))));
    return Buffer.concat(parts);
}

// ---- mutations --------------------------------------------------------------------

/** Header offsets of a well-formed archive (each header's octal size says where the next is). */
function headers(t: Buffer): Array<{ at: number; flag: string; size: number }> {
    const out: Array<{ at: number; flag: string; size: number }> = [];
    for (let at = 0; at + 512 <= t.length && t[at] !== 0;) {
        const size = parseInt(t.toString('latin1', at + 124, at + 136).replace(/\0.*$/, ''), 8) || 0;
        out.push({ at, flag: String.fromCharCode(t[at + 156]), size });
        at += 512 + Math.ceil(size / 512) * 512;
    }
    return out;
}

const BYTES = [0, 0x20, 0x30, 0x37, 0x38, 0x39, 0x2f, 0x2e, 0x3d, 0x0a, 0x80, 0xff, 0x61, 0x78, 0x67, 0x4c, 0x35, 0x32, 0x31];
const FIELDS: Array<[number, number]> = [[100, 8], [108, 8], [116, 8], [124, 12], [136, 12]];
const FIELD_VALUES = ['        ', '\0\0\0\0', ' 777 ', 'abc', '0000000001000', '77777777777', '\u0080', '\u00ff\u00ff', '1 2', '00000001750\0'];
const PAX_VALUES = ['abc', '', '../../etc/x', '99999999999999999999', '-1', '1.5', '12 34', 'a\u0000b', '0'];
const PAX_KEYS = ['path', 'linkpath', 'size', 'uid', 'gid', 'mtime', 'GNU.sparse.name', 'GNU.sparse.realsize', 'SCHILY.xattr.user.a', 'bogus', 'hdrcharset'];
const FLAGS = '0125673xgLKSDVMNQX\0A';

function mutate(base: Buffer, r: Rand): Buffer {
    let t = Buffer.from(base);
    for (let k = 0, n = 1 + r.int(2); k < n; k++) {
        const hs = headers(t);
        if (hs.length === 0) break;
        const h = r.pick(hs);
        const fix = r.chance(0.85);
        switch (r.int(9)) {
            case 0: { // a byte of a header
                let off = r.int(512);
                if (off >= 148 && off < 156) off = 156;
                t[h.at + off] = r.pick(BYTES);
                break;
            }
            case 1: { // a numeric field
                const [off, len] = r.pick(FIELDS);
                const v = Buffer.from(r.pick(FIELD_VALUES), 'latin1');
                t.fill(0, h.at + off, h.at + off + len);
                v.subarray(0, len).copy(t, h.at + off);
                break;
            }
            case 2: // the typeflag
                t[h.at + 156] = r.pick([...FLAGS]).charCodeAt(0);
                break;
            case 3: // a byte inside a pax record or a long name
            case 4: {
                const meta = hs.filter(x => 'xgLK'.includes(x.flag) && x.size > 0);
                if (!meta.length) break;
                const m = r.pick(meta);
                t[m.at + 512 + r.int(m.size)] = r.pick(BYTES);
                break;
            }
            case 5: { // a pax record replaced by another (the header's size follows)
                const meta = hs.filter(x => 'xg'.includes(x.flag));
                if (!meta.length) break;
                const m = r.pick(meta);
                const recs = [record(r.pick(PAX_KEYS), r.pick(PAX_VALUES)), ...(r.chance(0.3) ? [record('path', pathOf(r))] : [])].join('');
                const data = Buffer.from(r.chance(0.3) ? recs.replace(/^\d+/, String(r.int(40))) : recs);
                const hdr = Buffer.from(t.subarray(m.at, m.at + 512));
                hdr.write(data.length.toString(8).padStart(11, '0'), 124, 'latin1');
                fixChecksum(hdr);
                t = Buffer.concat([t.subarray(0, m.at), hdr, data, Buffer.alloc((512 - (data.length % 512)) % 512), t.subarray(m.at + 512 + Math.ceil(m.size / 512) * 512)]);
                continue;
            }
            case 6: // truncated
                return t.subarray(0, r.int(t.length));
            case 7: { // a zero block, or a block repeated, at a header
                const block = r.chance(0.5) ? Buffer.alloc(512) : Buffer.from(t.subarray(h.at, h.at + 512));
                t = Buffer.concat([t.subarray(0, h.at), block, t.subarray(h.at)]);
                continue;
            }
            case 8: { // the sparse map of a sparse file, or garbage after the end
                const sp = hs.findIndex(x => x.flag === 'x' && t.subarray(x.at + 512, x.at + 512 + x.size).includes('GNU.sparse.major'));
                if (sp !== -1 && hs[sp + 1]) t[hs[sp + 1].at + 512 + r.int(24)] = r.pick(BYTES);
                else t = Buffer.concat([t, member({ name: 'after-end', type: '0', data: Buffer.from('late') })]);
                continue;
            }
        }
        if (fix) fixChecksum(t, h.at);
    }
    return t;
}

// ---- both views -------------------------------------------------------------------

type View = { refused: string } | { entries: string[] };

function readerView(t: Buffer, r: Rand): View {
    const s = new TarScanner();
    try {
        for (let i = 0; i < t.length;) {
            const n = r.pick([1, 100, 512, 4096, 1 << 20]);
            s.write(t.subarray(i, i + n));
            i += n;
        }
        return { entries: s.finish().map(entryLine) };
    } catch (err) {
        if (!(err instanceof TarFormatError)) throw err;
        return { refused: err.message };
    }
}

function entryLine(e: ManifestEntry): string {
    let link = e.linkTarget;
    if (e.type === 'hardlink' && link !== undefined && gnuSafeName(link) !== link) {
        // GNU tar rewrites such a hardlink target (as it does names when extracting); the
        // reader keeps it as stored, and the restore refuses it.
        if (typeof splitEntryPath(link) !== 'string') throw new Error(`hardlink target ${JSON.stringify(link)} is rewritten by GNU tar but not refused`);
        link = normalize(gnuSafeName(link));
    }
    const size = e.type === 'chardev' || e.type === 'blockdev' ? '-' : String(e.size);
    return `${e.type} ${(e.mode & 0o7777).toString(8)} ${e.uid}/${e.gid} ${size} ${JSON.stringify(e.path)}${link !== undefined ? ` -> ${JSON.stringify(link)}` : ''}`;
}

/** GNU tar's safer_name_suffix: what follows the last ".." component, without leading slashes. */
function gnuSafeName(name: string): string {
    const parts = name.split('/');
    const out = parts.slice(parts.lastIndexOf('..') + 1).join('/').replace(/^\/+/, '');
    return out === '' ? '.' : out;
}

const TYPES: Record<string, ManifestEntry['type']> = { '-': 'file', C: 'file', d: 'dir', l: 'symlink', h: 'hardlink', c: 'chardev', b: 'blockdev', p: 'fifo' };
const LINE = /^(\S)(\S{9}) (\d+)\/(\d+) +(\S+) [^"]* "((?:[^"\\]|\\.)*)"(?:( -> | link to )"((?:[^"\\]|\\.)*)")?$/;

/** One line of `tar -tv --quoting-style=c`, as entryLine() says an entry; undefined: not an entry. */
function tarLine(line: string): string | undefined {
    const m = LINE.exec(line);
    if (!m || !TYPES[m[1]]) return undefined;
    const type = TYPES[m[1]];
    const name = unquote(m[6]);
    const size = type === 'chardev' || type === 'blockdev' ? '-' : m[5];
    const link = m[8] === undefined ? undefined : unquote(m[8]);
    const shown = link === undefined ? '' : ` -> ${JSON.stringify(type === 'hardlink' ? normalize(link) : link)}`;
    return `${type} ${modeBits(m[2]).toString(8)} ${m[3]}/${m[4]} ${size} ${JSON.stringify(normalize(name))}${shown}`;
}

function normalize(name: string): string {
    const n = name.replace(/^\.\/+/, '').replace(/\/+$/, '');
    return n === '' ? '.' : n;
}

function modeBits(s: string): number {
    let m = 0;
    for (let i = 0; i < 9; i++) if (s[i] !== '-' && s[i] !== 'S' && s[i] !== 'T') m |= 1 << (8 - i);
    if ('sS'.includes(s[2])) m |= 0o4000;
    if ('sS'.includes(s[5])) m |= 0o2000;
    if ('tT'.includes(s[8])) m |= 0o1000;
    return m;
}

/** C-style quoting back to text, invalid UTF-8 as U+FFFD (as the reader decodes names). */
function unquote(q: string): string {
    const bytes: number[] = [];
    const esc: Record<string, number> = { n: 10, t: 9, a: 7, b: 8, f: 12, r: 13, v: 11, '\\': 92, '"': 34, '?': 63, "'": 39 };
    for (let i = 0; i < q.length; i++) {
        if (q[i] !== '\\') { bytes.push(...Buffer.from(q[i], 'utf8')); continue; }
        const oct = /^[0-7]{1,3}/.exec(q.slice(i + 1));
        if (oct) { bytes.push(parseInt(oct[0], 8)); i += oct[0].length; } else { bytes.push(esc[q[i + 1]] ?? q.charCodeAt(i + 1)); i++; }
    }
    return Buffer.from(bytes).toString('utf8');
}

/** Lists every archive with GNU tar from one shell loop: FILE.out, FILE.err, FILE.rc. */
function listAll(files: string[]): void {
    const script = 'for f in "$@"; do tar -tv --numeric-owner --quoting-style=c -f "$f" >"$f.out" 2>"$f.err"; echo $? >"$f.rc"; done';
    execFileSync('sh', ['-c', script, 'sh', ...files], { env: { ...process.env, LC_ALL: 'C', TZ: 'UTC', TAR_OPTIONS: '' }, maxBuffer: 1 << 24 });
}

describe('the tar reader against GNU tar', () => {
    it(`sees what GNU tar lists, or refuses, on ${COUNT} generated archives`, () => {
        const r = prng(0x13b2);
        const bases = gnuTarBases();
        const archives: Buffer[] = [...bases];
        while (archives.length < 700) archives.push(synthetic(r));
        const clean = archives.slice();
        while (archives.length < COUNT) archives.push(mutate(r.pick(clean), r));
        const files = archives.map((t, i) => {
            const f = path.join(dir, `${String(i).padStart(4, '0')}.tar`);
            fs.writeFileSync(f, t);
            return f;
        });
        listAll(files);
        const disagreements: string[] = [];
        let accepted = 0;
        for (const [i, f] of files.entries()) {
            const view = readerView(archives[i], r);
            if ('refused' in view) continue;
            accepted++;
            const rc = fs.readFileSync(`${f}.rc`, 'utf8').trim();
            const lines = fs.readFileSync(`${f}.out`, 'utf8').split('\n').filter(Boolean).map(tarLine);
            const why = rc !== '0' ? `tar exits ${rc}: ${fs.readFileSync(`${f}.err`, 'utf8').trim().slice(0, 300)}`
                : JSON.stringify(lines) !== JSON.stringify(view.entries) ? `tar lists ${JSON.stringify(lines)}, the reader ${JSON.stringify(view.entries)}` : undefined;
            if (why) disagreements.push(`${path.basename(f)}: ${why}`);
        }
        expect(disagreements.slice(0, 10)).toEqual([]);
        // Neither side may be trivial: many archives read, many refused.
        expect(accepted).toBeGreaterThan(COUNT / 5);
        expect(accepted).toBeLessThan(COUNT - COUNT / 5);
    }, 180_000);
});
