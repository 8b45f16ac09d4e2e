/**
 * A restore of the newest archive on a restic tape reads its manifest beside the catalog's
 * listing (engine restore/manifest-prefetch.ts), through the CLI bundle and real restic
 * 0.14 wrapped by a script that logs each call's begin and end. The wrapped `snapshots`
 * waits for the read ahead to begin (the event, not a delay): a restore that read the
 * manifest only after the listing would leave it waiting until its bound, and fail here.
 *   the newest archive: one `dump … latest` begun before the listing ended, no second dump,
 *     the tree restored as backed up
 *   the newest manifest an orphan (its data snapshot forgotten): the plan takes the
 *     archive before it, the manifest read ahead is not its own, so the check reads that
 *     archive's manifest by ID, and the restore is of that archive
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { makeDataTree, resticSkip, resticSuiteName } from '../restic/restic-lab.js';
import { loggedRestic, tree, VerbLab } from './verb-lab.js';

const labs: VerbLab[] = [];
afterEach(() => { for (const lab of labs.splice(0)) lab.dispose(); });

/** A lab with one local mail server and a repository folder; its first backup made. */
async function backedUp(): Promise<VerbLab> {
    const lab = new VerbLab(root => path.join(root, 'repo'), [{ name: 'Mail', role: 'mail' }]);
    labs.push(lab);
    makeDataTree(path.dirname(lab.data('Mail')), 1 << 20, { absoluteLink: false });
    expect(lab.app('start', 'Mail')).toBe(0);
    expect((await lab.cli('backup')).code).toBe(0);
    return lab;
}

/** A logged restic whose `snapshots` waits (60 s at most) for a `dump … latest` to begin. */
function loggingRestic(lab: VerbLab): { path: string; lines: () => string[] } {
    const r = loggedRestic(lab, { before: `if [ "$1" = snapshots ]; then
  i=0
  while ! grep -q '^begin dump .* latest ' "$(dirname "$0")/calls.log" && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
fi` });
    return { path: r.path, lines: r.calls };
}

describe.skipIf(resticSkip)(resticSuiteName('restic restore: the newest manifest read beside the listing'), () => {
    test('a restore of the newest archive reads its manifest while the catalog is listed, once', async () => {
        const lab = await backedUp();
        const restic = loggingRestic(lab);
        const target = path.join(lab.root, 'restored');
        const r = await lab.cli('restore', ['--server', 'Mail', '--target', target], { PATH: restic.path });
        expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('restic restore of snapshot')]);
        expect(tree(target)).toEqual(tree(lab.data('Mail')));
        const calls = restic.lines();
        const dumps = calls.filter(l => l.startsWith('begin dump'));
        expect(dumps).toEqual(['begin dump --no-lock --host Mail --tag backplan-manifest latest /backplan-manifest.json']);
        expect(calls.indexOf(dumps[0])).toBeLessThan(calls.indexOf('end snapshots'));
    }, 180_000);

    test('when the newest manifest is not the chosen archive\'s, the archive\'s own manifest is read and restored from', async () => {
        const lab = await backedUp();
        const first = tree(lab.data('Mail'));
        fs.writeFileSync(path.join(lab.data('Mail'), 'later'), 'written after the first backup');
        expect((await lab.cli('backup')).code).toBe(0);
        const newest = lab.snapshots().filter(s => s.tags.includes('backplan')).at(-1)!;
        lab.resticJson(['forget', '--json', newest.id]); // its manifest snapshot stays: an orphan, and restic's `latest` manifest
        const restic = loggingRestic(lab);
        const target = path.join(lab.root, 'restored');
        const r = await lab.cli('restore', ['--server', 'Mail', '--target', target], { PATH: restic.path });
        expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('restic restore of snapshot')]);
        expect(tree(target)).toEqual(first);
        const dumps = restic.lines().filter(l => l.startsWith('begin dump'));
        expect(dumps).toHaveLength(2);
        expect(dumps[1]).toMatch(/^begin dump --no-lock [0-9a-f]{64} \/backplan-manifest\.json$/);
    }, 240_000);
});
