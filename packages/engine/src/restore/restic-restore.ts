/**
 * Restore of one server (or some of its folders) from a restic snapshot (DESIGN §9 and
 * §4): the same staging, checks and swap as a folder tape's restore (restore/restorer.ts),
 * with `restic restore` in place of the extraction. The snapshot's manifest was read and
 * checked before anything was touched (restic-restore-check.ts).
 *
 *   STAGE: mkdir .NAME.backplan-new-RUN beside the data folder (journalled first);
 *          restic restore SNAPSHOT --target STAGE [--include ROOT/FOLDER]…  on the
 *          server's host: the data lands at STAGE/ROOT (ROOT: the folder restic read, as
 *          an absolute path); restic authenticates every blob as it restores;
 *          every entry on disk compared with the manifest (type, size, mode, owner, mtime,
 *          link target; nothing missing, nothing more) and no symlink resolving outside
 *          (restore/verify-restored.ts), while the staging folder is synced beside it
 *   whole data folder: stop → set aside → STAGE → swap → START ALWAYS → remove set-aside
 *   --folder:          STAGE while the application runs → stop → set aside → swap → start
 *   --target DIR:      STAGE beside DIR → rename into DIR (absent or empty); no stop/start
 *   a dump snapshot (restic read the `dump` sibling, one file): STAGE while the
 *                      application runs (restic restores the dump file into staging; it
 *                      is checked against the manifest like any file) → load-in.ts, the
 *                      folder tapes' load: stop → clear data → LOAD reads the staged dump on
 *                      stdin → START ALWAYS. The dump is restored, not `restic dump`ed: load
 *                      reads a file on the server's host, where restic writes it directly
 *   (stop, set aside, swap, put back and start: restore/swap-in.ts)
 *
 * Interruption: as restorer.ts — before the swap the journal's guarded restart puts the
 * original back and starts the application; the staging folder is removed by recovery. A
 * restic killed mid-restore leaves a stale lock, removed by the next command that needs
 * it (restic-stale-locks.ts).
 */
import { DUMP_FILE, undecodableNames, type ManifestEntry } from '../archive/manifest.js';
import { isOurSibling } from '../hosts/sibling-names.js';
import { loadIn } from './load-in.js';
import type { TapeRestoreOp } from '../plan/restore-plan.js';
import { siblingPaths } from '../plan/restore-plan.js';
import { syncFolder } from '../hosts/host-folders.js';
import { canSetOwners, journalStep, makeStaging, type OpOutcome, type RestoreRunContext } from './restore-context.js';
import { commitIntoTarget, stageFirst, swapIn, type SwapPart } from './swap-in.js';
import { entriesBelow, verifyTree } from '../archiver/verify-restored.js';
import { snapshotRoot } from '../restic/restic-entries.js';
import type { ResticManifest } from '../restic/restic-manifest.js';
import type { ResticRepository } from '../restic/restic-repo.js';

interface Part extends SwapPart {
    /** Path below the data folder (`.`: all of it). */
    inArchive: string;
    want: ManifestEntry[];
}

/** Why the operation cannot start, before anything is made (undefined: it can). */
function refusal(op: TapeRestoreOp, parts: readonly Part[], manifest: ResticManifest): string | undefined {
    if (isDumpSnapshot(manifest) && !op.target) {
        if (op.folders) return `snapshot ${op.archive.id} holds a dump (one file, ${DUMP_FILE}), not folders: restore the whole server; nothing was changed`;
        if (!op.server.load) return `snapshot ${op.archive.id} holds a dump (one file, ${DUMP_FILE}): ${op.server.name} has no \`load\` to read it; nothing was changed (restore it with --target DIR)`;
    }
    if (op.target && parts.length > 1) return '--target takes one folder at most; nothing was changed';
    const undecodable = undecodableNames(parts.flatMap(p => p.want));
    if (undecodable.length) {
        return `names to restore are not valid UTF-8 (first: ${JSON.stringify(undecodable[0].path)}), so the restored files could not be checked against the manifest; `
            + `nothing was changed. Restore by hand: restic restore ${manifest.snapshot.slice(0, 8)} --target DIR`;
    }
    const missing = parts.filter(p => !p.want.some(e => e.path === '.' && e.type === 'dir'));
    if (missing.length) return `the snapshot holds no folder ${missing.map(p => p.inArchive).join(', ')}; nothing was changed`;
    return undefined;
}

/** Whether restic read a `dump` sibling for this snapshot: it holds the dump file, for `load`. */
function isDumpSnapshot(manifest: ResticManifest): boolean {
    return manifest.source !== undefined && isOurSibling(manifest.source, manifest.runId, 'dump');
}

/** What the operation puts in place: the whole data folder, or each folder asked for (below `root`, restic's path, in staging). */
function partsOf(op: TapeRestoreOp, manifest: ResticManifest, at: { dest: string; aside: string; staging: string; root: string }): Part[] {
    return (op.folders ?? [undefined]).map(f => {
        const sub = f ? `/${f.path}` : '';
        return {
            inArchive: f ? f.path : '.', want: entriesBelow(manifest.entries, f ? f.path : '.'),
            data: f && !op.target ? `${at.dest}${sub}` : at.dest, aside: `${at.aside}${f && !op.target ? sub : ''}`,
            staged: `${at.staging}${at.root === '/' ? '' : at.root}${sub}`, moved: false, swapped: false
        };
    });
}

/** Restores one operation from a checked restic snapshot; never throws for failures (see the outcome). */
export async function restoreFromRestic(op: TapeRestoreOp, repo: ResticRepository, manifest: ResticManifest, ctx: RestoreRunContext): Promise<OpOutcome> {
    const { server } = op;
    const host = ctx.hostFor(server);
    const dest = op.target ?? server.data!;
    const { aside, staging } = siblingPaths(dest, ctx.runId);
    const root = snapshotRoot(manifest.source ?? manifest.data);
    const outcome: OpOutcome = { server: server.name, kind: 'tape', ok: false, archive: op.archive.id, swapped: false, kept: [], folders: op.folders?.map(f => f.name), target: op.target };
    const parts = partsOf(op, manifest, { dest, aside, staging, root });
    const fail = (error: string): OpOutcome => {
        outcome.error = error;
        ctx.reporter.end(server.name, `FAILED: ${error}`);
        return outcome;
    };
    const refused = refusal(op, parts, manifest);
    if (refused) return fail(refused);
    const owners = await canSetOwners(host);

    /** restic restore into staging, every entry checked against the manifest, sync. */
    const stage = async (): Promise<void> => {
        await makeStaging(server.name, host, staging, ctx);
        ctx.reporter.step(server.name, `restic restore of snapshot ${op.archive.id}`);
        const include = op.folders ? parts.map(p => `${root === '/' ? '' : root}/${p.inArchive}`) : undefined;
        await repo.restore(manifest.snapshot, staging, { include, signal: ctx.signal });
        await journalStep(ctx, server.name, 'extract', true);
        ctx.reporter.step(server.name, 'checking every restored entry against the manifest');
        // The check reads metadata and the sync writes the data out: side by side, each waits less.
        const synced = syncFolder(host, staging);
        synced.catch(() => undefined);
        for (const p of parts) {
            const problems = await verifyTree(host, p.staged, p.want, { owners, content: false, within: p.inArchive, signal: ctx.signal });
            if (problems.length) throw new Error(`the restored files differ from the manifest: ${problems.slice(0, 5).join('; ')}`);
        }
        await synced;
        await journalStep(ctx, server.name, 'verify', true);
        outcome.files = parts.reduce((n, p) => n + p.want.filter(e => e.type === 'file').length, 0);
    };

    const dump = isDumpSnapshot(manifest) && !op.target;
    if (dump) outcome.dump = true;
    if (op.target) {
        await commitIntoTarget(host, dest, stage, parts, staging, ctx, outcome);
    } else if (op.folders || dump) {
        // Staged and checked first, while the application runs: it is down only for the renames (folders) or the load (a dump).
        if (!(await stageFirst({ host, staging, dest, parts, stage, ctx, outcome, what: dump ? 'the dump' : parts.map(p => p.inArchive).join(', ') }))) return outcome;
        if (dump) await loadIn({ server, host, ctx, outcome, staging, aside, dumpFile: `${parts[0].staged}/${DUMP_FILE}` });
        else await swapIn({ server, host, ctx, outcome, parts, staging, aside });
    } else {
        await swapIn({ server, host, ctx, outcome, parts, staging, aside, fillWhileStopped: stage });
    }
    if (!outcome.ok) return fail(outcome.error ?? 'unknown failure');
    if (dump) ctx.reporter.end(server.name, `loaded the dump of snapshot ${op.archive.id}`);
    else ctx.reporter.end(server.name, `restored ${outcome.files} files from snapshot ${op.archive.id}${op.target ? ` into ${dest}` : ''}`);
    return outcome;
}
