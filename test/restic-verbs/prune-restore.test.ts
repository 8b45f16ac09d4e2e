/**
 * Retention, folder and target restores, and recovery on a restic tape, through the CLI
 * bundle and real restic 0.14 (local repository):
 *   prune removes exactly what restic's own keep rules say (plain `restic forget
 *   --dry-run` is the witness), forgets an unfinished data snapshot and an orphaned
 *   manifest first, forgets the manifests of what went, and leaves a repository that
 *   `restic check` passes; --dry-run removes nothing;
 *   restore --folder brings one folder back byte for byte and leaves the rest;
 *   restore --target DIR restores a snapshot into an empty folder, no stop, no start;
 *   recover of two lost servers: the mail server and the catalog master from their
 *   snapshots, the shared folder from the surviving holder.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeDataTree, resticSkip, resticSuiteName } from '../restic/restic-lab.js';
import { tree, VerbLab } from './verb-lab.js';

/** Fills `dir` with the rich data tree (modes, owners, mtimes, links, a fifo, odd names). */
function fill(dir: string, size = 512 << 10): void {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const tmp = fs.mkdtempSync(`${dir}.fill-`);
    makeDataTree(tmp, size, { absoluteLink: false });
    fs.renameSync(path.join(tmp, 'data'), dir);
    fs.rmdirSync(tmp);
}

type Snapshot = { id: string; short_id: string; hostname: string; tags: string[] };

describe.skipIf(resticSkip)(resticSuiteName('restic tapes: prune, restore, recover'), () => {
    describe('prune', () => {
        let lab: VerbLab;

        beforeAll(async () => {
            lab = new VerbLab(root => path.join(root, 'repo'), [{ name: 'Mail', role: 'mail' }], [], { keep: 'last 2' });
            fill(lab.data('Mail'));
            expect(lab.app('start', 'Mail')).toBe(0);
            expect((await lab.cli('backup')).code).toBe(0);
            // The oldest Backplan-tagged snapshot: an unfinished backup (no manifest).
            const env = { ...process.env, RESTIC_REPOSITORY: lab.repository, RESTIC_PASSWORD_FILE: lab.restic.passwordFile, RESTIC_CACHE_DIR: lab.restic.cacheDir };
            execFileSync('restic', ['backup', '--host', 'Mail', '--tag', 'backplan', '--tag', 'run:killed', '--time', '2020-01-01 00:00:00', lab.data('Mail')], { env });
            for (let i = 0; i < 3; i++) expect((await lab.cli('backup')).code).toBe(0);
            execFileSync('restic', ['backup', '--stdin', '--stdin-filename', 'backplan-manifest.json', '--host', 'Mail', '--tag', 'backplan-manifest', '--tag', `snapshot:${'0'.repeat(64)}`], { env, input: '{}\n' });
        }, 300_000);
        afterAll(() => lab?.dispose());

        test('prune keeps and removes exactly what restic\'s keep rules say, garbage first; --dry-run removes nothing', async () => {
            const witness = lab.resticJson<Array<{ keep: Snapshot[]; remove: Snapshot[] }>>(['forget', '--dry-run', '--json', '--host', 'Mail', '--tag', 'backplan', '--group-by', 'host', '--keep-last', '2']);
            const complete = lab.snapshots().filter(s => s.tags.includes('backplan') && !s.tags.includes('run:killed'));
            const garbage = lab.snapshots().filter(s => s.tags.includes('run:killed') || s.tags.includes(`snapshot:${'0'.repeat(64)}`));
            const kept = witness[0].keep.map(s => s.short_id);
            expect(kept).toEqual(complete.slice(-2).reverse().map(s => s.short_id)); // restic lists the newest first

            const dry = JSON.parse((await lab.cli('prune', ['--dry-run', '--format', 'json'])).stdout).tapes[0];
            expect(dry.keep.map((k: { id: string }) => k.id)).toEqual(kept);
            expect(lab.snapshots()).toHaveLength(complete.length * 2 + garbage.length);

            const r = await lab.cli('prune', ['--format', 'json']);
            expect(r.code).toBe(0);
            const done = JSON.parse(r.stdout).tapes[0];
            expect([done.kind, done.keep.map((k: { id: string }) => k.id), done.remove.map((k: { id: string }) => k.id), [...done.garbage].sort()]).toEqual([
                'restic', kept, complete.slice(0, -2).reverse().map(s => s.short_id), garbage.map(s => s.short_id).sort()
            ]);
            const left = lab.snapshots();
            expect(left.filter(s => s.tags.includes('backplan')).map(s => s.short_id).sort()).toEqual([...kept].sort());
            const described = left.filter(s => s.tags.includes('backplan-manifest')).map(s => s.tags.find(t => t.startsWith('snapshot:'))!.slice(9, 17));
            expect(described.sort()).toEqual([...kept].sort());
            execFileSync('restic', ['check'], { env: { ...process.env, RESTIC_REPOSITORY: lab.repository, RESTIC_PASSWORD_FILE: lab.restic.passwordFile, RESTIC_CACHE_DIR: lab.restic.cacheDir } });
            const history = JSON.parse((await lab.cli('history', ['--format', 'json'])).stdout).runs.at(-1);
            expect([history.verb, history.state, history.tapes[0].removed.length]).toEqual(['prune', 'ok', complete.length - 2 + garbage.length]);
        }, 300_000);
    });

    describe('restore and recover', () => {
        let lab: VerbLab;
        const before: Record<string, string[]> = {};

        beforeAll(async () => {
            lab = new VerbLab(root => path.join(root, 'repo'), [
                { name: 'Cat1', role: 'catalog', master: true }, { name: 'Cat2', role: 'catalog' }, { name: 'Mail', role: 'mail' }
            ], [{ name: 'Shared', on: ['Cat1', 'Cat2'] }, { name: 'Solo', on: ['Cat1'] }]);
            fill(path.join(lab.data('Cat1'), 'Shared'));
            fill(path.join(lab.data('Cat1'), 'Solo'));
            fs.mkdirSync(lab.data('Cat2'), { recursive: true });
            execFileSync('cp', ['-a', path.join(lab.data('Cat1'), 'Shared'), path.join(lab.data('Cat2'), 'Shared')]);
            fill(lab.data('Mail'));
            for (const s of lab.servers) expect(lab.app('start', s.name)).toBe(0);
            for (const s of lab.servers) before[s.name] = tree(lab.data(s.name));
            before.Solo = tree(path.join(lab.data('Cat1'), 'Solo'));
            const r = await lab.cli('backup');
            expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
            lab.clearEvents();
        }, 300_000);
        afterAll(() => lab?.dispose());

        test('restore --folder brings one folder back while the rest stays as it is', async () => {
            const solo = path.join(lab.data('Cat1'), 'Solo');
            fs.rmSync(path.join(solo, 'cur'), { recursive: true });
            fs.writeFileSync(path.join(lab.data('Cat1'), 'Shared', 'newer'), 'written after the backup');
            const r = await lab.cli('restore', ['--server', 'Cat1', '--from', 'tape', '--folder', 'Solo']);
            expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('restic restore of snapshot')]);
            expect(tree(solo)).toEqual(before.Solo);
            expect(fs.readFileSync(path.join(lab.data('Cat1'), 'Shared', 'newer'), 'utf8')).toBe('written after the backup');
            expect(lab.eventLines()).toEqual(['stopping Cat1', 'started Cat1']);
            fs.rmSync(path.join(lab.data('Cat1'), 'Shared', 'newer'));
        }, 300_000);

        test('restore --target DIR restores a snapshot into an empty folder, no stop, no start', async () => {
            lab.clearEvents();
            const [mail] = JSON.parse((await lab.cli('archives', ['--format', 'json'])).stdout).archives.filter((a: { server: string }) => a.server === 'Mail');
            const target = path.join(lab.root, 'drill');
            const r = await lab.cli('restore', ['--server', 'Mail', '--archive', mail.id, '--target', target]);
            expect(r.code).toBe(0);
            expect(tree(target)).toEqual(before.Mail);
            expect(lab.eventLines()).toEqual([]);
        }, 300_000);

        test('recover of the catalog master and the mail server: snapshots first, then the shared folder from the survivor', async () => {
            for (const s of ['Cat1', 'Mail']) {
                lab.app('stop', s);
                fs.rmSync(lab.data(s), { recursive: true });
            }
            const dry = await lab.cli('recover', ['--lost', 'Cat1,Mail', '--dry-run', '--format', 'json']);
            expect(dry.code).toBe(0);
            const rows = JSON.parse(dry.stdout).folders.map((f: { folder: string; holder: string; kind: string }) => [f.folder, f.holder, f.kind]);
            expect(rows).toEqual(expect.arrayContaining([['mail data', 'Mail', 'archive'], ['Shared', 'Cat1', 'live'], ['Solo', 'Cat1', 'archive']]));
            const r = await lab.cli('recover', ['--lost', 'Cat1,Mail']);
            expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('restic restore of snapshot')]);
            expect(tree(lab.data('Mail'))).toEqual(before.Mail);
            expect(tree(path.join(lab.data('Cat1'), 'Solo'))).toEqual(before.Solo);
            expect(tree(path.join(lab.data('Cat1'), 'Shared'))).toEqual(tree(path.join(lab.data('Cat2'), 'Shared')));
            for (const s of lab.servers) expect(lab.app('status', s.name)).toBe(0);
        }, 300_000);
    });
});
