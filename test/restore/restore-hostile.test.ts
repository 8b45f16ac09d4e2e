/**
 * Hostile archives built in the test, each with a manifest whose archive hash matches:
 * absolute paths, `..`, a symlink to /etc (or out with `../..`) then a file through it,
 * hardlinks out, a device node. Each is refused with a clear error before anything is
 * stopped or written; nothing appears outside; the original data is untouched. When the
 * manifest lies (lists harmless entries) the stream gate refuses the entry before `tar`
 * sees it, the original data is put back and the application runs. Headers the stream
 * reader would read otherwise than GNU tar (a pax global header, a malformed pax size) are
 * refused by the gate the same way.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeArchive, Lab, paxRecord, snapshot, tarOf } from './lab.js';

let lab: Lab;
let original: string[];
const outside = (): string => path.join(lab.root, 'outside');

beforeAll(() => {
    lab = new Lab([{ name: 'Mail1', role: 'mail' }], []);
    fs.writeFileSync(path.join(lab.data('Mail1'), 'inbox.txt'), 'the original mail\n');
    original = snapshot(lab.data('Mail1'));
    expect(lab.app('start', 'Mail1')).toBe(0);
});
afterAll(() => lab.dispose());

const cases: Array<{ name: string; entries: Parameters<typeof tarOf>[0]; error: RegExp }> = [
    { name: 'an absolute path', entries: [{ name: './', type: '5' }, { name: '@OUT@/abs.txt', text: 'pwned' }], error: /absolute path/ },
    { name: 'a ../ path', entries: [{ name: './', type: '5' }, { name: './../x', text: 'pwned' }], error: /climbs out with "\.\."/ },
    { name: 'a symlink to /etc, then a file through it', entries: [{ name: './', type: '5' }, { name: './etc', type: '2', link: '/etc' }, { name: './etc/backplan-pwned', text: 'pwned' }], error: /symlink to "\/etc" is absolute/ },
    { name: 'a relative symlink out, then a file through it', entries: [{ name: './', type: '5' }, { name: './up', type: '2', link: '../..' }, { name: './up/pwned', text: 'pwned' }], error: /points outside the restored folder/ },
    { name: 'a symlink made to escape by a later symlink', entries: [{ name: './', type: '5' }, { name: './d', type: '5' }, { name: './a', type: '2', link: 'd/..' }, { name: './d', type: '2', link: '.' }], error: /through a later symlink/ },
    { name: 'a hardlink to an absolute path', entries: [{ name: './', type: '5' }, { name: './h', type: '1', link: '/etc/passwd' }], error: /hardlink to "\/etc\/passwd": absolute path/ },
    { name: 'a hardlink out with ..', entries: [{ name: './', type: '5' }, { name: './h', type: '1', link: '../outside/x' }], error: /hardlink to .*climbs out/ },
    { name: 'a device node', entries: [{ name: './', type: '5' }, { name: './dev0', type: '3' }], error: /device files are never restored/ }
];

describe('hostile archives with a matching manifest are refused before anything is stopped', () => {
    for (const c of cases) {
        it(c.name, async () => {
            fs.mkdirSync(outside(), { recursive: true });
            const entries = c.entries.map(e => ({ ...e, name: e.name.replace('@OUT@', outside()) }));
            const id = forgeArchive(lab, 'Mail1', tarOf(entries));
            lab.clearEvents();
            const r = await lab.cli('restore', ['--server', 'Mail1', '--archive', id]);
            expect(r.code).toBe(1);
            expect(r.stdout + r.stderr).toMatch(/refused before anything was stopped/);
            expect(r.stdout + r.stderr).toMatch(c.error);
            expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
            expect(lab.eventLines()).toEqual([]);
            expect(fs.readdirSync(outside())).toEqual([]);
            expect(fs.existsSync('/etc/backplan-pwned')).toBe(false);
            expect(fs.readdirSync(path.dirname(lab.data('Mail1'))).filter(n => !n.startsWith('data dir'))).toEqual([]);
            expect(snapshot(lab.data('Mail1'))).toEqual(original);
            expect(lab.running('Mail1')).toBe(true);
            // verify: an archive restore refuses is not verified (DESIGN §13).
            const v = await lab.cli('verify', ['--archive', id]);
            expect(v.code).toBe(1);
            expect(v.stdout + v.stderr).toMatch(c.error);
            expect(v.stdout).toMatch(/FAILED .*\n\s+restore would refuse it: refused entry/);
        });
    }
});

/**
 * Issue 13.1: a symlink that stays inside at its own depth, and a hard link to it at the
 * top (a hard link to a symlink is a symlink at the link's path). Built by GNU tar from a
 * real tree (`ln` makes the hard link to the symlink itself); `--sort=name` puts the
 * symlink first, so `etc` is stored as the hard link. `extra` is appended with `tar -r`.
 */
function linkEscapeTar(linkText: string, name: string, extra?: { name: string; text: string }): Buffer {
    const src = path.join(lab.root, `src-${Math.random().toString(36).slice(2)}`);
    const deep = path.join(src, 'a/b/c/d/e/f/g/h/i/j');
    fs.mkdirSync(deep, { recursive: true });
    fs.symlinkSync(linkText, path.join(deep, 'l'));
    execFileSync('ln', ['-P', path.join(deep, 'l'), path.join(src, name)]);
    const file = `${src}.tar`;
    execFileSync('tar', ['--create', '--format=posix', '--sort=name', `--file=${file}`, `--directory=${src}`, '.']);
    if (extra) {
        const src2 = `${src}-extra`;
        fs.mkdirSync(path.dirname(path.join(src2, extra.name)), { recursive: true });
        fs.writeFileSync(path.join(src2, extra.name), extra.text);
        execFileSync('tar', ['--append', '--format=posix', `--file=${file}`, `--directory=${src2}`, `./${extra.name}`]);
    }
    return fs.readFileSync(file);
}

describe('a hard link to a symlink that stays inside only at its own depth (issue 13.1)', () => {
    const refused = async (id: string): Promise<string> => {
        lab.clearEvents();
        const r = await lab.cli('restore', ['--server', 'Mail1', '--archive', id]);
        expect(r.stdout + r.stderr).toMatch(/refused before anything was stopped/);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        expect(r.code).toBe(1);
        expect(lab.eventLines()).toEqual([]);
        expect(lab.running('Mail1')).toBe(true);
        expect(snapshot(lab.data('Mail1'))).toEqual(original);
        return r.stdout + r.stderr;
    };

    it('DATA/etc → /etc is refused: nothing is restored, DATA/etc does not exist, verify says not ok', async () => {
        const id = forgeArchive(lab, 'Mail1', linkEscapeTar(`${'../'.repeat(10)}etc`, 'etc'));
        const out = await refused(id);
        expect(out).toMatch(/refused entry "etc": hardlink to the symlink a\/b\/c\/d\/e\/f\/g\/h\/i\/j\/l, whose target "(\.\.\/){10}etc" points outside the restored folder/);
        expect(fs.existsSync(path.join(lab.data('Mail1'), 'etc'))).toBe(false);
        const v = await lab.cli('verify', ['--archive', id]);
        expect(v.code).toBe(1);
        expect(v.stdout).toMatch(/restore would refuse it: refused entry "etc": hardlink to the symlink/);
    });

    // Within one `tar -x` GNU tar's placeholder for a delayed `..` link happens to stop this
    // write (ENOTDIR, then a rollback); the checker refuses it before anything is stopped.
    it('a later file written through the hard link is refused: nothing appears outside', async () => {
        fs.mkdirSync(outside(), { recursive: true });
        // ../../../outside: inside from a/b/…/j (ten folders down), the lab's `outside` from DATA.
        const rel = path.relative(lab.data('Mail1'), outside());
        const id = forgeArchive(lab, 'Mail1', linkEscapeTar(rel, 'up', { name: 'up/pwned', text: 'pwned' }));
        const out = await refused(id);
        expect(out).toMatch(/refused entry "up": hardlink to the symlink/);
        expect(fs.readdirSync(outside())).toEqual([]);
        expect(fs.existsSync(path.join(lab.data('Mail1'), 'up'))).toBe(false);
        const v = await lab.cli('verify', ['--archive', id]);
        expect(v.code).toBe(1);
        expect(v.stdout).toMatch(/refused entry "up"/);
    });
});

describe('a manifest that lies about a hostile entry', () => {
    it('is caught by the stream gate: nothing written outside, original back, application running', async () => {
        const harmless = tarOf([{ name: './', type: '5' }, { name: './ok.txt', text: 'ok' }, { name: './x', text: 'pwned' }]);
        const hostile = tarOf([{ name: './', type: '5' }, { name: './ok.txt', text: 'ok' }, { name: './../x', text: 'pwned' }]);
        const id = forgeArchive(lab, 'Mail1', hostile, harmless);
        lab.clearEvents();
        const r = await lab.cli('restore', ['--server', 'Mail1', '--archive', id]);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/refused entry "\.\.\/x": the path climbs out with "\.\."; the original data is back in place/);
        expect(fs.readdirSync(path.dirname(lab.data('Mail1')))).toEqual(['data dir', 'data dir.pid']);
        expect(snapshot(lab.data('Mail1'))).toEqual(original);
        expect(lab.eventLines()).toEqual(['stopping Mail1', 'started Mail1']);
        expect(lab.running('Mail1')).toBe(true);
    });

    it('a device node in place of a listed file is refused the same way', async () => {
        const harmless = tarOf([{ name: './', type: '5' }, { name: './dev0', text: '' }]);
        const hostile = tarOf([{ name: './', type: '5' }, { name: './dev0', type: '3' }]);
        const id = forgeArchive(lab, 'Mail1', hostile, harmless);
        const r = await lab.cli('restore', ['--server', 'Mail1', '--archive', id]);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/device files are never restored/);
        expect(snapshot(lab.data('Mail1'))).toEqual(original);
        expect(lab.running('Mail1')).toBe(true);
    });
});

describe('headers GNU tar reads otherwise than a lenient reader would', () => {
    /** The restore is refused by the stream gate: nothing written, original back, application running. */
    async function refusedAtGate(hostile: Buffer, listed: Buffer, error: RegExp): Promise<void> {
        fs.mkdirSync(outside(), { recursive: true });
        const id = forgeArchive(lab, 'Mail1', hostile, listed);
        lab.clearEvents();
        const r = await lab.cli('restore', ['--server', 'Mail1', '--archive', id]);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(error);
        expect(r.stdout).toMatch(/the original data is back in place/);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        expect(fs.readdirSync(outside())).toEqual([]);
        expect(fs.readdirSync(path.dirname(lab.data('Mail1')))).toEqual(['data dir', 'data dir.pid']);
        expect(snapshot(lab.data('Mail1'))).toEqual(original);
        expect(lab.eventLines()).toEqual(['stopping Mail1', 'started Mail1']);
        expect(lab.running('Mail1')).toBe(true);
    }

    it('a pax global header giving a harmless-looking symlink an absolute target', async () => {
        const link = { name: './link', type: '2', link: 'ok.txt' };
        const listed = tarOf([{ name: './', type: '5' }, { name: './ok.txt', text: 'ok' }, link]);
        const hostile = tarOf([{ name: './', type: '5' }, { name: './ok.txt', text: 'ok' },
            { name: 'pax_global_header', type: 'g', text: paxRecord('linkpath', outside()) }, link]);
        await refusedAtGate(hostile, listed, /refused entry "link": symlink to ".*outside" is absolute/);
    });

    it('a malformed pax size (size=abc) in front of a hostile entry', async () => {
        const listed = tarOf([{ name: './', type: '5' }, { name: './a.txt', text: 'a' }]);
        const hostile = tarOf([{ name: './', type: '5' }, { name: 'PaxHeaders/a.txt', type: 'x', text: paxRecord('size', 'abc') }, { name: './a.txt', text: 'a' },
            { name: './up', type: '2', link: outside() }, { name: './up/pwned', text: 'pwned' }]);
        await refusedAtGate(hostile, listed, /tar stream is refused at byte 512: malformed pax header: size="abc" is not valid/);
    });
});
