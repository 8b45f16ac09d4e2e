/**
 * A drill's copy from a restic snapshot (DESIGN §9, §11): what drill-runner.ts does for a
 * folder tape's archive, with restic's own restore in place of the extraction — the one
 * restic restore of restore/restic-restore.ts (restic-repo.ts `restore`), into scratch.
 *
 *   on the server's host (where its backups run restic; local or SSH):
 *     check: restic ≥ 0.14, the password opens the repository, the manifest snapshot read,
 *       parsed, naming this snapshot and server, every entry safe (restic-restore-check.ts)
 *       — a failure here is a failed drill, nothing is made
 *     room: the manifest's files must fit in BASE (drill-room.ts)
 *     STAGE: journal `stage` with `cleanup` (SCRATCH), mkdir it (0700);
 *       restic restore SNAPSHOT --target SCRATCH: the copy lands at SCRATCH/ROOT (ROOT: the
 *       folder restic read); restic authenticates every blob it restores (content);
 *       every entry of the copy against the manifest (type, size, mode, owner, mtime, link;
 *       nothing missing, nothing more; verify-restored.ts); sync
 * Interruption: as a folder-tape drill — the `stage` record names SCRATCH, which the next
 * command's recovery removes; a restic killed mid-restore leaves a stale lock in the
 * repository, removed by the next command that needs it.
 */
import { entriesBelow, verifyTree } from '../archiver/verify-restored.js';
import type { Host } from '../hosts/host.js';
import { syncFolder } from '../hosts/host-folders.js';
import type { ResticCatalogEntry } from '../journal/restic-catalog.js';
import { checkResticArchive } from '../restore/restic-restore-check.js';
import { journalStep, makeStaging, type RestoreRunContext } from '../restore/restore-context.js';
import { snapshotRoot } from '../restic/restic-entries.js';
import type { ResticRunPlace } from '../restic/restic-places.js';
import { checkRoom } from './drill-room.js';

/** Where and how one restic drill restores. */
export interface ResticCopyJob {
    readonly entry: ResticCatalogEntry;
    readonly server: string;
    /** The server's host: restic and the scratch folder are there. */
    readonly host: Host;
    readonly owners: boolean;
    /** Where scratch folders go on that host, and this drill's. */
    readonly base: string;
    readonly scratch: string;
    readonly run?: ResticRunPlace;
    readonly ctx: RestoreRunContext;
    /** Called once the scratch folder is journalled and about to be made (it is then the caller's to remove). */
    readonly onScratch: () => void;
}

/** A verified copy: where it is, and what it holds. */
export interface ResticCopy {
    /** The data folder's copy (inside the scratch folder). */
    readonly copy: string;
    readonly files: number;
    readonly bytes: number;
}

/** Restores and verifies a restic snapshot in scratch (see the header); throws with the admin's reason. */
export async function restoreResticCopy(job: ResticCopyJob): Promise<ResticCopy> {
    const { entry, server, host, ctx } = job;
    const id = entry.info.id;
    ctx.reporter.step(server, `checking snapshot ${id} and its manifest on ${host.label}`);
    const checked = await checkResticArchive(entry, host, job.run, ctx.signal);
    await journalStep(ctx, server, 'check', checked.ok, checked.ok ? undefined : checked.problems.slice(0, 3).join('; '));
    if (!checked.ok) throw new Error(`snapshot ${id} failed its check, nothing was restored: ${checked.problems.slice(0, 3).join('; ')}`);
    const { repo, manifest } = checked;
    const want = entriesBelow(manifest.entries, '.');
    await checkRoom(want, host, job.base);
    const root = snapshotRoot(manifest.source ?? manifest.data);
    const copy = `${job.scratch}${root === '/' ? '' : root}`;
    job.onScratch();
    await makeStaging(server, host, job.scratch, ctx);
    ctx.reporter.step(server, `restic restore of snapshot ${id} into ${job.scratch}`);
    try {
        await repo.restore(manifest.snapshot, job.scratch, { signal: ctx.signal });
    } catch (err) {
        await journalStep(ctx, server, 'extract', false, (err as Error).message);
        throw err;
    }
    await journalStep(ctx, server, 'extract', true);
    ctx.reporter.step(server, 'checking every restored file against the manifest');
    const problems = await verifyTree(host, copy, want, { owners: job.owners, content: false, within: '.', signal: ctx.signal });
    await journalStep(ctx, server, 'verify', problems.length === 0, problems.slice(0, 3).join('; ') || undefined);
    if (problems.length) throw new Error(`the restored files differ from the manifest: ${problems.slice(0, 5).join('; ')}`);
    await syncFolder(host, job.scratch);
    const files = want.filter(e => e.type === 'file' || e.type === 'hardlink');
    return { copy, files: files.length, bytes: files.reduce((n, e) => n + e.size, 0) };
}
