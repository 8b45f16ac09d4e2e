/**
 * The streaming tar reader gives the same entries whatever the chunking of the stream,
 * checks header checksums, and notices a stream that stops early. It applies pax global
 * and extended headers as GNU tar does and refuses (TarFormatError) whatever it cannot
 * read exactly as GNU tar would: the restore gate trusts its view.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TarFormatError, TarScanner } from '../src/archive/tar-scanner.js';
import { createEntryGate } from '../src/restore/archive-extract.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backplan-scan-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function tarOf(): Buffer {
    const d = path.join(dir, 'data');
    fs.mkdirSync(path.join(d, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(d, 'a.txt'), 'hello\n');
    fs.writeFileSync(path.join(d, 'sub', 'n'.repeat(180)), Buffer.alloc(1500, 7));
    fs.writeFileSync(path.join(d, 'ünï'), '');
    fs.symlinkSync('a.txt', path.join(d, 'link'));
    const fd = fs.openSync(path.join(d, 'holes'), 'w');
    fs.writeSync(fd, 'x', 200_000);
    fs.ftruncateSync(fd, 500_000);
    fs.closeSync(fd);
    return execFileSync('tar', ['--create', '--file=-', '--format=posix', '--sparse', '-C', d, '.'], { maxBuffer: 1 << 26 });
}

function scan(bytes: Buffer, chunk: number): TarScanner {
    const s = new TarScanner();
    for (let i = 0; i < bytes.length; i += chunk) s.write(bytes.subarray(i, i + chunk));
    return s;
}

describe('TarScanner', () => {
    const tar = tarOf();
    const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

    it('reads entries and per-file hashes, the same for any chunk size', () => {
        const whole = scan(tar, tar.length);
        expect(whole.finish().map(e => [e.path, e.type]).sort()).toEqual([
            ['.', 'dir'], ['a.txt', 'file'], ['holes', 'file'], ['link', 'symlink'], ['sub', 'dir'], [`sub/${'n'.repeat(180)}`, 'file'], ['ünï', 'file']
        ]);
        const byPath = new Map(whole.entries.map(e => [e.path, e]));
        expect(byPath.get('a.txt')!.sha256).toBe(sha('hello\n'));
        expect(byPath.get(`sub/${'n'.repeat(180)}`)!.sha256).toBe(sha(Buffer.alloc(1500, 7)));
        const holes = Buffer.alloc(500_000);
        holes[200_000] = 'x'.charCodeAt(0);
        expect(byPath.get('holes')).toMatchObject({ size: 500_000, sparse: true, sha256: sha(holes) });
        expect(byPath.get('link')!.linkTarget).toBe('a.txt');
        for (const chunk of [1, 7, 511, 512, 513, 4096, 65536]) expect(scan(tar, chunk).finish(), `chunk ${chunk}`).toEqual(whole.entries);
    });

    it('rejects a corrupt header and reports a truncated stream', () => {
        const bad = Buffer.from(tar);
        bad[2] ^= 0xff;
        expect(() => scan(bad, 4096)).toThrow(/checksum/);
        expect(() => scan(tar.subarray(0, 2048), 512).finish()).toThrow(/truncated/);
    });
});

/** One ustar header (checksum fixed) and its data padded to 512. */
function member(name: string, type: string, data: string | Buffer = '', o: { size?: string; link?: string; gnu?: boolean } = {}): Buffer {
    const body = Buffer.from(data);
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write('0000000\0', 108, 'latin1');
    h.write('0000000\0', 116, 'latin1');
    h.write(o.size ?? `${body.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    h.write('14560000000\0', 136, 'latin1');
    h.write(type, 156, 'latin1');
    h.write(o.link ?? '', 157, 'utf8');
    h.write(o.gnu ? 'ustar  \0' : 'ustar\u000000', 257, 'latin1');
    checksum(h);
    return Buffer.concat([h, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

function checksum(h: Buffer): void {
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h.subarray(0, 512)) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

/** A pax record: "LEN key=value\n" with LEN counting itself. */
function rec(key: string, value: string): string {
    const body = ` ${key}=${value}\n`;
    let n = Buffer.byteLength(body) + 1;
    while (String(n).length + Buffer.byteLength(body) !== n) n++;
    return `${n}${body}`;
}

const END = Buffer.alloc(1024);
const read = (...parts: Buffer[]): string[] => scan(Buffer.concat([...parts, END]), 512).finish().map(e => `${e.type} ${e.path}${e.linkTarget ? ` -> ${e.linkTarget}` : ''} ${e.uid}`);
const refusal = (...parts: Buffer[]): string => {
    try {
        scan(Buffer.concat([...parts, END]), 4096).finish();
    } catch (err) {
        expect(err).toBeInstanceOf(TarFormatError);
        return (err as Error).message;
    }
    throw new Error('not refused');
};

describe('TarScanner reads pax headers as GNU tar does', () => {
    const dir = member('./', '5');

    it('a global header applies to every later entry, until the next global header replaces it', () => {
        expect(read(dir, member('g', 'g', rec('path', 'evil') + rec('uid', '7')), member('./a', '0', 'x'), member('./b', '2', '', { link: 't' }),
            member('g', 'g', rec('gid', '1')), member('./c', '0'))).toEqual(['dir . 0', 'file evil 7', 'symlink evil -> t 7', 'file c 0']);
        expect(read(dir, member('g', 'g', rec('linkpath', '/etc')), member('./l', '2', '', { link: 'harmless' }))).toEqual(['dir . 0', 'symlink l -> /etc 0']);
    });

    it('an entry\'s own x records win over the global ones; pax path wins over a GNU long name', () => {
        expect(read(member('g', 'g', rec('path', 'global')), member('x', 'x', rec('path', 'own')), member('./a', '0'))).toEqual(['file own 0']);
        expect(read(member('x', 'x', rec('path', 'pax')), member('././@LongLink', 'L', 'long\0', { gnu: true }), member('./a', '0'))).toEqual(['file pax 0']);
        expect(read(member('././@LongLink', 'L', `${'n'.repeat(300)}\0`, { gnu: true }), member('./a', '0'))).toEqual([`file ${'n'.repeat(300)} 0`]);
    });

    it('reads base-256 and blank-padded numbers, and a checksum summed over signed bytes', () => {
        const big = member('./a', '0', 'xy', { size: '\x80' + '\0'.repeat(10) + '\x02' });
        expect(scan(Buffer.concat([big, END]), 512).finish()[0].size).toBe(2);
        expect(read(member('./b', '0', 'xy', { size: '         2 ' }))).toEqual(['file b 0']);
        const signed = member('./ü', '0');
        let s = 0;
        for (let i = 0; i < 512; i++) s += i >= 148 && i < 156 ? 32 : (signed[i] > 127 ? signed[i] - 256 : signed[i]);
        signed.write(`${s.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
        expect(read(signed)).toEqual(['file ü 0']);
    });
});

describe('TarScanner refuses what it cannot read exactly', () => {
    const dir = member('./', '5');
    it.each([
        ['size=abc (GNU tar would use the header\'s size)', [member('x', 'x', rec('size', 'abc')), member('./a', '0', 'x'.repeat(600))], /size="abc" is not valid/],
        ['a record length that runs past the data', [member('x', 'x', '99 path=a\n'), member('./a', '0')], /runs past/],
        ['a record without "="', [member('x', 'x', '10 pathab\n'), member('./a', '0')], /no "="/],
        ['a record length that misses the newline', [member('x', 'x', '9 path=ab\n'), member('./a', '0')], /newline/],
        ['a non-numeric length', [member('x', 'x', 'x9 path=a\n'), member('./a', '0')], /length/],
        ['an unknown key', [member('x', 'x', rec('bogus', '1')), member('./a', '0')], /unknown key "bogus"/],
        ['a key twice', [member('x', 'x', rec('path', 'a') + rec('path', 'b')), member('./a', '0')], /twice/],
        ['size in a global header', [member('g', 'g', rec('size', '0')), member('./a', '0', 'x')], /size in a global header/],
        ['two x headers before one entry (GNU tar keeps the last)', [member('x', 'x', rec('path', 'a')), member('x', 'x', rec('uid', '1')), member('./a', '0')], /two 'x' headers/],
        ['a folder with data (GNU tar reads it as headers)', [member('./d', '5', member('./hidden', '0', 'x'))], /dir with 1024 bytes of data/],
        ['a file named like a folder', [member('./f/', '0')], /GNU tar would make a folder/],
        ['an unknown typeflag', [member('./q', 'Q')], /unknown header type "Q"/],
        ['an old GNU sparse header', [member('./s', 'S')], /unknown header type "S"/],
        ['a size field that is no number', [member('./a', '0', '', { size: '12abc\0' })], /size field is not an octal number/],
        ['a blank size field', [member('./a', '0', '', { size: ' '.repeat(12) })], /size field is blank/],
        ['a negative base-256 size', [member('./a', '0', '', { size: '\xff'.repeat(12) })], /negative/],
        ['an extended header before the end', [member('x', 'x', rec('path', 'a'))], /followed by the end/]
    ] as const)('%s', (_name, parts, why) => {
        expect(refusal(dir, ...parts)).toMatch(why);
    });

    it('a lone zero block, data after the end, a truncated stream, a bad checksum', () => {
        expect(refusal(dir, Buffer.alloc(512), member('./b', '0'))).toMatch(/lone zero block/);
        expect(refusal(dir, END, member('./late', '0'))).toMatch(/after the end-of-archive/);
        expect(() => scan(dir, 512).finish()).toThrow(TarFormatError);
        const bad = member('./a', '0');
        bad[0] ^= 1;
        expect(refusal(dir, bad)).toMatch(/refused at byte 512: the header checksum does not match/);
    });

    it('quotes a long name cut to 200 characters', () => {
        const message = refusal(member('x', 'x', rec('path', `${'y'.repeat(5000)}/`)), member('./a', '0'));
        expect(message).toMatch(/"y{200}…" \(5001 characters\) is a file/);
        expect(message.length).toBeLessThan(400);
    });
});

describe('the restore gate', () => {
    /** What the gate does with a stream: the bytes it passed on, or its error. */
    async function gated(tar: Buffer): Promise<{ passed: number; error?: Error }> {
        const { gate } = createEntryGate();
        let passed = 0;
        gate.on('data', (c: Buffer) => { passed += c.length; });
        const error = await new Promise<Error | undefined>(resolve => {
            gate.on('error', resolve);
            gate.on('end', () => resolve(undefined));
            gate.end(tar);
        });
        return { passed, error };
    }

    it('passes nothing of a refused header on, and says so with the name cut to 200 characters', async () => {
        const malformed = await gated(Buffer.concat([member('./', '5'), member('x', 'x', rec('size', 'abc')), member('./a', '0', 'x'), END]));
        expect(malformed.error).toBeInstanceOf(TarFormatError);
        expect(malformed.passed).toBe(0);
        const climbing = await gated(Buffer.concat([member('./', '5'), member('x', 'x', rec('path', `../${'z'.repeat(5000)}`)), member('./a', '0'), END]));
        expect(climbing.error?.message).toMatch(/^refused entry "\.\.\/z{197}…" \(5003 characters\): the path climbs out/);
        expect(climbing.error!.message.length).toBeLessThan(300);
        expect(climbing.passed).toBe(0);
    });
});
