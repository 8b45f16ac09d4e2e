/**
 * `stale` once per stale episode (notify/stale-episodes.ts), as `status` calls it: a real
 * HTTP server on 127.0.0.1 receives the events, a real state folder keeps the episodes.
 * A block stays stale over several calls → one event; fresh, then stale again → a new
 * one; a failed delivery is tried again by the next call; blocks and `on` filter.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportStale, staleStateFile, type StaleBlock } from '@backplan/engine';
import { modelOf } from '../../packages/engine/test/model-support.js';
import { HookServer } from './hook-server.js';

let hooks: HookServer;
let state: string;
beforeEach(async () => {
    hooks = await HookServer.start();
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-stale-'));
});
afterEach(async () => {
    await hooks.close();
    fs.rmSync(state, { recursive: true, force: true });
});

const RUNBOOK = (notify: string): string => `
tape T { at "/mnt/t" }
server Mail1 { role mail host local data "/srv/mail" stop "s" start "s" }
server Mail2 { role mail host local data "/srv/mail2" stop "s" start "s" }
backup Nightly { servers Mail1 to T schedule "0 2 * * *" }
backup Weekly { servers Mail2 to T schedule "0 3 * * 0" }
${notify}
`;

const runbookPath = '/srv/runbooks/acme.backplan';
const nightly: StaleBlock = { policy: 'Nightly', lastSuccess: '2026-12-01T02:00:41.000Z', lastRun: 'r-1', reason: 'no success since the 02:00 run of 2026-12-02' };

async function report(notify: string, stale: StaleBlock[]): Promise<Awaited<ReturnType<typeof reportStale>>> {
    const { model } = await modelOf(RUNBOOK(notify));
    return reportStale({ model, runbookPath, stateDir: state, stale, timeoutMs: 2000 });
}

describe('stale episodes', () => {
    it('sends one event per episode, whatever the number of status calls', async () => {
        const notify = `notify Ops { webhook "${hooks.url('/hook')}" }`;
        const first = await report(notify, [nightly]);
        expect(first.warnings).toEqual([]);
        expect(first.deliveries).toMatchObject([{ notify: 'Ops', event: 'stale', policy: 'Nightly', ok: true }]);
        await hooks.next(1);
        expect(JSON.parse(hooks.received[0].body)).toEqual({
            version: 1, event: 'stale', runbook: runbookPath, title: null, policy: 'Nightly', run: 'r-1', host: os.hostname(),
            time: expect.any(String), ok: false, servers: [], errors: [nightly.reason], lastSuccess: nightly.lastSuccess,
            summary: `backup Nightly is stale: ${nightly.reason}`
        });
        // Still stale: told already.
        expect((await report(notify, [nightly])).deliveries).toEqual([]);
        const saved = JSON.parse(fs.readFileSync(staleStateFile(state, runbookPath), 'utf8'));
        expect(saved).toMatchObject({ version: 1, runbook: runbookPath, episodes: { Nightly: { since: expect.any(String), told: ['Ops'] } } });
        // Fresh again: the episode is over; stale again: a new one, a new event.
        expect((await report(notify, [])).deliveries).toEqual([]);
        expect(JSON.parse(fs.readFileSync(staleStateFile(state, runbookPath), 'utf8')).episodes).toEqual({});
        expect((await report(notify, [nightly])).deliveries).toHaveLength(1);
        await hooks.next(2);
        expect(hooks.received).toHaveLength(2);
    });

    it('tries a failed delivery again on the next call, and only that one', async () => {
        const failing = `notify Ops { webhook "${hooks.url('/500/hook')}" }\nnotify Ping { healthchecks "${hooks.url('/hc/c1')}" }`;
        const first = await report(failing, [nightly]);
        expect(first.warnings).toEqual(['notify Ops (webhook): the stale of backup Nightly was not delivered: answered 500 Internal Server Error (tried 2 times)']);
        await hooks.next(3);
        expect(hooks.at('/hc').map(r => r.path)).toEqual(['/hc/c1/fail']);
        const fixed = `notify Ops { webhook "${hooks.url('/hook')}" }\nnotify Ping { healthchecks "${hooks.url('/hc/c1')}" }`;
        const second = await report(fixed, [nightly]);
        expect(second.deliveries).toMatchObject([{ notify: 'Ops', ok: true }]);
        await hooks.next(4);
        expect(hooks.at('/hc')).toHaveLength(1);
        expect(hooks.at('/hook')).toHaveLength(1);
    });

    it('only blocks that ask for stale, about the blocks they are for', async () => {
        const notify = [
            `notify Weekly { for Weekly\n on stale\n webhook "${hooks.url('/weekly')}" }`,
            `notify Runs { on failure\n webhook "${hooks.url('/runs')}" }`,
            `notify Any { on stale\n webhook "${hooks.url('/any')}" }`
        ].join('\n');
        const r = await report(notify, [nightly, { policy: 'Weekly' }]);
        expect(r.deliveries.map(d => `${d.notify}:${d.policy}`).sort()).toEqual(['Any:Nightly', 'Any:Weekly', 'Weekly:Weekly']);
        await hooks.next(3);
        expect(JSON.parse(hooks.at('/weekly')[0].body)).toMatchObject({ policy: 'Weekly', run: null, lastSuccess: null, summary: 'backup Weekly is stale: it never succeeded' });
        expect(hooks.at('/runs')).toEqual([]);
    });

    it('writes nothing when no notify block hears stale, and starts afresh from a damaged file', async () => {
        await report(`notify Runs { on failure\n webhook "${hooks.url('/runs')}" }`, [nightly]);
        expect(fs.existsSync(staleStateFile(state, runbookPath))).toBe(false);
        fs.mkdirSync(path.dirname(staleStateFile(state, runbookPath)), { recursive: true });
        fs.writeFileSync(staleStateFile(state, runbookPath), '{"version":1,"episodes":{"Nightly":{"since":3}}}');
        const r = await report(`notify Ops { webhook "${hooks.url('/hook')}" }`, [nightly]);
        expect(r.warnings).toHaveLength(1);
        expect(r.warnings[0]).toMatch(/is not valid: .*stale episodes start afresh$/);
        expect(r.deliveries).toHaveLength(1);
        expect(JSON.parse(fs.readFileSync(staleStateFile(state, runbookPath), 'utf8')).episodes.Nightly.told).toEqual(['Ops']);
    });
});
