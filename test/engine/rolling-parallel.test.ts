/**
 * `rolling` never has two servers down at once; `parallel 2` does; both start every
 * server again. Shown by the order of the journal's records, not by timing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, seedMail } from './lab';

let lab: Lab | undefined;
afterEach(() => { lab?.cleanup(); lab = undefined; });

async function run(parallel?: number): Promise<{ lab: Lab; down: number }> {
    const l = Lab.create();
    lab = l;
    l.writeRunbook([{ name: 'Mail1' }, { name: 'Cat1', role: 'catalog' }, { name: 'Cat2', role: 'catalog' }], { parallel });
    for (const name of ['Mail1', 'Cat1', 'Cat2']) {
        seedMail(l.data(name), 200, 2000);
        expect(l.app(name, 'start', name === 'Mail1' ? 'mail' : 'catalog')).toBe(0);
    }
    const r = await l.cli('backup', ['--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).servers.map((s: any) => [s.server, s.ok, s.started]).sort()).toEqual([['Cat1', true, true], ['Cat2', true, true], ['Mail1', true, true]]);
    for (const name of ['Mail1', 'Cat1', 'Cat2']) expect(l.running(name)).toBe(true);
    const journalDir = path.join(l.state, 'journals');
    const records = fs.readFileSync(path.join(journalDir, fs.readdirSync(journalDir)[0]), 'utf8').trim().split('\n').map(line => JSON.parse(line));
    // The largest number of servers stopped at once, from the journal's order.
    let down = 0;
    let most = 0;
    for (const rec of records) {
        if (rec.type === 'step' && rec.step === 'stop' && rec.event === 'begin') most = Math.max(most, ++down);
        if (rec.type === 'step' && rec.step === 'start' && rec.event === 'end') down--;
    }
    return { lab: l, down: most };
}

describe('rolling and parallel', () => {
    it('rolling stops one server at a time', async () => {
        expect((await run()).down).toBe(1);
    });

    it('parallel 2 runs two servers at once', async () => {
        expect((await run(2)).down).toBe(2);
    });
});
