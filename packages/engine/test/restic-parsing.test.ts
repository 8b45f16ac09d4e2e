/**
 * The restic module's pure parts: Go file modes and RFC 3339 times into manifest fields,
 * the streaming JSON scanner (chunks cut anywhere), restic's version line, the failure
 * table, sftp.command, tags, manifest pairing and keep flags. Real restic runs are in
 * test/restic/.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readJsonObjects } from '../src/restic/json-stream.js';
import { mtimeFromRfc3339, posixMode, toManifestEntry } from '../src/restic/restic-entries.js';
import { classifyResticFailure, stderrTail } from '../src/restic/restic-error.js';
import { keepArgs, parseForget } from '../src/restic/restic-forget.js';
import { pairManifests, parseResticManifest } from '../src/restic/restic-manifest.js';
import { runTag, snapshotTag, type ResticSnapshot } from '../src/restic/restic-snapshot.js';
import { isSupported, parseResticVersion } from '../src/restic/restic-version.js';
import { resticTarget } from '../src/restic/restic-target.js';
import { sftpCommandOption, sftpEndpoint } from '../src/restic/sftp-command.js';

describe('restic nodes as manifest entries', () => {
    it('Go file modes keep permission, setuid, setgid and sticky bits and drop the type bits', () => {
        expect(posixMode(2148532735)).toBe(0o1777); // dtrwxrwxrwx (/tmp)
        expect(posixMode(2147484141)).toBe(0o755); // drwxr-xr-x
        expect(posixMode(134218239)).toBe(0o777); // Lrwxrwxrwx
        expect(posixMode(0o755 + 2 ** 23)).toBe(0o4755);
        expect(posixMode(0o750 + 2 ** 22 + 2 ** 31)).toBe(0o2750);
    });

    it('RFC 3339 times become exact decimal seconds, whatever the zone', () => {
        expect(mtimeFromRfc3339('2026-12-03T05:36:39.809294239Z')).toBe('1796276199.809294239');
        expect(mtimeFromRfc3339('2026-12-03T06:36:39.8092942+01:00')).toBe('1796276199.8092942');
        expect(mtimeFromRfc3339('2026-12-03T05:36:39Z')).toBe('1796276199');
        expect(mtimeFromRfc3339('1969-12-31T23:59:58.5Z')).toBe('-1.5');
        expect(mtimeFromRfc3339('0050-01-01T00:00:00Z')).toBe(String(new Date('0050-01-01T00:00:00Z').getTime() / 1000));
        expect(() => mtimeFromRfc3339('yesterday')).toThrow(/not an RFC 3339 time/);
    });

    it('paths become relative to the data folder; its ancestors are left out', () => {
        const node = (p: string, type: string, extra: object = {}): object => ({ path: p, type, mode: 420, uid: 1, gid: 2, mtime: '2026-01-01T00:00:00Z', ...extra });
        expect(toManifestEntry(node('/srv', 'dir'), '/srv/mail/')).toBeUndefined();
        expect(toManifestEntry(node('/srv/mailx', 'dir'), '/srv/mail')).toBeUndefined();
        expect(toManifestEntry(node('/srv/mail', 'dir', { mode: 2147484141 }), '/srv/mail/')).toEqual({ path: '.', type: 'dir', size: 0, mode: 0o755, uid: 1, gid: 2, mtime: '1767225600' });
        expect(toManifestEntry(node('/srv/mail/a b', 'file', { size: 7 }), '/srv/mail')?.size).toBe(7);
        expect(toManifestEntry(node('/srv/mail/l', 'symlink', { linktarget: '../x' }), '/srv/mail')?.linkTarget).toBe('../x');
        expect(toManifestEntry(node('/srv/mail/d', 'dev'), '/srv/mail')?.type).toBe('blockdev');
        expect(() => toManifestEntry(node('/srv/mail/w', 'irregular'), '/srv/mail')).toThrow(/node type Backplan cannot restore/);
    });
});

describe('the streaming JSON scanner', () => {
    const document = '[{"matches":[{"path":"/a","name":"{[\\"]}"},{"path":"/b \\\\ ü"}],"hits":2,"snapshot":"x"},{"matches":[{"path":"/c"}]}]';

    async function scan(text: string, cut: number): Promise<unknown[]> {
        const found: unknown[] = [];
        const stream = new PassThrough();
        const done = readJsonObjects(3, v => found.push(v))(stream);
        const bytes = Buffer.from(text, 'utf8');
        for (let i = 0; i < bytes.length; i += cut) stream.write(bytes.subarray(i, i + cut));
        stream.end();
        await done;
        return found;
    }

    it('hands on every object at the depth, with strings holding brackets and quotes, split at any byte', async () => {
        const expected = [{ path: '/a', name: '{["]}' }, { path: '/b \\ ü' }, { path: '/c' }];
        for (const cut of [1, 2, 3, 7, 1000]) expect(await scan(document, cut)).toEqual(expected);
    });

    it('finds every object of a long listing, escapes far apart and at chunk ends', async () => {
        const nodes = Array.from({ length: 300 }, (_, i) => ({ path: i % 97 === 0 ? `/d/\\"{${i}` : `/d/f${i}`, size: i }));
        const text = JSON.stringify([{ matches: nodes, hits: nodes.length, snapshot: 'x' }]);
        for (const cut of [1, 5, 64, 4096]) expect(await scan(text, cut)).toEqual(nodes);
    });

    it('refuses output cut short', async () => {
        await expect(scan(document.slice(0, 40), 5)).rejects.toThrow(/ended in the middle/);
    });
});

describe('restic version and failures', () => {
    it('reads the version line and refuses older than 0.14', () => {
        const v = parseResticVersion('restic 0.14.0 compiled with go1.19.8 on linux/amd64\n')!;
        expect([v.version, isSupported(v)]).toEqual(['0.14.0', true]);
        expect(isSupported(parseResticVersion('restic 0.13.1 compiled with go1.18 on linux/amd64')!)).toBe(false);
        expect(isSupported(parseResticVersion('restic 1.0.0-dev (compiled manually) compiled with go1.22')!)).toBe(true);
        expect(parseResticVersion('bash: restic: command not found')).toBeUndefined();
    });

    it('classifies restic 0.14\'s fatal lines', () => {
        expect(classifyResticFailure(127, null, 'sh: 1: exec: restic: not found')).toBe('missing');
        expect(classifyResticFailure(1, null, 'Fatal: wrong password or no key found')).toBe('wrong-password');
        expect(classifyResticFailure(1, null, 'Resolving password failed: Fatal: /etc/x.pass does not exist')).toBe('password-file');
        expect(classifyResticFailure(1, null, 'Fatal: unable to open config file: stat /r/config: no such file or directory\nIs there a repository at the following location?')).toBe('no-repository');
        expect(classifyResticFailure(1, null, 'Fatal: unable to open config file: <config/> does not exist')).toBe('no-repository');
        expect(classifyResticFailure(1, null, 'Fatal: unable to open config file: client.Head: dial tcp 127.0.0.1:1: connect: connection refused')).toBe('unreachable');
        expect(classifyResticFailure(1, null, 'subprocess ssh: ssh: connect to host 127.0.0.1 port 1: Connection refused')).toBe('unreachable');
        expect(classifyResticFailure(1, null, 'Fatal: create repository at /r failed: config file already exists')).toBe('exists');
        expect(classifyResticFailure(1, null, 'unable to create lock in backend: repository is already locked exclusively by PID 7')).toBe('locked');
        expect(classifyResticFailure(null, 'SIGKILL', '')).toBe('interrupted');
        expect(classifyResticFailure(1, null, 'Fatal: something new')).toBe('failed');
    });

    it('keeps the last lines of stderr, without progress lines', () => {
        expect(stderrTail('a\n[0:01] 10.00%  1 files\nb\n\n12.5% done\nc', 2)).toEqual(['b', 'c']);
    });
});

describe('sftp repositories', () => {
    it('finds user, host and port in both forms', () => {
        expect(sftpEndpoint('sftp:backup@vault.lan:/srv/restic')).toEqual({ user: 'backup', host: 'vault.lan' });
        expect(sftpEndpoint('sftp://backup@127.0.0.2:2222//srv/restic')).toEqual({ user: 'backup', host: '127.0.0.2', port: 2222 });
        expect(sftpEndpoint('sftp://[::1]:22/r')).toEqual({ user: undefined, host: '::1', port: 22 });
        expect(sftpEndpoint('rest:http://vault/')).toBeUndefined();
    });

    it('builds ssh with BatchMode and the run\'s config file, quoting for restic\'s splitter', () => {
        expect(sftpCommandOption('sftp://b@h:2222//r', { configFile: '/tmp/my config' }))
            .toBe('sftp.command=ssh -F "/tmp/my config" -p 2222 -l b -o BatchMode=yes -o ServerAliveInterval=10 -o ServerAliveCountMax=3 h -s sftp');
        expect(sftpCommandOption('/srv/restic')).toBeUndefined();
        expect(() => sftpCommandOption('sftp:h:/r', { configFile: '/tmp/a"b' })).toThrow(/double quote/);
    });

    it('a tape\'s target: the run\'s ssh config only where restic runs on the runner\'s machine', () => {
        const tape = { name: 'Offsite', restic: 'sftp:b@vault:/r', passwordFile: '/etc/backplan/o.pass' };
        expect(resticTarget(tape, { local: true, sshConfig: '/etc/backplan/ssh_config' }).options).toEqual([expect.stringMatching(/^sftp\.command=ssh -F \/etc\/backplan\/ssh_config -l b /)]);
        expect(resticTarget(tape, { local: false, sshConfig: '/etc/backplan/ssh_config' }).options).toEqual([expect.stringMatching(/^sftp\.command=ssh -l b -o BatchMode=yes /)]);
        expect(resticTarget({ ...tape, restic: '/srv/restic' }, { local: true })).toEqual({ repository: '/srv/restic', passwordFile: '/etc/backplan/o.pass', env: undefined, options: [] });
        expect(() => resticTarget({ name: 'Shelf' }, { local: true })).toThrow(/not a restic tape/);
    });
});

describe('tags, manifests and retention flags', () => {
    const snap = (id: string, host: string, tags: string[], time = '2026-01-01T00:00:00Z'): ResticSnapshot =>
        ({ id: id.repeat(64).slice(0, 64), shortId: id, time, hostname: host, paths: ['/d'], tags, tree: '' });

    it('refuses tag values restic would split', () => {
        expect(runTag('20261125T124501.123Z-run-3fa2')).toBe('run:20261125T124501.123Z-run-3fa2');
        expect(() => runTag('a,b')).toThrow(/cannot be a restic tag/);
    });

    it('pairs data and manifest snapshots by ID and server; the rest is unfinished or orphaned', () => {
        const a = snap('a', 'Mail', ['backplan']);
        const b = snap('b', 'Mail', ['backplan']);
        const ma = snap('c', 'Mail', ['backplan-manifest', snapshotTag(a.id)], '2026-01-02T00:00:00Z');
        const ma2 = snap('d', 'Mail', ['backplan-manifest', snapshotTag(a.id)]);
        const wrongHost = snap('e', 'Cat1', ['backplan-manifest', snapshotTag(b.id)]);
        const gone = snap('f', 'Mail', ['backplan-manifest', snapshotTag('9'.repeat(64))]);
        const p = pairManifests([a, b, ma, ma2, wrongHost, gone]);
        expect(p.archives.map(x => [x.snapshot.shortId, x.manifestSnapshot.shortId])).toEqual([['a', 'c']]);
        expect(p.unfinished.map(s => s.shortId)).toEqual(['b']);
        expect(p.orphans.map(s => s.shortId).sort()).toEqual(['d', 'e', 'f']);
    });

    it('a short snapshot: tag pairs only with the one data snapshot of its server and run that begins with it', () => {
        const full = (hex: string): string => hex.padEnd(64, '0');
        const data = (id: string, host: string, run: string): ResticSnapshot =>
            ({ id: full(id), shortId: id.slice(0, 8), time: '2026-01-01T00:00:00Z', hostname: host, paths: ['/d'], tags: ['backplan', `run:${run}`], tree: '' });
        const manifest = (id: string, host: string, run: string, of: string): ResticSnapshot =>
            ({ ...data(id, host, run), tags: ['backplan-manifest', snapshotTag(of), `run:${run}`] });
        const a = data('aaaaaaaa1', 'Mail', 'r1');
        const twinA = data('aaaaaaaa2', 'Mail', 'r2'); // same 8 digits, another run
        const b = data('bbbbbbbb1', 'Mail', 'r3');
        const twinB = data('bbbbbbbb2', 'Mail', 'r3'); // same 8 digits and run: ambiguous
        const p = pairManifests([a, twinA, b, twinB,
            manifest('cccccccc', 'Mail', 'r1', 'aaaaaaaa'), manifest('dddddddd', 'Cat1', 'r2', 'aaaaaaaa'),
            manifest('eeeeeeee', 'Mail', 'r3', 'bbbbbbbb'), manifest('ffffffff', 'Mail', 'r4', 'aaaaaaa')]);
        expect(p.archives.map(x => [x.snapshot.shortId, x.manifestSnapshot.shortId])).toEqual([['aaaaaaaa', 'cccccccc']]);
        expect(p.orphans.map(s => s.shortId).sort()).toEqual(['dddddddd', 'eeeeeeee', 'ffffffff']);
    });

    it('a manifest naming a short ID is read back as its snapshot\'s full ID; another snapshot\'s is refused', () => {
        const snapshot: ResticSnapshot = { id: '1234abcd'.padEnd(64, 'e'), shortId: '1234abcd', time: '2026-01-01T00:00:00Z', hostname: 'Mail', paths: ['/d'], tags: ['backplan', 'run:r'], tree: '' };
        const text = (id: string, runId = 'r'): string => JSON.stringify({
            format: 'backplan-restic-manifest', version: 1, snapshot: id, server: 'Mail', policy: 'Nightly', runId, runbook: '/r.backplan', tape: 'Vault', host: 'local',
            data: '/d', folders: [], times: { backupStarted: 't', backupFinished: 't' }, tools: {}, files: 0, entries: []
        });
        expect(parseResticManifest(text('1234abcd'), snapshot).snapshot).toBe(snapshot.id);
        expect(() => parseResticManifest(text('1234abce'), snapshot)).toThrow(/describes snapshot 1234abce/);
        expect(() => parseResticManifest(text('1234abc'), snapshot)).toThrow(/not valid/);
        expect(() => parseResticManifest(text('1234abcd', 'another run'), snapshot)).toThrow(/describes snapshot 1234abcd/);
        expect(parseResticManifest(text(snapshot.id, 'another run'), snapshot).snapshot).toBe(snapshot.id); // a full ID needs no run
    });

    it('keep counts become restic flags, in restic\'s order', () => {
        expect(keepArgs({ monthly: 12, last: 3, daily: 7 })).toEqual(['--keep-last', '3', '--keep-daily', '7', '--keep-monthly', '12']);
        expect(keepArgs({})).toEqual([]);
        expect(parseForget('')).toEqual({ keep: [], remove: [] });
    });
});
