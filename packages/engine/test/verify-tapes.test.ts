/**
 * `verify` takes no lock (it must work on a read-only tape and beside a running backup),
 * so a `prune` may remove an archive it has listed: that archive is reported as pruned,
 * not as missing; an archive whose manifest stays and whose data is gone is still a failure.
 */
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentReporter } from '../src/progress/progress-reporter.js';
import { verifyTapes } from '../src/run/verify-tapes.js';
import { TapeStore, type ListedArchive } from '../src/tape/tape-store.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

/** A tape on which a "prune" runs right after verify has listed the archives. */
class RacedTape extends TapeStore {
    constructor(root: string, private readonly race: (tape: TapeStore, listed: ListedArchive[]) => Promise<void>) {
        super('T', root);
    }
    override async list(): Promise<ListedArchive[]> {
        const listed = await super.list();
        await this.race(this, listed);
        return listed;
    }
}

async function tapeWith(ids: string[]): Promise<string> {
    const root = mkdtempSync(path.join(tmpdir(), 'bp-verify-race-'));
    dirs.push(root);
    const tape = new TapeStore('T', root);
    await tape.ensure();
    for (const id of ids) {
        await tape.writeArchive(id, 'zstd', 'not really zstd');
        await tape.writeManifest({
            format: 'backplan-manifest', version: 1, id, server: 'Mail1', policy: 'B', runId: 'r', runbook: '/r', tape: 'T', host: 'local', data: '/srv',
            folders: [], archive: { file: `${id}.tar.zst`, compression: 'zstd', size: 15, sha256: '0'.repeat(64), tarSize: 0 },
            times: { archiveStarted: 't', archiveFinished: 't' }, tools: {}, files: 0, entries: []
        });
    }
    return root;
}

const A = '20261125T010000.000Z-Mail1-aaaa';
const B = '20261125T020000.000Z-Mail1-bbbb';

describe('verify beside a concurrent prune', () => {
    it('an archive pruned after it was listed is reported pruned, not missing; a lost archive with its manifest still fails', async () => {
        const root = await tapeWith([A, B]);
        const tape = new RacedTape(root, async (t, listed) => {
            await t.remove(listed.find(a => a.id === A)!); // prune: manifest, then archive
            await fs.rm(path.join(t.archivesDir, `${B}.tar.zst`)); // damage: data gone, manifest kept
        });
        const outcomes = await verifyTapes([tape], { reporter: silentReporter });
        expect(outcomes.find(o => o.id === A)).toMatchObject({ ok: true, pruned: true, problems: [] });
        const b = outcomes.find(o => o.id === B)!;
        expect(b.ok).toBe(false);
        expect(b.pruned).toBeUndefined();
        expect(b.problems.join(' ')).toMatch(/no such file|missing/i);
        // Nothing is written for the pruned archive (a record without manifest is garbage).
        expect(existsSync(path.join(root, 'archives', `${A}.verified.json`))).toBe(false);
    });

    it('asked for by --archive, an archive pruned meanwhile fails', async () => {
        const root = await tapeWith([A]);
        const tape = new RacedTape(root, async (t, listed) => { await t.remove(listed[0]); });
        const outcomes = await verifyTapes([tape], { archiveId: A, reporter: silentReporter });
        expect(outcomes).toMatchObject([{ id: A, ok: false, pruned: true, problems: ['pruned while verify ran'] }]);
    });
});
