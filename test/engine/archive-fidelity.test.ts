/**
 * What an archive holds: odd names archive and extract byte-for-byte with plain `tar`,
 * and a server that writes while it runs is archived exactly as it was when it stopped.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extractWithTar, Lab, seedMail } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

function oddTree(dir: string): void {
    const w = (rel: string, content: string | Buffer = rel): void => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content);
    };
    w('with space.txt');
    w(`quote's "double".txt`);
    w('$(touch pwned)');
    w('`touch pwned2`');
    w('semi;colon & amp | pipe > gt');
    w('ünïcødé-日本語-😀.txt');
    w('new\nline');
    w('-leading-dash');
    w('empty', '');
    w('binary.bin', Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7919) % 256)));
    w('x'.repeat(200) + '.long');
    let deep = 'deep';
    for (let i = 0; i < 40; i++) deep += `/level-${i}`;
    w(`${deep}/bottom.txt`);
    fs.mkdirSync(path.join(dir, 'empty dir'));
    fs.symlinkSync('with space.txt', path.join(dir, 'link to space'));
    fs.symlinkSync('does/not/exist', path.join(dir, 'dangling'));
    fs.symlinkSync('/etc/hostname', path.join(dir, 'absolute link'));
    fs.linkSync(path.join(dir, 'binary.bin'), path.join(dir, 'hardlink.bin'));
    fs.chmodSync(path.join(dir, 'with space.txt'), 0o751);
    fs.chownSync(path.join(dir, 'empty'), 1234, 5678);
    fs.utimesSync(path.join(dir, 'binary.bin'), 1_000_000_000.5, 1_000_000_000.25);
    const sparse = path.join(dir, 'sparse.img');
    const fd = fs.openSync(sparse, 'w');
    fs.writeSync(fd, 'start', 0);
    fs.writeSync(fd, 'middle', 3 * 1024 * 1024);
    fs.ftruncateSync(fd, 8 * 1024 * 1024);
    fs.closeSync(fd);
}

interface Stat { type: string; mode: number; uid: number; gid: number; mtimeNs: bigint; size: number; link?: string; sha?: string }

function snapshot(dir: string): Map<string, Stat> {
    const out = new Map<string, Stat>();
    const walk = (rel: string): void => {
        const abs = path.join(dir, rel);
        const st = fs.lstatSync(abs, { bigint: true });
        const s: Stat = { type: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file', mode: Number(st.mode), uid: Number(st.uid), gid: Number(st.gid), mtimeNs: st.mtimeNs, size: Number(st.size) };
        if (st.isSymbolicLink()) s.link = fs.readlinkSync(abs);
        if (st.isFile()) s.sha = createHash('sha256').update(fs.readFileSync(abs)).digest('hex');
        if (st.isDirectory()) { s.mtimeNs = 0n; s.size = 0; for (const n of fs.readdirSync(abs)) walk(path.join(rel, n)); }
        if (st.isSymbolicLink()) s.mtimeNs = 0n;
        out.set(rel, s);
    };
    walk('.');
    return out;
}

describe('archive fidelity', () => {
    it('odd names, links, modes, owners, sparse files and deep nesting extract byte-for-byte with plain tar', async () => {
        lab = Lab.create();
        lab.writeRunbook([{ name: 'Odd', stop: 'true', start: 'true' }]);
        oddTree(lab.data('Odd'));
        const r = await lab.cli('backup');
        expect(r.stderr).not.toMatch(/internal error/);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        const archive = lab.tapeFiles().find(f => f.endsWith('.tar.zst'))!;
        const out = path.join(lab.root, 'extracted');
        extractWithTar(path.join(lab.tape, 'archives', archive), out);
        const want = snapshot(lab.data('Odd'));
        const got = snapshot(out);
        expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [rel, s] of want) expect(got.get(rel), rel).toEqual(s);
        // Names are data, never shell.
        for (const d of [lab.root, lab.data('Odd'), process.cwd()]) {
            expect(fs.existsSync(path.join(d, 'pwned'))).toBe(false);
            expect(fs.existsSync(path.join(d, 'pwned2'))).toBe(false);
        }
        const manifest = JSON.parse(fs.readFileSync(path.join(lab.tape, 'archives', archive.replace('.tar.zst', '.manifest.json')), 'utf8'));
        const byPath = new Map<string, any>(manifest.entries.map((e: any) => [e.path, e]));
        expect(byPath.get('new\nline').sha256).toBe(want.get('new\nline')!.sha);
        expect(byPath.get('sparse.img')).toMatchObject({ size: 8 * 1024 * 1024, sparse: true, sha256: want.get('sparse.img')!.sha });
        expect(byPath.get('empty')).toMatchObject({ uid: 1234, gid: 5678, size: 0 });
        expect(byPath.get('binary.bin').mtime).toBe('1000000000.25');
        expect(byPath.get('dangling')).toMatchObject({ type: 'symlink', linkTarget: 'does/not/exist' });
        // The archive is faithful, but restore refuses its absolute symlink, so verify says so
        // (DESIGN §13: "ok" only for an archive restore would accept).
        const v = await lab.cli('verify');
        expect(v.stdout).toMatch(/restore would refuse it: refused entry "absolute link": symlink to "\/etc\/hostname" is absolute/);
        expect(v.stdout).not.toMatch(/differs|corrupt|truncated/);
        expect(v.code).toBe(1);
    });

    it('a server writing while it runs is archived exactly as it was at the stop, and runs again after', async () => {
        lab = Lab.create();
        fs.writeFileSync(path.join(lab.bin, 'stop-and-snapshot'), `#!/bin/sh
demo-app stop || exit 1
cd "$BACKPLAN_DATA" && find . -type f -print0 | sort -z | xargs -0 sha256sum > "$BACKPLAN_DATA.at-stop"
`, { mode: 0o755 });
        lab.writeRunbook([{ name: 'Mail1', stop: 'stop-and-snapshot' }]);
        seedMail(lab.data('Mail1'));
        lab.env.DEMO_APP_INTERVAL_MS = '2';
        expect(lab.app('Mail1', 'start')).toBe(0);
        const r = await lab.cli('backup');
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(lab.running('Mail1')).toBe(true);

        const atStop = new Map(fs.readFileSync(`${lab.data('Mail1')}.at-stop`, 'utf8').trim().split('\n')
            .map(l => [l.slice(66).replace(/^\.\//, ''), l.slice(0, 64)] as [string, string]));
        const manifestFile = lab.tapeFiles().find(f => f.endsWith('.manifest.json'))!;
        const manifest = JSON.parse(fs.readFileSync(path.join(lab.tape, 'archives', manifestFile), 'utf8'));
        const archived = new Map<string, string>(manifest.entries.filter((e: any) => e.type === 'file').map((e: any) => [e.path, e.sha256]));
        expect(archived).toEqual(atStop);
        expect([...archived.keys()].filter(p => p.startsWith('Inbox/msg-')).length).toBeGreaterThan(0);
        expect(archived.has('shutdown.log')).toBe(true);

        // Started again: it keeps delivering after the backup.
        const log = path.join(lab.data('Mail1'), 'mail.log');
        const sizeAtStop = manifest.entries.find((e: any) => e.path === 'mail.log').size;
        while (fs.statSync(log).size <= sizeAtStop) await new Promise(res => setTimeout(res, 20));
    });
});
