import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { mtimeFromNs, mtimeString } from '../src/archive/manifest.js';
import { TarScanner } from '../src/archive/tar-scanner.js';
import { LocalHost } from '../src/hosts/local-host.js';
import { parseFindTime } from '../src/hosts/ssh/remote-scripts.js';

it('mtimes before 1970 read the same from tar, lstat and find (sign and magnitude, as tar writes them)', async () => {
    expect(mtimeFromNs(-1_500_000_000n)).toBe('-1.5');
    expect(mtimeFromNs(-500_000_000n)).toBe('-0.5');
    expect(mtimeFromNs(1_700_000_000_123_456_789n)).toBe('1700000000.123456789');
    expect(parseFindTime('-2.5000000000')).toBe('-1.5');
    expect(parseFindTime('-2.0000000000')).toBe('-2');
    expect(parseFindTime('1700000000.1234567890')).toBe('1700000000.123456789');
    expect(mtimeString('-1.5')).toBe('-1.5');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-mtime-'));
    try {
        const when: Array<[string, string]> = [['a', '1969-12-31 23:59:58.5 UTC'], ['b', '1969-12-31 23:59:58 UTC'], ['c', '1960-01-01 00:00:00.25 UTC']];
        for (const [name, date] of when) {
            fs.writeFileSync(path.join(dir, name), name);
            execFileSync('touch', ['-d', date, path.join(dir, name)]);
        }
        const scanner = new TarScanner();
        scanner.write(execFileSync('tar', ['--format=posix', '-cf', '-', '-C', dir, 'a', 'b', 'c']));
        const fromTar = scanner.finish().map(e => e.mtime);
        const fromLstat = (await new LocalHost().listFiles(dir)).filter(e => e.path !== '.').map(e => e.mtime);
        const fromFind = execFileSync('find', ['a', 'b', 'c', '-printf', '%T@\\n'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').map(parseFindTime);
        expect(fromTar).toEqual(['-1.5', '-2', '-315619199.75']);
        expect(fromLstat).toEqual(fromTar);
        expect(fromFind).toEqual(fromTar);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
