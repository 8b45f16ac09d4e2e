/**
 * `rolling` never has two servers down at once; `parallel 2` does; both start every
 * server again. `parallel N` never stops the last running holder of a folder while
 * another holder of it is down. Shown by the order of records (journal, apps' log), not
 * by timing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, seedMail } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

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

describe('parallel keeps every folder online', () => {
    it('parallel 3 over three catalog servers sharing folders: at least one holder of each folder runs at every moment', async () => {
        const l = Lab.create();
        lab = l;
        const log = path.join(l.root, 'events.log');
        // "down" is logged before the stop begins, "up" once the start has returned: the
        // log over-states each outage, so a folder with a holder "up" throughout was online.
        const app = (name: string): { name: string; role: 'catalog'; stop: string; start: string } => ({
            name, role: 'catalog',
            stop: `echo down ${name} >> ${log}; demo-app stop; sleep 0.3`,
            start: `demo-app start && echo up ${name} >> ${log}`
        });
        const folders = [{ name: 'Engineering', on: ['Cat1', 'Cat2'] }, { name: 'Sales', on: ['Cat2', 'Cat3'] }, { name: 'All', on: ['Cat1', 'Cat2', 'Cat3'] }];
        l.writeRunbook([app('Cat1'), app('Cat2'), app('Cat3')], { parallel: 3, folders });
        for (const name of ['Cat1', 'Cat2', 'Cat3']) {
            seedMail(l.data(name), 50, 2000);
            expect(l.app(name, 'start', 'catalog')).toBe(0);
        }
        const r = await l.cli('backup', ['--format', 'json']);
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout).servers.map((s: any) => [s.server, s.ok, s.started]).sort()).toEqual([['Cat1', true, true], ['Cat2', true, true], ['Cat3', true, true]]);
        const events = fs.readFileSync(log, 'utf8').trim().split('\n').map(line => line.split(' '));
        const down = new Set<string>();
        let most = 0;
        for (const [what, name] of events) {
            if (what === 'down') down.add(name); else down.delete(name);
            most = Math.max(most, down.size);
            for (const f of folders) expect(f.on.some(h => !down.has(h)), `folder ${f.name} offline after "${what} ${name}" (${events.map(e => e.join(' ')).join(', ')})`).toBe(true);
        }
        // Still parallel: Cat1 and Cat3 share no folder without a third holder running.
        expect(most).toBe(2);
        for (const name of ['Cat1', 'Cat2', 'Cat3']) expect(l.running(name)).toBe(true);
    });

    it('a holder whose start failed keeps the folder\'s last running holder from being stopped; that server fails unstopped', async () => {
        const l = Lab.create();
        lab = l;
        l.writeRunbook([{ name: 'Cat1', role: 'catalog', start: 'echo start failed >&2; exit 4' }, { name: 'Cat2', role: 'catalog' }], { parallel: 2 });
        for (const name of ['Cat1', 'Cat2']) expect(l.app(name, 'start', 'catalog')).toBe(0);
        const r = await l.cli('backup', ['--format', 'json']);
        expect(r.code).toBe(1);
        const servers = JSON.parse(r.stdout).servers;
        expect(servers.map((s: any) => [s.server, s.ok, s.started])).toEqual([['Cat1', false, false], ['Cat2', false, undefined]]);
        expect(servers[1].error).toBe('not stopped: it is the last running holder of folder Shared (Cat1 did not start again)');
        expect(l.running('Cat2'), 'the last holder of Shared kept running').toBe(true);
    });
});
