/**
 * The streaming tar reader gives the same entries whatever the chunking of the stream,
 * checks header checksums, and notices a stream that stops early.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TarScanner } from '../src/archive/tar-scanner.js';

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
