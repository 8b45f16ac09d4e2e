/**
 * `restore --from replica` end to end: three catalog servers holding overlapping folders;
 * a crashed holder gets every folder back from the others, byte for byte, with data
 * outside the declared folders kept — and a watcher of every stop/start proves that at
 * least one holder of each folder was running at every moment.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { availabilityGaps, Lab, richTree, snapshot } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

const HOLDERS = { Engineering: ['Cat1', 'Cat2', 'Cat3'], Sales: ['Cat1', 'Cat2'], Ops: ['Cat2', 'Cat3'] };

function threeHolders(): Lab {
    const l = new Lab(
        [{ name: 'Cat1', role: 'catalog' }, { name: 'Cat2', role: 'catalog' }, { name: 'Cat3', role: 'catalog' }],
        [{ name: 'Engineering', on: HOLDERS.Engineering }, { name: 'Sales', on: HOLDERS.Sales, path: 'Sales Dept' }, { name: 'Ops', on: HOLDERS.Ops, path: 'teams/ops' }],
        [[]]
    );
    const d = (s: string, rel: string): string => path.join(l.data(s), rel);
    richTree(d('Cat1', 'Engineering'), 'eng');
    richTree(d('Cat1', 'Sales Dept'), 'sales');
    richTree(d('Cat3', 'teams/ops'), 'ops');
    for (const [s, rel] of [['Cat2', 'Engineering'], ['Cat3', 'Engineering'], ['Cat2', 'Sales Dept'], ['Cat2', 'teams/ops']]) {
        const from = rel === 'teams/ops' ? d('Cat3', rel) : d('Cat1', rel);
        fs.mkdirSync(path.dirname(d(s, rel)), { recursive: true });
        execFileSync('cp', ['-a', from, d(s, rel)]);
    }
    fs.writeFileSync(d('Cat2', 'local.conf'), 'only on Cat2, outside every folder\n');
    for (const s of ['Cat1', 'Cat2', 'Cat3']) expect(l.app('start', s)).toBe(0);
    return l;
}

describe('restore --from replica', () => {
    it('copies every folder from other holders byte for byte, keeps other data, and a holder of each folder always runs', async () => {
        const l = lab = threeHolders();
        const want = {
            Engineering: snapshot(path.join(l.data('Cat1'), 'Engineering')),
            Sales: snapshot(path.join(l.data('Cat1'), 'Sales Dept')),
            Ops: snapshot(path.join(l.data('Cat3'), 'teams/ops'))
        };
        // The crash: one folder gone, one damaged, one partly gone.
        fs.rmSync(path.join(l.data('Cat2'), 'Engineering'), { recursive: true });
        fs.writeFileSync(path.join(l.data('Cat2'), 'Sales Dept', 'readme.txt'), 'damaged');
        fs.rmSync(path.join(l.data('Cat2'), 'teams/ops/bin'), { recursive: true });

        const dry = await l.cli('restore', ['--server', 'Cat2', '--dry-run']);
        expect(dry.code).toBe(0);
        expect(dry.stdout).toMatch(/source: replica — every folder Cat2 should hold \(Engineering, Sales, Ops\) is live on another server/);
        expect(dry.stdout).not.toMatch(/note: .* no running holder/);

        l.clearEvents();
        const r = await l.cli('restore', ['--server', 'Cat2']);
        expect(r.stderr).not.toMatch(/internal error/);
        expect(r.stdout).toMatch(/ok .*Cat2 \(Engineering, Sales, Ops\) ← replicas on/);
        expect(r.code).toBe(0);
        expect(snapshot(path.join(l.data('Cat2'), 'Engineering'))).toEqual(want.Engineering);
        expect(snapshot(path.join(l.data('Cat2'), 'Sales Dept'))).toEqual(want.Sales);
        expect(snapshot(path.join(l.data('Cat2'), 'teams/ops'))).toEqual(want.Ops);
        expect(fs.readFileSync(path.join(l.data('Cat2'), 'local.conf'), 'utf8')).toBe('only on Cat2, outside every folder\n');
        expect(l.leftovers('Cat2')).toEqual([]);
        for (const s of ['Cat1', 'Cat2', 'Cat3']) expect(l.running(s)).toBe(true);

        const events = l.eventLines();
        // Sources quiesced one at a time, each started again before the next stops; the target last.
        expect(events.filter(e => e.startsWith('stopping')).at(-1)).toBe('stopping Cat2');
        for (let i = 0; i < events.length; i += 2) {
            expect(events[i]).toMatch(/^stopping /);
            expect(events[i + 1]).toBe(events[i].replace('stopping', 'started'));
        }
        expect(events.filter(e => e === 'stopping Cat2')).toHaveLength(1);
        expect(availabilityGaps(events, HOLDERS, ['Cat1', 'Cat2', 'Cat3'])).toEqual([]);
    });

    it('the watcher does see a gap when a folder has no other running holder (it is not blind)', () => {
        const events = ['stopping Cat1', 'stopping Cat2', 'started Cat1', 'started Cat2'];
        expect(availabilityGaps(events, HOLDERS, ['Cat1', 'Cat2', 'Cat3'])).toEqual(['after event 2 (stopping Cat2): no holder of Sales running']);
    });

    it('--folder copies one folder; a failed source start leaves the target untouched', async () => {
        const l = lab = threeHolders();
        fs.rmSync(path.join(l.data('Cat2'), 'Sales Dept'), { recursive: true });
        const engBefore = snapshot(path.join(l.data('Cat2'), 'Engineering'));
        fs.writeFileSync(path.join(l.data('Cat2'), 'Engineering', 'local-change'), 'kept');
        const r = await l.cli('restore', ['--server', 'Cat2', '--folder', 'Sales']);
        expect(r.code).toBe(0);
        expect(snapshot(path.join(l.data('Cat2'), 'Sales Dept'))).toEqual(snapshot(path.join(l.data('Cat1'), 'Sales Dept')));
        expect(fs.readFileSync(path.join(l.data('Cat2'), 'Engineering', 'local-change'), 'utf8')).toBe('kept');
        expect(engBefore.length).toBeGreaterThan(5);

        fs.writeFileSync(`${l.data('Cat1')}.nostart`, '');
        const salesNow = snapshot(path.join(l.data('Cat2'), 'Sales Dept'));
        l.clearEvents();
        const bad = await l.cli('restore', ['--server', 'Cat2', '--folder', 'Sales']);
        expect(bad.code).toBe(1);
        expect(bad.stdout).toMatch(/source Cat1: start command .* Cat1 is NOT running; Cat2 was not touched/);
        expect(l.eventLines()).toEqual(['stopping Cat1']);
        expect(snapshot(path.join(l.data('Cat2'), 'Sales Dept'))).toEqual(salesNow);
        expect(l.leftovers('Cat2')).toEqual([]);
    });

    it('refuses --from replica for a mail server and for a folder no other server holds', async () => {
        const l = lab = new Lab([{ name: 'Mail1', role: 'mail' }, { name: 'Cat1', role: 'catalog' }], [{ name: 'Solo', on: ['Cat1'] }]);
        const mail = await l.cli('restore', ['--server', 'Mail1', '--from', 'replica']);
        expect(mail.code).toBe(2);
        expect(mail.stderr).toMatch(/mail is never replicated/);
        const solo = await l.cli('restore', ['--server', 'Cat1', '--from', 'replica']);
        expect(solo.code).toBe(1);
        expect(solo.stderr).toMatch(/Solo has no other holder .* restore it with --from tape/);
    });
});
