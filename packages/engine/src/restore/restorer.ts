/**
 * Restore of one server (or some of its folders) from an archive (DESIGN §4, seed rule 3).
 * The archive was checked by the caller before anything was touched (restore-runner.ts:
 * SHA-256 against the manifest, every manifest entry safe).
 *
 *   (stop, set aside, commit, put back, start and the set-aside copy's removal are
 *   swap-in.ts, shared with replication; what happens in between is this module's)
 *   stop the application (journalled with a guarded restart, see restore-context.ts)
 *   try   set aside: rename DATA (or DATA/<folder> each) to .NAME.backplan-old-RUN beside it
 *         STAGE: mkdir .NAME.backplan-new-RUN (0700) beside DATA; extract the archive into
 *           it (--folder: only those folders reach the disk), every tar header gated
 *           (archive-extract.ts); every file's SHA-256 (taken in passing) equal to the
 *           manifest's; top folder's own mode/owner from the manifest; every entry on disk
 *           present with the manifest's type, size, mode, owner, mtime and link, and no
 *           symlink on disk resolving outside the archive's tree (verify-restored.ts); sync
 *         swap: rename staging (or staging/<folder> each) into place          ← commit
 *   fail before the swap: rename the set-aside copies back, remove staging
 *   finally START, ALWAYS
 *   started and swapped: remove the set-aside copy (unless --keep-old)
 *   swapped, start failed: keep the set-aside copy and say where it is
 *
 * `--folder`: STAGE comes first, while the application runs (a failure there touches
 * nothing); then stop, set aside, swap, start as above: it is down only for the renames.
 * A dump archive (manifest `content: dump`, one file): STAGE first as for `--folder`,
 * then load-in.ts (stop → set aside, empty DATA → LOAD reads the dump → START ALWAYS).
 * `--target DIR`: the same extraction and verification into a staging folder beside DIR,
 * then rename into DIR (which must be absent or empty); no stop, no start.
 * Interruption: before the swap the journal's guarded restart puts the original back and
 * starts the application; after it the restored data stays, the set-aside copy is kept.
 * The staging folder is journalled before it is made, so the next command also removes
 * it after a killed `--target` restore or `--folder` extraction, which stop nothing.
 */
import type { ListedArchive } from '../tape/tape-store.js';
import type { TapeRestoreOp } from '../plan/restore-plan.js';
import { siblingPaths } from '../plan/restore-plan.js';
import { formatBytes } from '../progress/progress-reporter.js';
import { extractArchive } from './archive-extract.js';
import { setFolderMeta, syncFolder } from '../hosts/host-folders.js';
import { canSetOwners, journalStep, makeStaging, type OpOutcome, type RestoreRunContext } from './restore-context.js';
import { commitIntoTarget, stageFirst, swapIn, type SwapPart } from './swap-in.js';
import { entriesBelow, verifyTree } from '../archiver/verify-restored.js';
import { DUMP_FILE, undecodableNames, type ManifestEntry } from '../archive/manifest.js';
import type { Host } from '../hosts/host.js';
import { loadIn } from './load-in.js';
import { shQuote } from '../hosts/ssh/remote-quote.js';
import { compareEntries } from '../archiver/archive-verifier.js';

interface Part extends SwapPart {
    /** Path inside the archive (`.` for the whole data folder). */
    inArchive: string;
    want: ManifestEntry[];
}

/** Restores one tape operation; never throws for failures (see the outcome). */
export async function restoreFromArchive(op: TapeRestoreOp, listed: ListedArchive, ctx: RestoreRunContext): Promise<OpOutcome> {
    const { server } = op;
    const manifest = listed.manifest!;
    const host = ctx.hostFor(server);
    const dest = op.target ?? server.data!;
    const { aside, staging } = siblingPaths(dest, ctx.runId);
    const outcome: OpOutcome = {
        server: server.name, kind: 'tape', ok: false, archive: op.archive.id, swapped: false, kept: [],
        folders: op.folders?.map(f => f.name), target: op.target
    };
    const parts = partsOf(op, listed, dest, aside, staging);
    const fail = (error: string): OpOutcome => {
        outcome.error = error;
        ctx.reporter.end(server.name, `FAILED: ${error}`);
        return outcome;
    };
    const refused = refusal(op, listed, parts);
    if (refused) return fail(refused);
    const owners = await canSetOwners(host);
    const stage = (): Promise<void> => stageArchive({ op, listed, host, staging, parts, owners, ctx, outcome });

    if (op.target) {
        await commitIntoTarget(host, dest, stage, parts, staging, ctx, outcome);
        ctx.reporter.end(server.name, outcome.ok ? `restored ${outcome.files} files of ${op.archive.id} into ${dest}` : `FAILED: ${outcome.error}`);
        return outcome;
    }
    const dump = manifest.content === 'dump';
    if (dump && !server.load) {
        return fail(`archive ${op.archive.id} holds a dump (one file, ${DUMP_FILE}): ${server.name} has no \`load\` to read it; nothing was changed (extract it with --target DIR)`);
    }
    if (dump) outcome.dump = true;
    if (op.folders || dump) {
        // Staged and verified first, while the application runs: it is down only for the renames (folders) or the load (a dump).
        if (!(await stageFirst({ host, staging, dest, parts, stage, ctx, outcome, what: dump ? 'the dump' : parts.map(p => p.inArchive).join(', ') }))) return outcome;
        if (dump) await loadIn({ server, host, ctx, outcome, staging, aside, dumpFile: `${staging}/${DUMP_FILE}` });
        else await swapIn({ server, host, ctx, outcome, parts, staging, aside });
    } else {
        await swapIn({ server, host, ctx, outcome, parts, staging, aside, fillWhileStopped: stage });
    }
    if (!outcome.ok) ctx.reporter.end(server.name, `FAILED: ${outcome.error}`);
    else if (dump) ctx.reporter.end(server.name, `loaded the dump of ${op.archive.id} (${formatBytes(manifest.archive.tarSize)})`);
    else ctx.reporter.end(server.name, `restored ${outcome.files} files (${formatBytes(manifest.archive.tarSize)}) from ${op.archive.id}`);
    return outcome;
}

/** The folders to restore (the whole data folder when no `--folder`), each with its staged, set-aside and live path. */
function partsOf(op: TapeRestoreOp, listed: ListedArchive, dest: string, aside: string, staging: string): Part[] {
    return (op.folders ?? [undefined]).map(f => {
        const inArchive = f ? f.path : '.';
        const sub = f ? `/${f.path}` : '';
        return {
            inArchive, want: entriesBelow(listed.manifest!.entries, inArchive),
            data: f && !op.target ? `${dest}${sub}` : dest, aside: `${aside}${f && !op.target ? sub : ''}`,
            staged: `${staging}${sub}`, moved: false, swapped: false
        };
    });
}

/** Why the operation is refused before anything is stopped or made, if it is. */
function refusal(op: TapeRestoreOp, listed: ListedArchive, parts: readonly Part[]): string | undefined {
    if (op.target && parts.length > 1) return '--target takes one folder at most; nothing was changed';
    // Names that are not UTF-8 belong to the data, not to this archive: an op refusal (not a
    // bad archive, which recover would replace by an older one, losing newer data).
    const undecodable = undecodableNames(parts.flatMap(p => p.want));
    if (undecodable.length) {
        const n = undecodable.length;
        const unpack = `${listed.manifest!.archive.compression === 'gzip' ? 'gzip' : 'zstd'} -dc ${shQuote(listed.archivePath)}`;
        return `${n} name${n > 1 ? 's' : ''} to restore ${n > 1 ? 'are' : 'is'} not valid UTF-8 (first: ${JSON.stringify(undecodable[0].path)}), `
            + `so the restored files could not be checked against the manifest; nothing was changed. Extract it by hand: ${unpack} | tar -x --numeric-owner -p -C DIR`;
    }
    const missing = parts.filter(p => !p.want.some(e => e.path === '.' && e.type === 'dir'));
    if (missing.length) return `the archive holds no folder ${missing.map(p => p.inArchive).join(', ')}; nothing was changed`;
    return undefined;
}

/** Extracts into staging, sets the top folder's mode, verifies every entry against the manifest, syncs. Throws when they differ. */
async function stageArchive(job: {
    op: TapeRestoreOp; listed: ListedArchive; host: Host; staging: string; parts: readonly Part[]; owners: boolean; ctx: RestoreRunContext; outcome: OpOutcome;
}): Promise<void> {
    const { op, listed, host, staging, parts, owners, ctx } = job;
    const manifest = listed.manifest!;
    const name = op.server.name;
    await makeStaging(name, host, staging, ctx);
    ctx.reporter.step(name, `extracting ${op.archive.id}`);
    const streamed = await extractArchive({
        archivePath: listed.archivePath, manifest, host, into: staging, tools: ctx.localTools, signal: ctx.signal,
        // --folder: only those folders reach the disk (staging needs their room, not the server's).
        members: op.folders ? membersOf(parts.map(p => p.inArchive), manifest.entries) : undefined,
        onProgress: bytes => ctx.reporter.bytes(name, bytes, manifest.archive.tarSize)
    });
    const differ = compareEntries(manifest, streamed);
    if (differ.length) throw new Error(`the archive's content differs from its manifest: ${differ.slice(0, 5).join('; ')}`);
    await journalStep(ctx, name, 'extract', true);
    const top = manifest.entries.find(e => e.path === '.');
    if (top && top.type === 'dir') await setFolderMeta(host, staging, top.mode, owners ? { uid: top.uid, gid: top.gid } : undefined);
    ctx.reporter.step(name, 'verifying every restored file against the manifest');
    for (const p of parts) {
        // Links resolve where the folder lies in the archive's tree, as the manifest was checked.
        const problems = await verifyTree(host, p.staged, p.want, { owners, content: false, within: p.inArchive, signal: ctx.signal });
        if (problems.length) throw new Error(`the restored files differ from the manifest: ${problems.slice(0, 5).join('; ')}`);
    }
    await journalStep(ctx, name, 'verify', true);
    job.outcome.files = parts.reduce((n, p) => n + p.want.filter(e => e.type === 'file' || e.type === 'hardlink').length, 0);
    await syncFolder(host, staging);
}

/**
 * The tar members of a folder restore: the folders, and the files outside them that hard
 * links inside them point at (tar stores a hard link as a name for an earlier entry).
 */
function membersOf(folders: readonly string[], entries: readonly ManifestEntry[]): string[] {
    const below = (p: string): boolean => folders.some(f => p === f || p.startsWith(`${f}/`));
    const out = new Set(folders.map(f => `./${f}`));
    for (const e of entries) {
        if (e.type === 'hardlink' && e.linkTarget && below(e.path) && !below(e.linkTarget)) out.add(`./${e.linkTarget}`);
    }
    return [...out];
}
