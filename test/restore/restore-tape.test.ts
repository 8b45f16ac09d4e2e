/**
 * Restore drills from tape, end to end on real files and real processes through the built
 * CLI: byte-for-byte (content, modes, mtimes, symlinks, hardlinks, odd names), --keep-old,
 * --target, --folder, a corrupt archive refused before any stop, a failed stop, extraction
 * failing half-way (original back, application running), a failed start after the swap,
 * and a --folder restore that fits on a disk with no room for the whole archive.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forgeArchive, Lab, richTree, snapshot, tarOf } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

const archivesOf = (l: Lab): string[] => fs.readdirSync(path.join(l.tape, 'archives')).filter(n => n.endsWith('.manifest.json')).map(n => n.replace('.manifest.json', '')).sort();

async function backedUpMail(): Promise<{ lab: Lab; before: string[] }> {
    const l = new Lab([{ name: 'Mail1', role: 'mail' }], []);
    richTree(l.data('Mail1'), 'mail');
    expect(l.app('start', 'Mail1')).toBe(0);
    const b = await l.cli('backup');
    expect(b.stderr + b.stdout).toMatch(/every server backed up/);
    expect(b.code).toBe(0);
    return { lab: l, before: snapshot(l.data('Mail1')) };
}

describe('restore from tape', () => {
    it('brings a wiped mail server back byte for byte, then removes the set-aside copy', async () => {
        const { lab: l, before } = await backedUpMail();
        lab = l;
        fs.rmSync(l.data('Mail1'), { recursive: true });
        fs.mkdirSync(l.data('Mail1'));
        fs.writeFileSync(path.join(l.data('Mail1'), 'junk-after-crash'), 'x');
        l.clearEvents();
        const r = await l.cli('restore', ['--server', 'Mail1']);
        expect(r.stderr).not.toMatch(/internal error/);
        expect(r.stdout).toMatch(/ok .*Mail1 ← archive/);
        expect(r.code).toBe(0);
        expect(snapshot(l.data('Mail1'))).toEqual(before);
        expect(l.leftovers('Mail1')).toEqual([]);
        expect(l.running('Mail1')).toBe(true);
        expect(l.eventLines()).toEqual(['stopping Mail1', 'started Mail1']);
    });

    it('--keep-old keeps the previous data beside the folder; --dry-run touches nothing', async () => {
        const { lab: l, before } = await backedUpMail();
        lab = l;
        fs.writeFileSync(path.join(l.data('Mail1'), 'readme.txt'), 'changed after the backup\n');
        const dry = await l.cli('restore', ['--server', 'Mail1', '--dry-run']);
        expect(dry.code).toBe(0);
        expect(dry.stdout).toMatch(/source: tape — a mail server comes back from tape/);
        expect(dry.stdout).toMatch(/check archive .* before touching anything/);
        expect(fs.readFileSync(path.join(l.data('Mail1'), 'readme.txt'), 'utf8')).toBe('changed after the backup\n');
        const r = await l.cli('restore', ['--server', 'Mail1', '--keep-old']);
        expect(r.code).toBe(0);
        expect(snapshot(l.data('Mail1'))).toEqual(before);
        const kept = l.leftovers('Mail1');
        expect(kept).toHaveLength(1);
        expect(kept[0]).toMatch(/^\.data dir\.backplan-old-/);
        expect(fs.readFileSync(path.join(path.dirname(l.data('Mail1')), kept[0], 'readme.txt'), 'utf8')).toBe('changed after the backup\n');
        expect(r.stdout).toMatch(/previous data kept at/);
    });

    it('--target restores into an empty folder without stopping anything', async () => {
        const { lab: l, before } = await backedUpMail();
        lab = l;
        l.clearEvents();
        const target = path.join(l.root, 'drill');
        const r = await l.cli('restore', ['--server', 'Mail1', '--target', target]);
        expect(r.code).toBe(0);
        expect(snapshot(target)).toEqual(before);
        expect(l.eventLines()).toEqual([]);
        const again = await l.cli('restore', ['--server', 'Mail1', '--target', target]);
        expect(again.code).toBe(1);
        expect(again.stdout + again.stderr).toMatch(/not an empty folder/);
    });

    it('refuses a corrupt archive before any application is stopped', async () => {
        const { lab: l } = await backedUpMail();
        lab = l;
        fs.writeFileSync(path.join(l.data('Mail1'), 'new-mail'), 'arrived after the backup');
        const current = snapshot(l.data('Mail1'));
        const [id] = archivesOf(l);
        const file = path.join(l.tape, 'archives', `${id}.tar.zst`);
        const bytes = fs.readFileSync(file);
        bytes[Math.floor(bytes.length / 2)] ^= 0xff;
        fs.writeFileSync(file, bytes);
        l.clearEvents();
        const r = await l.cli('restore', ['--server', 'Mail1']);
        expect(r.code).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/refused before anything was stopped: archive .*SHA-256/);
        expect(l.eventLines()).toEqual([]);
        expect(snapshot(l.data('Mail1'))).toEqual(current);
        expect(l.running('Mail1')).toBe(true);
    });

    it('a failed stop changes nothing and starts the application again', async () => {
        const { lab: l } = await backedUpMail();
        lab = l;
        fs.writeFileSync(path.join(l.data('Mail1'), 'new-mail'), 'x');
        const current = snapshot(l.data('Mail1'));
        fs.writeFileSync(`${l.data('Mail1')}.nostop`, '');
        const r = await l.cli('restore', ['--server', 'Mail1']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/stop command .* exited with code 1; nothing was changed/);
        expect(snapshot(l.data('Mail1'))).toEqual(current);
        expect(l.running('Mail1')).toBe(true);
    });

    it('extraction failing half-way puts the original data back and the application runs', async () => {
        const { lab: l } = await backedUpMail();
        lab = l;
        const current = snapshot(l.data('Mail1'));
        // A stream whose third header is corrupt; the manifest lists what it should have held.
        const good = tarOf([{ name: './', type: '5' }, { name: './a.txt', text: 'a'.repeat(5000) }, { name: './b.txt', text: 'b' }]);
        const broken = Buffer.from(good);
        broken[512 * 12 + 10] ^= 0x55; // inside b.txt's header
        forgeArchive(l, 'Mail1', broken, good);
        l.clearEvents();
        const r = await l.cli('restore', ['--server', 'Mail1']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/tar stream is refused at byte 6144: the header checksum does not match.*the original data is back in place/);
        expect(snapshot(l.data('Mail1'))).toEqual(current);
        expect(l.leftovers('Mail1')).toEqual([]);
        expect(l.running('Mail1')).toBe(true);
        expect(l.eventLines()).toEqual(['stopping Mail1', 'started Mail1']);
    });

    it('a file whose content differs from the manifest is caught before the swap (same size, other bytes)', async () => {
        const { lab: l } = await backedUpMail();
        lab = l;
        const current = snapshot(l.data('Mail1'));
        const listed = tarOf([{ name: './', type: '5' }, { name: './a.txt', text: 'the real mail' }]);
        const stored = tarOf([{ name: './', type: '5' }, { name: './a.txt', text: 'the real MAIL' }]);
        forgeArchive(l, 'Mail1', stored, listed);
        const r = await l.cli('restore', ['--server', 'Mail1']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/the archive's content differs from its manifest: a\.txt: sha256 .*; the original data is back in place/);
        expect(snapshot(l.data('Mail1'))).toEqual(current);
        expect(l.running('Mail1')).toBe(true);
    });

    it('a start that fails after the swap is reported; the restored data stays and the old data is kept', async () => {
        const { lab: l, before } = await backedUpMail();
        lab = l;
        fs.writeFileSync(path.join(l.data('Mail1'), 'readme.txt'), 'newer\n');
        fs.writeFileSync(`${l.data('Mail1')}.nostart`, '');
        const r = await l.cli('restore', ['--server', 'Mail1']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/Mail1 is NOT running/);
        expect(r.stdout).toMatch(/the restored data is in place and verified; the previous data is kept at/);
        expect(snapshot(l.data('Mail1'))).toEqual(before);
        const kept = l.leftovers('Mail1');
        expect(kept).toHaveLength(1);
        expect(fs.readFileSync(path.join(path.dirname(l.data('Mail1')), kept[0], 'readme.txt'), 'utf8')).toBe('newer\n');
    });

    it('a single catalog server comes back from tape whole; --folder brings back one folder and leaves the rest', async () => {
        const l = lab = new Lab([{ name: 'Cat1', role: 'catalog' }], [{ name: 'Engineering', on: ['Cat1'] }, { name: 'Sales', on: ['Cat1'], path: 'Sales Dept' }]);
        richTree(path.join(l.data('Cat1'), 'Engineering'), 'eng');
        richTree(path.join(l.data('Cat1'), 'Sales Dept'), 'sales');
        fs.writeFileSync(path.join(l.data('Cat1'), 'catalog.conf'), 'outside the folders\n');
        expect(l.app('start', 'Cat1')).toBe(0);
        expect((await l.cli('backup')).code).toBe(0);
        const whole = snapshot(l.data('Cat1'));
        const sales = snapshot(path.join(l.data('Cat1'), 'Sales Dept'));

        // One folder damaged, another changed since the backup: --folder restores only the first.
        fs.rmSync(path.join(l.data('Cat1'), 'Sales Dept', 'bin'), { recursive: true });
        fs.writeFileSync(path.join(l.data('Cat1'), 'Engineering', 'new-since-backup'), 'keep me');
        const one = await l.cli('restore', ['--server', 'Cat1', '--folder', 'Sales']);
        expect(one.stdout).toMatch(/ok .*Cat1 \(Sales\) ← archive/);
        expect(one.code).toBe(0);
        expect(snapshot(path.join(l.data('Cat1'), 'Sales Dept'))).toEqual(sales);
        expect(fs.readFileSync(path.join(l.data('Cat1'), 'Engineering', 'new-since-backup'), 'utf8')).toBe('keep me');
        expect(l.leftovers('Cat1')).toEqual([]);

        // The crash: everything gone; the default source is tape, and the plan says why.
        fs.rmSync(l.data('Cat1'), { recursive: true });
        fs.mkdirSync(l.data('Cat1'));
        const dry = await l.cli('restore', ['--server', 'Cat1', '--dry-run']);
        expect(dry.stdout).toMatch(/source: tape — Engineering, Sales are on no other server that can be quiesced/);
        expect(dry.stdout).toMatch(/note: Engineering is held on Cat1 only/);
        const r = await l.cli('restore', ['--server', 'Cat1']);
        expect(r.code).toBe(0);
        expect(snapshot(l.data('Cat1'))).toEqual(whole);
        expect(l.running('Cat1')).toBe(true);

        const drill = path.join(l.root, 'sales-drill');
        expect((await l.cli('restore', ['--server', 'Cat1', '--folder', 'Sales', '--target', drill])).code).toBe(0);
        expect(snapshot(drill)).toEqual(sales);
    });

    it('--folder writes only that folder to staging: it fits where the whole archive would not, and one that cannot fit is refused', async ({ skip }) => {
        const l = lab = new Lab([{ name: 'Cat1', role: 'catalog' }], [{ name: 'Big', on: ['Cat1'], path: 'big' }, { name: 'Small', on: ['Cat1'], path: 'small' }]);
        // The server's disk: 48 MiB, holding a 30 MiB folder (staging and set-aside copies are siblings of its data).
        const disk = path.dirname(l.data('Cat1'));
        try {
            execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', disk], { stdio: 'ignore' });
        } catch {
            if (process.env.BACKPLAN_REQUIRE_MOUNT === '1') throw new Error('mount -t tmpfs is not permitted here (BACKPLAN_REQUIRE_MOUNT=1)');
            return skip('mount -t tmpfs is not permitted here (needs root): the small-disk --folder restore is not tested');
        }
        try {
            fs.mkdirSync(path.join(l.data('Cat1'), 'big'), { recursive: true });
            fs.writeFileSync(path.join(l.data('Cat1'), 'big', 'attachments.bin'), randomBytes(30 << 20));
            richTree(path.join(l.data('Cat1'), 'small'), 'small');
            expect(l.app('start', 'Cat1')).toBe(0);
            expect((await l.cli('backup')).code).toBe(0);
            const small = snapshot(path.join(l.data('Cat1'), 'small'));
            const big = snapshot(path.join(l.data('Cat1'), 'big'));

            fs.rmSync(path.join(l.data('Cat1'), 'small', 'bin'), { recursive: true });
            const r = await l.cli('restore', ['--server', 'Cat1', '--folder', 'Small']);
            expect(r.stderr).not.toMatch(/No space left|internal error/);
            expect(r.stdout).toMatch(/ok .*Cat1 \(Small\) ← archive/);
            expect(r.code).toBe(0);
            expect(snapshot(path.join(l.data('Cat1'), 'small'))).toEqual(small);
            expect(snapshot(path.join(l.data('Cat1'), 'big'))).toEqual(big);
            expect(l.leftovers('Cat1')).toEqual([]);
            expect(l.running('Cat1')).toBe(true);

            // Big itself has no room beside it: refused before anything, while Cat1 runs on.
            l.clearEvents();
            const none = await l.cli('restore', ['--server', 'Cat1', '--folder', 'Big']);
            expect(none.stdout + none.stderr).toMatch(/big needs [\d.]+ MiB beside .* on local, and [\d.]+ MiB is free: make room, or restore it elsewhere with --target DIR; nothing was changed/);
            expect(none.code).toBe(1);
            expect(l.eventLines()).toEqual([]);
            expect(snapshot(path.join(l.data('Cat1'), 'big'))).toEqual(big);
            expect(l.leftovers('Cat1')).toEqual([]);
        } finally {
            l.app('stop', 'Cat1');
            execFileSync('umount', ['-l', disk], { stdio: 'ignore' });
        }
    });

    it('--folder of a folder the archive does not hold fails before anything is stopped', async () => {
        // Legal is declared, but its folder did not exist on Cat1 when the backup ran.
        const l = lab = new Lab([{ name: 'Cat1', role: 'catalog' }], [{ name: 'Sales', on: ['Cat1'] }, { name: 'Legal', on: ['Cat1'] }]);
        richTree(path.join(l.data('Cat1'), 'Sales'), 'sales');
        expect(l.app('start', 'Cat1')).toBe(0);
        expect((await l.cli('backup')).code).toBe(0);
        l.clearEvents();
        const r = await l.cli('restore', ['--server', 'Cat1', '--folder', 'Legal']);
        expect(r.code).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/the archive holds no folder Legal; nothing was changed/);
        expect(l.eventLines().filter(e => /stop/.test(e))).toEqual([]);
        expect(l.leftovers('Cat1')).toEqual([]);
        expect(l.running('Cat1')).toBe(true);
    });

    it('--folder restores a hard link whose first copy in the archive lies in another folder', async () => {
        const l = lab = new Lab([{ name: 'Cat1', role: 'catalog' }], [{ name: 'Alpha', on: ['Cat1'] }, { name: 'Beta', on: ['Cat1'] }]);
        for (const f of ['Alpha', 'Beta']) fs.mkdirSync(path.join(l.data('Cat1'), f));
        fs.writeFileSync(path.join(l.data('Cat1'), 'Alpha', 'shared.pdf'), 'one inode, two names\n');
        fs.linkSync(path.join(l.data('Cat1'), 'Alpha', 'shared.pdf'), path.join(l.data('Cat1'), 'Beta', 'shared.pdf'));
        expect(l.app('start', 'Cat1')).toBe(0);
        expect((await l.cli('backup')).code).toBe(0);
        // tar stores whichever name it meets second as a link to the first.
        const [id] = archivesOf(l);
        const manifest = JSON.parse(fs.readFileSync(path.join(l.tape, 'archives', `${id}.manifest.json`), 'utf8')) as { entries: Array<{ path: string; type: string; linkTarget?: string }> };
        const link = manifest.entries.find(e => e.type === 'hardlink')!;
        const folder = link.path.split('/')[0];
        expect(link.linkTarget!.split('/')[0]).not.toBe(folder);
        const want = snapshot(path.join(l.data('Cat1'), folder));

        fs.rmSync(path.join(l.data('Cat1'), folder), { recursive: true });
        const r = await l.cli('restore', ['--server', 'Cat1', '--folder', folder]);
        expect(r.stdout).toMatch(new RegExp(`ok .*Cat1 \\(${folder}\\) ← archive`));
        expect(r.code).toBe(0);
        expect(snapshot(path.join(l.data('Cat1'), folder))).toEqual(want);
        expect(l.leftovers('Cat1')).toEqual([]);
    });

    it('a host without GNU find, stat or mv is refused before anything is stopped', async () => {
        const { lab: l, before } = await backedUpMail();
        lab = l;
        const stubs = path.join(l.root, 'busybox-like');
        fs.mkdirSync(stubs);
        for (const tool of ['stat', 'mv']) fs.writeFileSync(path.join(stubs, tool), '#!/bin/sh\necho "usage: limited" >&2\nexit 1\n', { mode: 0o755 });
        l.clearEvents();
        const r = await l.cli('restore', ['--server', 'Mail1'], { PATH: `${stubs}:${process.env.PATH}` });
        expect(r.stdout + r.stderr).toMatch(/Mail1: a restore needs GNU find, stat, mv and coreutils' sha256sum on local; missing there: stat-c, mv-T/);
        expect(r.code).toBe(1);
        expect(l.eventLines()).toEqual([]);
        expect(snapshot(l.data('Mail1'))).toEqual(before);
        expect(l.leftovers('Mail1')).toEqual([]);
    });

    it('a name that is not valid UTF-8: the backup warns; restore and recover refuse before any stop, never falling back to an older archive', async () => {
        const l = lab = new Lab([{ name: 'Mail1', role: 'mail' }], []);
        richTree(l.data('Mail1'), 'mail');
        expect(l.app('start', 'Mail1')).toBe(0);
        expect((await l.cli('backup')).code).toBe(0);
        const legacy = Buffer.concat([Buffer.from(`${l.data('Mail1')}/caf`), Buffer.from([0xe9]), Buffer.from('.eml')]); // Latin-1 "café.eml"
        fs.writeFileSync(legacy, 'newest mail\n');
        const b = await l.cli('backup');
        expect(b.code).toBe(0);
        expect(b.stderr).toMatch(/warning: Mail1: 1 name in .* is not valid UTF-8 \(first: "caf\uFFFD\.eml"\): archived as they are, but `backplan restore` cannot check them/);

        l.clearEvents();
        const refusal = /1 name to restore is not valid UTF-8 .*nothing was changed\. Extract it by hand: zstd -dc '?\/.*\.tar\.zst'? \| tar -x --numeric-owner -p -C DIR/;
        const r = await l.cli('restore', ['--server', 'Mail1']);
        expect(r.stdout + r.stderr).toMatch(refusal);
        expect(r.code).toBe(1);
        // recover must not take the older archive (without the file) instead: newer data would be lost.
        const rec = await l.cli('recover', ['--lost', 'Mail1']);
        expect(rec.stdout + rec.stderr).toMatch(refusal);
        expect(rec.stdout + rec.stderr).not.toMatch(/planning again without it/);
        expect(rec.code).toBe(1);
        expect(l.eventLines()).toEqual([]);
        expect(fs.readFileSync(legacy, 'utf8')).toBe('newest mail\n');
        expect(l.leftovers('Mail1')).toEqual([]);
    });
});
