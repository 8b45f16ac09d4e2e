/**
 * Loading a dump into a stopped server (DESIGN §10): what a restore from a dump archive
 * and a replica restore from a peer's dump share once the dump file is staged (in the
 * operation's staging folder beside DATA) and verified.
 *
 *   stop (kernel/quiesce.ts; the put-back prelude below is recorded with it)
 *   try   DATA → aside (when there); marker STAGING/.data-made; mkdir DATA with the old
 *         one's mode and owner
 *         LOAD < the staged dump (kernel/dump.ts runLoad)
 *         marker STAGING/.load-done, then journal swap plan + commit         ← commit
 *   fail before the commit: the half-loaded DATA → STAGING/unloaded, aside → DATA
 *   finally START, ALWAYS
 *   then: staging removed; the set-aside copy removed only when the load is committed,
 *         the application runs and nothing failed (--keep-old keeps it: swap-in.ts finish)
 *
 * Interruption: SIGKILL while stopped → recovery runs the prelude before the start: no
 * `.load-done` → a DATA we made goes into staging and the set-aside copy back into its
 * place; then staging is removed (the application comes back on its original data).
 * After the commit the loaded data stays; recovery removes the set-aside copy once the
 * application runs (the swap records: journal/swap-recovery.ts finds it in place).
 * Between `.load-done` and the swap records the set-aside copy is kept, unjournalled.
 */
import type { ServerModel } from '@backplan/language/model';
import type { Host } from '../hosts/host.js';
import { runLoad } from '../kernel/dump.js';
import { InterruptedError, whileStopped } from '../kernel/quiesce.js';
import { folderMeta, makeMarker, makeParents, parentOf, pathExists, removeOwnFolder, renameFolder, setFolderMeta } from '../hosts/host-folders.js';
import { canSetOwners, journalStep, noteQuiesce, type OpOutcome, type RestoreRunContext } from './restore-context.js';
import { dropStaging, finish, notePutBack } from './swap-in.js';

/** What a load needs: the server, the operation's staging and set-aside folders, the staged dump file. */
export interface LoadJob {
    server: ServerModel;
    host: Host;
    ctx: RestoreRunContext;
    outcome: OpOutcome;
    staging: string;
    aside: string;
    /** The dump file, inside staging. */
    dumpFile: string;
}

/** The state of a load's folders, for putting the original back. */
interface LoadPart {
    data: string;
    aside: string;
    /** Never made: the swap record's staged path, so that a recovery finds the load in place. */
    staged: string;
    moved: boolean;
    made: boolean;
}

const LOAD_DONE = '.load-done';
const DATA_MADE = '.data-made';

/** What recovery runs before the start if this process dies while the server is stopped (module comment). */
export function loadPrelude(data: string, aside: string, staging: string): { lines: string[]; env: Record<string, string> } {
    return {
        env: { BP_R_DATA: data, BP_R_ASIDE: aside, BP_R_STAGING: staging },
        lines: [
            `if [ ! -e "$BP_R_STAGING/${LOAD_DONE}" ]; then`,
            `  if [ -e "$BP_R_STAGING/${DATA_MADE}" ] && [ -e "$BP_R_DATA" ]; then mv -T -- "$BP_R_DATA" "$BP_R_STAGING/unloaded" || exit 1; fi`,
            '  if [ ! -e "$BP_R_DATA" ] && [ -e "$BP_R_ASIDE" ]; then mv -T -- "$BP_R_ASIDE" "$BP_R_DATA" || exit 1; fi',
            'fi',
            'rm -rf -- "$BP_R_STAGING"'
        ]
    };
}

/** Stop, set aside, load, start: see the module comment. Never throws for failures (see the outcome). */
export async function loadIn(job: LoadJob): Promise<void> {
    const { server, host, ctx, outcome, staging, aside } = job;
    const part: LoadPart = { data: server.data!, aside, staged: `${staging}/loaded`, moved: false, made: false };
    const q = await whileStopped({ server, host, prelude: loadPrelude(part.data, aside, staging) }, ctx, async () => {
        try {
            await emptyData(job, part);
            ctx.reporter.step(server.name, `loading the dump: ${server.load}`);
            if (ctx.signal.aborted) throw new InterruptedError('interrupted before the load');
            await runLoad(server, host, job.dumpFile, ctx);
            await commitLoad(job, part);
        } catch (err) {
            outcome.error = (err as Error).message;
            await journalStep(ctx, server.name, 'load', false, outcome.error);
            // Before START ALWAYS: the original data back in place.
            if (!outcome.swapped) await putBack(job, part);
            throw err;
        }
    });
    if (outcome.error === undefined && (q.stop.state !== 'stopped' || q.bodyError)) {
        // The stop failed, or the run was interrupted right after it: nothing was set aside.
        outcome.error = `${q.stop.error ?? q.bodyError?.message}; nothing was changed`;
    }
    noteQuiesce(q, outcome);
    await dropStaging(host, staging, ctx);
    await finish([part], host, ctx, outcome, aside);
}

/** DATA set aside, and an empty DATA made like it. */
async function emptyData({ server, host, ctx, staging }: LoadJob, part: LoadPart): Promise<void> {
    ctx.reporter.step(server.name, 'setting the current data aside');
    let meta: { mode: number; uid: number; gid: number } | undefined;
    if (await pathExists(host, part.data)) {
        await makeParents(host, parentOf(part.aside));
        await renameFolder(host, part.data, part.aside);
        part.moved = true;
        meta = await folderMeta(host, part.aside);
    }
    await makeMarker(host, `${staging}/${DATA_MADE}`);
    await makeParents(host, part.data);
    part.made = true;
    const owners = await canSetOwners(host);
    if (meta) await setFolderMeta(host, part.data, meta.mode, owners ? meta : undefined);
    await journalStep(ctx, server.name, 'set-aside', true);
}

/** The load is done: said on disk first (the prelude reads it), then in the journal as a swap that is in place. */
async function commitLoad({ server, host, ctx, outcome, staging, aside }: LoadJob, part: LoadPart): Promise<void> {
    await makeMarker(host, `${staging}/${LOAD_DONE}`);
    const now = (): string => new Date().toISOString();
    const base = { type: 'swap' as const, run: ctx.runId, server: server.name };
    await ctx.journal.append({ ...base, event: 'plan', time: now(), host: host.label, aside: part.moved ? aside : undefined, keepOld: ctx.keepOld, parts: [{ data: part.data, aside: part.aside, staged: part.staged }] });
    await ctx.journal.append({ ...base, event: 'commit', time: now() });
    outcome.swapped = true;
    await journalStep(ctx, server.name, 'load', true);
}

/** Before the commit: a DATA we made goes into staging, the original back in its place. */
async function putBack({ server, host, ctx, outcome, staging }: LoadJob, part: LoadPart): Promise<void> {
    const problems: string[] = [];
    try {
        if (part.made && (await pathExists(host, part.data))) await renameFolder(host, part.data, `${staging}/unloaded`);
        part.made = false;
        if (part.moved) { await renameFolder(host, part.aside, part.data); part.moved = false; }
    } catch (err) {
        problems.push((err as Error).message);
    }
    await removeOwnFolder(host, staging).catch(err => problems.push((err as Error).message));
    await notePutBack(ctx, server.name, outcome, problems, part.moved ? [part.aside] : []);
}
