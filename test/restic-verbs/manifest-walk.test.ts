/**
 * Where a restic backup's manifest comes from (engine run/restic-archive-step.ts), through
 * the CLI bundle and real restic 0.14 behind a logging wrapper:
 *   a stopped server without `exclude`: the walk of its data beside restic, which restic's
 *     summary agrees with — no `restic find`; the manifest names restic's short ID, pairs
 *     with its snapshot, restores byte for byte (modes, owners, mtimes, links, a fifo; a
 *     socket left out, as restic leaves it out) and verifies against restic's listing
 *   a change below the data folder while restic ran (its change time): listed back
 *   a walk not done when restic is done (a find held back until restic's backup ended):
 *     given up, never holding the application down, and listed back
 *   restic reading other than the walk (the wrapper adds an `--exclude`; the summary then
 *     counts one file less): the snapshot is listed back and the manifest is that listing,
 *     so the restore, checked against it, holds what restic stored
 *   a server with `exclude`: listed back, the excluded file in neither snapshot nor manifest
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { makeDataTree, resticSkip, resticSuiteName } from '../restic/restic-lab.js';
import { loggedRestic, tree, VerbLab } from './verb-lab.js';

const labs: VerbLab[] = [];
afterEach(() => { for (const lab of labs.splice(0)) lab.dispose(); });

/** A lab with one local mail server (its `exclude`), its data with a socket, its application running, a repository folder. */
function mailLab(exclude?: string[]): VerbLab {
    const lab = new VerbLab(root => path.join(root, 'repo'), [{ name: 'Mail', role: 'mail', exclude }]);
    labs.push(lab);
    makeDataTree(path.dirname(lab.data('Mail')), 1 << 20, { absoluteLink: false });
    // A socket, left behind as a stopped daemon leaves its own: restic 0.14 does not store sockets.
    const socket = path.join(lab.data('Mail'), 'daemon.sock');
    execFileSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => process.exit(0))`]);
    expect(fs.lstatSync(socket).isSocket()).toBe(true);
    expect(lab.app('start', 'Mail')).toBe(0);
    lab.clearEvents();
    return lab;
}

/** The manifest snapshot's `snapshot:` tag and the data snapshot, as plain restic lists them. */
function pairing(lab: VerbLab): { tag: string | undefined; data: { id: string; short_id: string } } {
    const snaps = lab.snapshots();
    const data = snaps.find(s => s.tags.includes('backplan'))!;
    const manifest = snaps.find(s => s.tags.includes('backplan-manifest'))!;
    return { tag: manifest.tags.find(t => t.startsWith('snapshot:'))?.slice('snapshot:'.length), data };
}

/** `tree` without one entry. */
const without = (lines: string[], rel: string): string[] => lines.filter(l => !l.startsWith(`${JSON.stringify(rel)}:`));

describe.skipIf(resticSkip)(resticSuiteName('restic backup: the manifest from the walk of still data, or listed back'), () => {
    test('a stopped server without exclude: the walk is the manifest, no listing back; it restores byte for byte', async () => {
        const lab = mailLab();
        const restic = loggedRestic(lab);
        const r = await lab.cli('backup', [], { PATH: restic.path });
        expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
        expect(restic.calls().filter(l => l.startsWith('begin find'))).toEqual([]);
        const { tag, data } = pairing(lab);
        expect(tag).toBe(data.short_id);
        const listed = JSON.parse((await lab.cli('archives', ['--format', 'json'])).stdout).archives;
        expect(listed.map((a: { id: string }) => a.id)).toEqual([data.short_id]);
        const target = path.join(lab.root, 'restored');
        const back = await lab.cli('restore', ['--server', 'Mail', '--target', target]);
        expect([back.code, back.stderr]).toEqual([0, expect.stringContaining('checking every restored entry against the manifest')]);
        expect(tree(target)).toEqual(without(tree(lab.data('Mail')), 'daemon.sock'));
        const v = await lab.cli('verify');
        expect([v.code, v.stdout]).toEqual([0, expect.stringContaining('1 archive verified.')]);
    }, 180_000);

    test('a change below the data folder while restic ran: the snapshot is listed back', async () => {
        const lab = mailLab();
        const file = path.join(lab.data('Mail'), 'empty');
        // The change comes once restic is done: found by its change time, whatever the walk saw.
        const restic = loggedRestic(lab, { run: `/usr/bin/restic "$@"; rc=$?; [ "$1" = backup ] && chmod 600 '${file}'; (exit $rc)` });
        const r = await lab.cli('backup', [], { PATH: restic.path });
        expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
        expect(restic.calls().filter(l => l.startsWith('begin find'))).toHaveLength(1);
        const { tag, data } = pairing(lab);
        expect(tag).toBe(data.id);
    }, 180_000);

    test('a walk not done when restic is: given up, the snapshot listed back after the start', async () => {
        const lab = mailLab();
        const restic = loggedRestic(lab);
        // A find that lists (the walk's -printf, not the probes or the change check) only once restic's backup has ended.
        const bin = lab.restic.dir('slow-find');
        const log = path.join(restic.path.split(':')[0], 'calls.log');
        fs.writeFileSync(path.join(bin, 'find'), `#!/bin/sh
case "$*" in *"%y %m %U"*)
  i=0
  while ! grep -q '^end backup' '${log}' 2>/dev/null && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done;;
esac
exec /usr/bin/find "$@"
`, { mode: 0o755 });
        const r = await lab.cli('backup', [], { PATH: `${bin}:${restic.path}` });
        expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
        expect(lab.eventLines()).toEqual(['stopping Mail', 'started Mail']);
        const calls = restic.calls();
        expect(calls.filter(l => l.startsWith('begin find'))).toHaveLength(1);
        const { tag, data } = pairing(lab);
        expect(tag).toBe(data.id);
    }, 180_000);

    test('when restic\'s summary disagrees with the walk, the snapshot is listed back and the manifest is what restic stored', async () => {
        const lab = mailLab();
        const skipped = path.join(lab.data('Mail'), 'cur', 'msg-0001');
        const restic = loggedRestic(lab, { run: `if [ "$1" = backup ] && [ "\${*#*--stdin}" = "$*" ]; then /usr/bin/restic "$@" --exclude '${skipped}'; else /usr/bin/restic "$@"; fi` });
        const r = await lab.cli('backup', [], { PATH: restic.path });
        expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
        expect(restic.calls().filter(l => l.startsWith('begin find'))).toHaveLength(1);
        const { tag, data } = pairing(lab);
        expect(tag).toBe(data.id);
        const target = path.join(lab.root, 'restored');
        const back = await lab.cli('restore', ['--server', 'Mail', '--target', target]);
        expect([back.code, back.stderr]).toEqual([0, expect.stringContaining('checking every restored entry against the manifest')]);
        expect(tree(target)).toEqual(without(without(tree(lab.data('Mail')), 'cur/msg-0001'), 'daemon.sock'));
    }, 180_000);

    test('a server with exclude: listed back; the excluded file is in neither the snapshot nor the manifest', async () => {
        const lab = mailLab(['cur/msg-0001']);
        const restic = loggedRestic(lab);
        const r = await lab.cli('backup', [], { PATH: restic.path });
        expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
        expect(restic.calls().filter(l => l.startsWith('begin find'))).toHaveLength(1);
        const target = path.join(lab.root, 'restored');
        const back = await lab.cli('restore', ['--server', 'Mail', '--target', target]);
        expect(back.code).toBe(0);
        expect(tree(target)).toEqual(without(without(tree(lab.data('Mail')), 'cur/msg-0001'), 'daemon.sock'));
    }, 180_000);
});
