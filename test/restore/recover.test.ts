/**
 * `recover --lost …` end to end, the seed's multi-server scenarios on real files: one
 * catalog server lost (replication from the survivor), two lost with a master (master
 * restored from tape, live replicas fresher than tape win, the rest replicated from the
 * restored master), everything lost with a master (mail and master from tape, a corrupt
 * newest archive skipped for the next good one), and without a master (losses named,
 * exit 1 unless --allow-loss).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, richTree, snapshot } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

const sub = (l: Lab, s: string, rel: string): string => path.join(l.data(s), rel);
const snap = (l: Lab, s: string, rel: string): string[] => snapshot(sub(l, s, rel));

/** Fills each holder's folders (same content everywhere) and starts every server. */
function populate(l: Lab, folders: Record<string, string[]>): void {
    for (const [rel, on] of Object.entries(folders)) for (const s of on) richTree(sub(l, s, rel), rel);
    for (const s of l.servers) expect(l.app('start', s.name)).toBe(0);
}

/** The crash: the application dies and its data folder is gone. */
function lose(l: Lab, ...servers: string[]): void {
    for (const s of servers) {
        l.app('stop', s);
        fs.rmSync(l.data(s), { recursive: true, force: true });
    }
}

describe('recover', () => {
    it('one catalog server lost: its folders come back by replication from the survivor (with a master)', async () => {
        const l = lab = new Lab([{ name: 'Cat1', role: 'catalog', master: true }, { name: 'Cat2', role: 'catalog' }],
            [{ name: 'Engineering', on: ['Cat1', 'Cat2'] }, { name: 'Sales', on: ['Cat1', 'Cat2'], path: 'Sales Dept' }], [['Cat1']]);
        populate(l, { Engineering: ['Cat1', 'Cat2'], 'Sales Dept': ['Cat1', 'Cat2'] });
        expect((await l.cli('backup')).code).toBe(0);
        lose(l, 'Cat2');
        const dry = await l.cli('recover', ['--lost', 'Cat2', '--dry-run']);
        expect(dry.code).toBe(0);
        expect(dry.stdout).toMatch(/Engineering\s+Cat2\s+replicated from Cat1 \(live\)/);
        expect(dry.stdout).toMatch(/Sales\s+Cat2\s+replicated from Cat1 \(live\)/);
        const r = await l.cli('recover', ['--lost', 'Cat2']);
        expect(r.stderr).not.toMatch(/internal error/);
        expect(r.code).toBe(0);
        expect(snap(l, 'Cat2', 'Engineering')).toEqual(snap(l, 'Cat1', 'Engineering'));
        expect(snap(l, 'Cat2', 'Sales Dept')).toEqual(snap(l, 'Cat1', 'Sales Dept'));
        expect(l.running('Cat1') && l.running('Cat2')).toBe(true);
    });

    it('two lost with a master: master from tape, live replicas over it, the rest from the restored master', async () => {
        const l = lab = new Lab(
            [{ name: 'Cat1', role: 'catalog', master: true }, { name: 'Cat2', role: 'catalog' }, { name: 'Cat3', role: 'catalog' }],
            [{ name: 'Engineering', on: ['Cat1', 'Cat2', 'Cat3'] }, { name: 'Sales', on: ['Cat1', 'Cat2'] }, { name: 'Ops', on: ['Cat1', 'Cat3'] }], [['Cat1']]);
        populate(l, { Engineering: ['Cat1', 'Cat2', 'Cat3'], Sales: ['Cat1', 'Cat2'], Ops: ['Cat1', 'Cat3'] });
        fs.writeFileSync(sub(l, 'Cat1', 'master.conf'), 'outside the folders, only on tape\n');
        expect((await l.cli('backup')).code).toBe(0);
        const salesAtBackup = snap(l, 'Cat1', 'Sales');
        fs.writeFileSync(sub(l, 'Cat3', 'Engineering/after-backup.txt'), 'newer than any tape\n');
        lose(l, 'Cat1', 'Cat2');

        const dry = await l.cli('recover', ['--lost', 'Cat2,Cat1', '--dry-run']);
        expect(dry.code).toBe(0);
        expect(dry.stdout).toMatch(/Engineering\s+Cat1\s+replicated from Cat3 \(live\)/);
        expect(dry.stdout).toMatch(/Sales\s+Cat1\s+archive \S+-Cat1-\w+, data of \S+ \(\d+ s old\)/);
        expect(dry.stdout).toMatch(/Sales\s+Cat2\s+replicated from Cat1 once restored/);
        expect(dry.stdout).toMatch(/Ops\s+Cat1\s+replicated from Cat3 \(live\)/);
        expect(dry.stdout.indexOf('Cat1: whole data folder from archive')).toBeGreaterThan(0);

        const r = await l.cli('recover', ['--lost', 'Cat2,Cat1']);
        expect(r.stderr).not.toMatch(/internal error/);
        expect(r.code).toBe(0);
        expect(fs.readFileSync(sub(l, 'Cat1', 'master.conf'), 'utf8')).toBe('outside the folders, only on tape\n');
        expect(fs.existsSync(sub(l, 'Cat1', 'Engineering/after-backup.txt'))).toBe(true);
        expect(snap(l, 'Cat1', 'Engineering')).toEqual(snap(l, 'Cat3', 'Engineering'));
        expect(snap(l, 'Cat2', 'Engineering')).toEqual(snap(l, 'Cat3', 'Engineering'));
        expect(snap(l, 'Cat1', 'Ops')).toEqual(snap(l, 'Cat3', 'Ops'));
        expect(snap(l, 'Cat1', 'Sales')).toEqual(salesAtBackup);
        expect(snap(l, 'Cat2', 'Sales')).toEqual(salesAtBackup);
        for (const s of ['Cat1', 'Cat2', 'Cat3']) expect(l.running(s)).toBe(true);
    });

    it('everything lost, with a master: mail and master from tape (a corrupt newest archive skipped), the other catalog by replication', async () => {
        const l = lab = new Lab([{ name: 'Mail1', role: 'mail' }, { name: 'Cat1', role: 'catalog', master: true }, { name: 'Cat2', role: 'catalog' }],
            [{ name: 'Engineering', on: ['Cat1', 'Cat2'] }, { name: 'Sales', on: ['Cat1', 'Cat2'], path: 'Sales Dept' }], [['Mail1', 'Cat1']]);
        richTree(l.data('Mail1'), 'mail');
        populate(l, { Engineering: ['Cat1', 'Cat2'], 'Sales Dept': ['Cat1', 'Cat2'] });
        expect((await l.cli('backup')).code).toBe(0);
        const mail = snapshot(l.data('Mail1'));
        const cat1 = snapshot(l.data('Cat1'));
        fs.writeFileSync(sub(l, 'Cat1', 'Engineering/second.txt'), 'in the second backup only\n');
        await new Promise(r => setTimeout(r, 1100));
        expect((await l.cli('backup', ['--server', 'Cat1'])).code).toBe(0);
        const archives = path.join(l.tape, 'archives');
        const newest = fs.readdirSync(archives).filter(n => /-Cat1-\w+\.tar\.zst$/.test(n)).sort().at(-1)!;
        const bytes = fs.readFileSync(path.join(archives, newest));
        bytes[100] ^= 1;
        fs.writeFileSync(path.join(archives, newest), bytes);
        lose(l, 'Mail1', 'Cat1', 'Cat2');

        const r = await l.cli('recover', ['--lost', 'Mail1,Cat1,Cat2']);
        expect(r.stderr).toMatch(new RegExp(`archive ${newest.replace('.tar.zst', '')} failed its check .*planning again without it`));
        expect(r.code).toBe(0);
        expect(snapshot(l.data('Mail1'))).toEqual(mail);
        expect(snapshot(l.data('Cat1'))).toEqual(cat1);
        expect(snap(l, 'Cat2', 'Engineering')).toEqual(snap(l, 'Cat1', 'Engineering'));
        expect(snap(l, 'Cat2', 'Sales Dept')).toEqual(snap(l, 'Cat1', 'Sales Dept'));
        for (const s of ['Mail1', 'Cat1', 'Cat2']) expect(l.running(s)).toBe(true);
    });

    it('without a master: restored holders seed the others; a folder with no copy anywhere is named, exit 1 unless --allow-loss', async () => {
        const l = lab = new Lab([{ name: 'Cat1', role: 'catalog' }, { name: 'Cat2', role: 'catalog' }, { name: 'Cat3', role: 'catalog' }],
            [{ name: 'Engineering', on: ['Cat1', 'Cat2', 'Cat3'] }, { name: 'Sales', on: ['Cat2', 'Cat3'] }, { name: 'Scratch', on: ['Cat2'] }], [['Cat3']]);
        populate(l, { Engineering: ['Cat1', 'Cat2', 'Cat3'], Sales: ['Cat2', 'Cat3'], Scratch: ['Cat2'] });
        expect((await l.cli('backup')).code).toBe(0);
        const sales = snap(l, 'Cat3', 'Sales');
        lose(l, 'Cat2', 'Cat3');

        const dry = await l.cli('recover', ['--lost', 'Cat2,Cat3', '--dry-run']);
        expect(dry.code).toBe(1);
        expect(dry.stdout).toMatch(/NO COPY ANYWHERE[\s\S]*Scratch \(on Cat2: no holder left and no archive holds it\)/);
        expect(dry.stdout).toMatch(/Sales\s+Cat2\s+replicated from Cat3 once restored/);
        expect(dry.stderr).toMatch(/--allow-loss/);
        const refused = await l.cli('recover', ['--lost', 'Cat2,Cat3']);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/no copy anywhere of Scratch.*nothing was touched/);
        expect(fs.existsSync(l.data('Cat3'))).toBe(false);

        const r = await l.cli('recover', ['--lost', 'Cat2,Cat3', '--allow-loss']);
        expect(r.stderr).not.toMatch(/internal error/);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/Not recovered \(no copy anywhere\): Scratch/);
        expect(snap(l, 'Cat3', 'Sales')).toEqual(sales);
        expect(snap(l, 'Cat2', 'Sales')).toEqual(sales);
        expect(snap(l, 'Cat2', 'Engineering')).toEqual(snap(l, 'Cat1', 'Engineering'));
        expect(snap(l, 'Cat3', 'Engineering')).toEqual(snap(l, 'Cat1', 'Engineering'));
        for (const s of ['Cat1', 'Cat2', 'Cat3']) expect(l.running(s)).toBe(true);
    });
});
