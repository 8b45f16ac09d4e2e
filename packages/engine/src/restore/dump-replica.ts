/**
 * A replica restore from a peer's dump (DESIGN §10): a server that `load`s dumps takes a
 * live peer's whole dump; the peer is never stopped (its `dump` reads it while it runs).
 *
 *   journal stage, mkdir STAGING (0700) beside the target's DATA
 *   journal dump-begin (cleanup: the peer's `dump` sibling) → DUMP on the peer into it
 *   peer tar --create of that folder ─► gate (SHA-256 in passing) ─► target tar --extract
 *     into STAGING/dump; the staged file checked against the hashes read
 *   the peer's dump folder removed, whatever happened (journal drop-dump)
 *   any failure so far: staging removed; the target was never stopped
 *   sync; then load-in.ts: stop the target → set aside → LOAD → START ALWAYS → cleanup
 *
 * Interruption: staging and the peer's dump folder are journalled before they are made,
 * so the next command removes both (journal/recovery.ts); while the target is stopped,
 * see load-in.ts.
 */
import { DUMP_FILE, type ManifestEntry } from '../archive/manifest.js';
import type { Host } from '../hosts/host.js';
import { dumpFolder, runDump } from '../kernel/dump.js';
import { siblingPaths, type ReplicaRestoreOp } from '../plan/restore-plan.js';
import { removeOwnFolder, syncFolder } from '../hosts/host-folders.js';
import { loadIn } from './load-in.js';
import { canSetOwners, journalStep, makeStaging, type OpOutcome, type RestoreRunContext } from './restore-context.js';
import { failedUntouched } from './swap-in.js';
import { checkCopy, copyFolder } from './copy-folder.js';

/** Loads the op's one source's dump into its server; never throws for failures (see the outcome). */
export async function replicateDump(op: ReplicaRestoreOp, ctx: RestoreRunContext): Promise<OpOutcome> {
    const target = op.server;
    const { source: peer, folders } = op.sources[0];
    const th = ctx.hostFor(target);
    const { aside, staging } = siblingPaths(target.data!, ctx.runId);
    const outcome: OpOutcome = {
        server: target.name, kind: 'replica', ok: false, swapped: false, kept: [], sources: [peer.name], folders: folders.map(f => f.name), dump: true
    };
    try {
        await makeStaging(target.name, th, staging, ctx);
        await fetchDump(op, th, `${staging}/dump`, ctx);
        outcome.files = 1;
        await syncFolder(th, staging);
    } catch (err) {
        return failedUntouched(th, staging, ctx, outcome, err);
    }
    await loadIn({ server: target, host: th, ctx, outcome, staging, aside, dumpFile: `${staging}/dump/${DUMP_FILE}` });
    if (outcome.ok) ctx.reporter.end(target.name, `loaded ${peer.name}'s dump (${outcome.folders!.join(', ')}); ${peer.name} was never stopped`);
    else ctx.reporter.end(target.name, `FAILED: ${outcome.error}`);
    return outcome;
}

/** The peer's dump, taken while it runs, copied into `staged` on the target and checked; the peer's copy removed whatever happens. */
async function fetchDump(op: ReplicaRestoreOp, th: Host, staged: string, ctx: RestoreRunContext): Promise<void> {
    const target = op.server;
    const peer = op.sources[0].source;
    const sh = ctx.hostFor(peer);
    const folder = dumpFolder(peer, ctx.runId);
    const step = (name: 'dump' | 'drop-dump', fields: { event: 'begin' | 'end'; ok?: boolean; error?: string; cleanup?: { host: string; path: string } }): Promise<void> =>
        ctx.journal.append({ type: 'step', run: ctx.runId, time: new Date().toISOString(), server: peer.name, step: name, ...fields });
    await step('dump', { event: 'begin', cleanup: { host: sh.label, path: folder } });
    try {
        ctx.reporter.step(peer.name, `dumping (it keeps running): ${peer.dump}`);
        await runDump(peer, sh, folder, ctx, {}).catch(async (err: Error) => {
            await step('dump', { event: 'end', ok: false, error: err.message });
            throw new Error(`source ${peer.name}: ${err.message}`);
        });
        await step('dump', { event: 'end', ok: true });
        ctx.reporter.step(target.name, `copying ${peer.name}'s dump`);
        const entries: ManifestEntry[] = await copyFolder(sh, folder, th, staged, ctx, target.name);
        await journalStep(ctx, target.name, 'copy', true);
        if (!entries.some(e => e.path === DUMP_FILE && e.type === 'file')) throw new Error(`${peer.name}'s dump folder held no ${DUMP_FILE}`);
        const owners = await canSetOwners(th);
        await checkCopy(th, staged, entries, { owners, within: '.', what: `the copy of ${peer.name}'s dump`, from: peer.name }, ctx);
        await journalStep(ctx, target.name, 'verify', true);
    } finally {
        const dropped = await removeOwnFolder(sh, folder).then(() => undefined, (err: Error) => err.message);
        await step('drop-dump', { event: 'end', ok: dropped === undefined, error: dropped });
        if (dropped) ctx.reporter.notice(`warning: ${peer.name}'s dump folder ${sh.label}:${folder} could not be removed (${dropped}): remove it by hand`);
    }
}
