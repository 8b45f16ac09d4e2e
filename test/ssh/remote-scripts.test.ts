/**
 * The remote command lines and their parsers, without a server: quoting survives a real
 * `sh`, and the listing parser handles both sha256sum output modes and hostile names.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { OUTPUT_MARK, parseListing, parseTools, tarCompressScript } from '../../packages/engine/out/hosts/ssh/remote-scripts.js';
import { tarCreateArgs } from '../../packages/engine/out/hosts/tar-options.js';
import { shCommand, shQuote, withEnv } from '../../packages/engine/out/hosts/ssh/remote-quote.js';
import { classifySshFailure } from '../../packages/engine/out/hosts/ssh/ssh-errors.js';

const HOSTILE = ["it's", 'a "b"', '$(id)', '`id`', 'x\ny', '\\n', '-rf', '', ' ', '~', '*', '!', 'é日本', "''", '=', '=L'];

describe('remote quoting', () => {
    test('every hostile word reaches a POSIX shell byte for byte', () => {
        const out = execFileSync('sh', ['-c', `printf '%s\\0' ${shCommand(HOSTILE)}`]).toString('utf8');
        expect(out.split('\0').slice(0, -1)).toEqual(HOSTILE);
        for (const w of HOSTILE) expect(execFileSync('sh', ['-c', `printf %s ${shQuote(w)}`]).toString('utf8')).toBe(w);
    });

    test('environment values travel as quoted env words; bad names are refused', () => {
        const out = execFileSync('sh', ['-c', withEnv({ A: '$(id) `id` \'q\'\nx' }, ['sh', '-c', 'printf %s "$A"'])]).toString('utf8');
        expect(out).toBe('$(id) `id` \'q\'\nx');
        expect(() => withEnv({ 'A B': 'x' }, ['true'])).toThrow(/not a valid environment variable name/);
        expect(() => shQuote('a\0b')).toThrow(/NUL/);
    });
});

describe('tar | zstd on the host (tarCompressScript), in a real sh', () => {
    const ZSTD = { command: 'zstd', args: ['-1', '-T0', '-q', '-c'] };
    const dir = mkdtempSync(path.join(tmpdir(), 'bp-tarzstd-'));
    const data = path.join(dir, "data $(touch PWNED) 'q'");
    mkdirSync(path.join(data, 'sub'), { recursive: true });
    writeFileSync(path.join(data, 'sub', 'a.txt'), 'hello\n'.repeat(10_000));
    writeFileSync(path.join(data, 'b.bin'), Buffer.alloc(1 << 20, 3));
    const run = (script: string): ReturnType<typeof spawnSync> => spawnSync('sh', ['-c', script], { maxBuffer: 64 << 20 });

    test('the compressed stream is exactly tar\'s stream, compressed; exit 0', () => {
        const r = run(tarCompressScript(tarCreateArgs(data, {}), ZSTD));
        expect(r.status, String(r.stderr)).toBe(0);
        const tar = execFileSync('tar', tarCreateArgs(data, {}), { maxBuffer: 64 << 20 });
        expect(execFileSync('zstd', ['-d', '-c', '-q'], { input: r.stdout as Buffer, maxBuffer: 64 << 20 }).equals(tar)).toBe(true);
        expect(spawnSync('ls', [path.join(dir, 'PWNED')]).status).not.toBe(0);
    });

    test('tar failing is the script\'s exit status (tar\'s own), though zstd succeeded', () => {
        const r = run(tarCompressScript(tarCreateArgs(path.join(dir, 'missing'), {}), ZSTD));
        expect(r.status).toBe(2);
        expect(String(r.stderr)).toMatch(/tar: .*missing.*No such file or directory/);
    });

    test('a compressor that dies first is the exit status, not the SIGPIPE it gave tar', () => {
        const r = run(tarCompressScript(tarCreateArgs(data, {}), { command: 'sh', args: ['-c', 'head -c 1 >/dev/null; echo zstd died >&2; exit 9'] }));
        expect(r.status).toBe(9);
        expect(String(r.stderr)).toMatch(/zstd died/);
    });

    test('tar and the compressor both failing: tar\'s status (it did not die of the pipe)', () => {
        const r = run(tarCompressScript(tarCreateArgs(path.join(dir, 'missing'), {}), { command: 'sh', args: ['-c', 'cat >/dev/null; exit 7'] }));
        expect(r.status).toBe(2);
    });

    test('the compressor failing is the exit status when tar succeeded', () => {
        const r = run(tarCompressScript(tarCreateArgs(data, {}), { command: 'sh', args: ['-c', 'cat >/dev/null; echo zstd broke >&2; exit 7'] }));
        expect(r.status).toBe(7);
        expect(String(r.stderr)).toMatch(/zstd broke/);
        rmSync(dir, { recursive: true, force: true });
    });
});

describe('remote listing parser', () => {
    const H = 'a'.repeat(64);
    const meta = (type: string, p: string, link = ''): string => `${type} 644 0 0 5 1700000000.1234567890\0${p}\0${link}\0`;

    test('NUL mode (sha256sum -z): names with newlines, "=" and "=L" are data', () => {
        const out = meta('d', '') + meta('f', '=') + meta('f', '=L') + meta('f', 'a\nb') + meta('l', 'ln', 'a\nb')
            + '=\0' + `${H}  ./=\0${H}  ./=L\0${H}  ./a\nb\0`;
        const e = parseListing(Buffer.from(out));
        expect(e.map(x => x.path)).toEqual(['.', '=', '=L', 'a\nb', 'ln']);
        expect(e.find(x => x.path === 'ln')?.linkTarget).toBe('a\nb');
        expect(e.find(x => x.path === 'a\nb')).toMatchObject({ sha256: H, size: 5, mode: 0o644, mtime: '1700000000.123456789' });
    });

    test('noise a login shell printed before the output is skipped', () => {
        const out = 'Welcome to cat1!\n' + OUTPUT_MARK + meta('d', '') + meta('f', 'x') + '=\0' + `${H}  ./x\0`;
        expect(parseListing(Buffer.from(out)).map(x => x.path)).toEqual(['.', 'x']);
        expect(parseTools(Buffer.from(`motd\n${OUTPUT_MARK}tar (GNU tar) 1.34\n\0--xattrs --acls\0\0gzip 1.12\n\0` + '0\n\0find-printf mv-T\n\0')))
            .toEqual({ tar: 'tar (GNU tar) 1.34', tarXattrs: true, tarAcls: true, zstd: undefined, gzip: 'gzip 1.12', uid: 0, restoreMissing: ['find-printf', 'mv-T'] });
    });

    test('line mode (older sha256sum): escaped names are unescaped', () => {
        const out = meta('d', '') + meta('f', 'a\nb') + meta('f', 'back\\slash') + meta('f', 'plain')
            + '=L\0' + `\\${H}  ./a\\nb\n\\${H}  ./back\\\\slash\n${H}  ./plain\n`;
        expect(parseListing(Buffer.from(out)).map(x => [x.path, x.sha256])).toEqual([['.', undefined], ['a\nb', H], ['back\\slash', H], ['plain', H]]);
    });
});

describe('ssh error messages', () => {
    const t = { label: 'ssh://backup@cat1.acme.lan:22', hostname: 'cat1.acme.lan', port: 22 };
    test.each([
        ['No ED25519 host key is known for cat1.acme.lan and you have requested strict checking.\nHost key verification failed.', 'host-key-unknown', /ssh-keyscan cat1\.acme\.lan >> ~\/\.ssh\/known_hosts/],
        ['@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nOffending ECDSA key in /root/.ssh/known_hosts:3\nHost key for cat1.acme.lan has changed and you have requested strict checking.\nHost key verification failed.', 'host-key-changed', /ssh-keygen -R 'cat1\.acme\.lan' -f \/root\/\.ssh\/known_hosts/],
        ['backup@cat1.acme.lan: Permission denied (publickey).', 'permission-denied', /permission denied for backup@cat1\.acme\.lan/],
        ['ssh: connect to host cat1.acme.lan port 22: Connection refused', 'connection-refused', /connection refused by cat1\.acme\.lan port 22/],
        ['ssh: connect to host 10.0.0.7 port 22: No route to host', 'no-route', /no route to 10\.0\.0\.7 port 22/],
        ['ssh: connect to host 10.0.0.7 port 22: Network is unreachable', 'no-route', /Network is unreachable/],
        ['ssh: connect to host 10.0.0.7 port 22: Connection timed out', 'timeout', /timed out connecting to 10\.0\.0\.7 port 22/],
        ['Connection timed out during banner exchange\nConnection to 10.0.0.7 port 22 timed out', 'timeout', /ConnectTimeout/],
        ['ssh: Could not resolve hostname cat1.acme.lan: Name or service not known', 'dns', /does not resolve/],
        ['/etc/backplan/ssh_config: line 3: Bad configuration option: hostnam', 'config', /line 3: Bad configuration option/],
        ['Connection to cat1.acme.lan closed by remote host.', 'connection-lost', /connection was lost/],
        ['client_loop: send disconnect: Broken pipe', 'connection-lost', /connection was lost/]
    ])('%s', (stderr, kind, message) => {
        const f = classifySshFailure(stderr, t);
        expect(f?.kind).toBe(kind);
        expect(f?.message).toMatch(message);
        expect(f?.message.startsWith(`${t.label}: `)).toBe(true);
        expect(f?.message).not.toContain('\n');
    });
    test('a remote command\'s own failure is not an ssh failure', () => {
        expect(classifySshFailure('tar: /srv/x: Cannot open: No such file or directory', t)).toBeUndefined();
    });
});
