/**
 * Pre-flight with fake hosts: servers are checked concurrently; a server's own problem
 * (host unreachable, data folder or tar missing) skips that server only, and names the
 * host once; a tape that cannot be written refuses the whole run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../src/hosts/host.js';
import { FakeHost, type HostBehaviour } from './fake-host.js';
import { selectBackups } from '../src/plan/backup-plan.js';
import { preflight } from '../src/run/preflight.js';
import { TapeStore } from '../src/tape/tape-store.js';
import { newArchiveId } from '../src/tape/archive-id.js';
import type { Manifest } from '../src/archive/manifest.js';
import { modelOf } from './model-support.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

/** A host whose commands all succeed, with the given failures of its own. */
function fakeHost(label: string, behaviour: HostBehaviour): FakeHost {
    return new FakeHost(label, () => ({ code: 0 }), { pretendData: true, ...behaviour });
}

/** How often the host itself was asked (stat, tools). */
const asked = (h: Host): number => (h as FakeHost).calls.filter(c => c.kind === 'stat' || c.kind === 'checkTools').length;

async function items(servers: string[], tapeAt?: string): Promise<Awaited<ReturnType<typeof selectBackups>>> {
    const tape = tapeAt ?? mkdtempSync(path.join(tmpdir(), 'bp-preflight-'));
    dirs.push(tape);
    const text = [`tape T { at "${tape}" }`,
        ...servers.map(s => `server ${s} { role mail host local data "/srv/${s}" stop "x" start "y" }`),
        `backup B { servers ${servers.join(', ')} to T parallel 2 }`].join('\n');
    const { model } = await modelOf(text);
    return selectBackups(model, {});
}

describe('pre-flight', () => {
    it('checks servers on different hosts concurrently: slow hosts do not add up', async () => {
        const plan = await items(['A', 'B', 'C', 'D']);
        // Each host answers only once all four have been asked: sequential checks would never finish.
        let asking = 0;
        let allAsked!: () => void;
        const gate = new Promise<void>(resolve => { allAsked = resolve; });
        const onReach = (): void => { if (++asking === 4) allAsked(); };
        const hosts: Record<string, Host> = Object.fromEntries(['A', 'B', 'C', 'D'].map(s => [s, fakeHost(`ssh://${s.toLowerCase()}:22`, { gate, onReach })]));
        const pre = await preflight(plan, s => hosts[s.name]);
        expect(pre.problems).toEqual([]);
        expect([...pre.skipped]).toEqual([]);
    });

    it('an unreachable host skips its servers only, names the host once, and is tried once', async () => {
        const plan = await items(['Mail1', 'Cat1', 'Cat2']);
        const down = fakeHost('ssh://admin@cat.acme.lan:2222', { unreachable: true, delayMs: 100 });
        const hosts: Record<string, Host> = { Mail1: fakeHost('local', {}), Cat1: down, Cat2: down };
        const pre = await preflight(plan, s => hosts[s.name]);
        expect(pre.problems).toEqual([]);
        expect(pre.skipped.get('Mail1')).toBeUndefined();
        const reason = pre.skipped.get('Cat1')!;
        expect(reason).toBe('ssh://admin@cat.acme.lan:2222 cannot be reached: connection refused by 10.0.0.9 port 22: no SSH server listens there');
        expect(reason.split('ssh://').length - 1, 'the URL once').toBe(1);
        expect(pre.skipped.get('Cat2')).toBe(reason);
        expect(asked(down), 'the second server on a dead host does not wait for another timeout').toBe(1);
    });

    it('a missing data folder or tar skips that server; a host that cannot be opened too', async () => {
        const plan = await items(['A', 'B', 'C', 'D']);
        const hosts: Record<string, Host> = { A: fakeHost('local', { noData: true }), B: fakeHost('ssh://b:22', { noTar: true }), C: fakeHost('local', {}) };
        const pre = await preflight(plan, ({ name: s }) => {
            if (s === 'D') throw new Error('ssh hosts are not supported by this build yet (ssh://d:22)');
            return hosts[s];
        });
        expect(pre.problems).toEqual([]);
        expect(Object.fromEntries(pre.skipped)).toEqual({
            A: 'data folder /srv/A does not exist on local',
            B: 'tar was not found on ssh://b:22',
            D: 'ssh hosts are not supported by this build yet (ssh://d:22)'
        });
    });

    it('a tape that cannot be written refuses the whole run', async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'bp-preflight-'));
        dirs.push(dir);
        writeFileSync(path.join(dir, 'a-file'), '');
        const plan = await items(['A'], path.join(dir, 'a-file', 'tape'));
        const pre = await preflight(plan, () => fakeHost('local', {}));
        expect(pre.problems).toEqual([expect.stringMatching(/^tape T: .*a-file\/tape is not writable/)]);
    });

    it('takes each server\'s NEWEST archive on the tape for the progress estimate and the room check', async () => {
        const tapeDir = mkdtempSync(path.join(tmpdir(), 'bp-preflight-tape-'));
        const plan = await items(['A', 'B'], tapeDir);
        const tape = new TapeStore('T', tapeDir);
        await tape.ensure();
        const archive = async (server: string, when: string, tarSize: number): Promise<void> => {
            const id = newArchiveId(server, new Date(when));
            writeFileSync(path.join(tape.archivesDir, tape.archiveFile(id, 'zstd')), 'x');
            // A whole manifest: the tape reads back only manifests of the schema's shape.
            await tape.writeManifest({
                format: 'backplan-manifest', version: 1, id, server, policy: 'P', runId: 'r', runbook: 'rb', tape: 'T', host: 'local', data: '/d', folders: [],
                archive: { file: tape.archiveFile(id, 'zstd'), compression: 'zstd', size: 1, sha256: 'a'.repeat(64), tarSize },
                times: { archiveStarted: when, archiveFinished: when }, tools: {}, files: 0, entries: []
            } satisfies Manifest);
        };
        await archive('A', '2026-11-01T00:00:00Z', 100);
        await archive('A', '2026-11-03T00:00:00Z', 300);
        await archive('A', '2026-11-02T00:00:00Z', 200);
        await archive('B', '2026-11-01T00:00:00Z', 50);
        const host = fakeHost('local', {});
        const pre = await preflight(plan, () => host);
        expect(pre.problems).toEqual([]);
        expect([...pre.lastTarSize].sort()).toEqual([['T/A', 300], ['T/B', 50]]);
    });
});
