/**
 * Runs `backplan drill` (DESIGN §11): each planned (drill, server) restores one archive into
 * scratch on the runner's machine and proves it — never over live data, stopping nothing.
 * A sibling of the restore runner on the run kernel (kernel/run-session.ts).
 *
 *   session begin (verb drill)
 *   for each task, in plan order:
 *     pick the archive (drill-pick.ts; random from RUN/DRILL/SERVER)
 *     lock the tape (so that prune cannot remove the archive while it is read)   t0 = now
 *     room: the archive's files must fit in BASE (STATE/drills, or --target DIR)
 *     check the archive before reading it (restore-runner.ts checkArchive: decompressor,
 *       SHA-256 against the manifest, every entry safe to extract)
 *     STAGE: journal `stage` with `cleanup` (BASE/.DRILL-SERVER.backplan-drill-RUN,
 *       hosts/sibling-names.ts), then mkdir it (0700); extract through the gate
 *       (archive-extract.ts); entries and hashes equal to the manifest; the top folder's
 *       mode; every file on disk checked against the manifest (verify-restored.ts); sync
 *                                                       recovery time = now − t0
 *     unlock the tape (the test needs the copy, not the tape)
 *     `test` with BACKPLAN_DRILL_DIR (and BACKPLAN_DATA) = the copy, BACKPLAN_SERVER,
 *       BACKPLAN_ARCHIVE, BACKPLAN_RUN, BACKPLAN_RUNBOOK; exit 0 passes
 *     remove the scratch unless --keep;  journal the `drill` record (journal-record.ts)
 *   a restic tape's snapshot: the same, on the server's host (restic runs where its backups
 *     ran; the scratch and the `test` are there too), with the check and the copy of
 *     drill-restic.ts in place of checkArchive and the extraction
 *   session end: run-end; the run's records copied to the tapes read
 * Interruption: Ctrl-C kills the extraction or the test and removes the scratch; SIGKILL
 * leaves it, and the next command's recovery removes it (the `stage` record names it).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compareEntries } from '../archiver/archive-verifier.js';
import type { Manifest } from '../archive/manifest.js';
import type { ServerModel } from '@backplan/language/model';
import type { DrillRecord } from '../journal/journal-record.js';
import type { Journal } from '../journal/journal.js';
import { commandFailure, type Host, type ToolVersions } from '../hosts/host.js';
import { LocalHost, localTools } from '../hosts/local-host.js';
import { siblingPath } from '../hosts/sibling-names.js';
import { commandEnv } from '../kernel/command-env.js';
import { RunSession, TapeLockError } from '../kernel/run-session.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { extractArchive } from '../restore/archive-extract.js';
import { removeOwnFolder, setFolderMeta, syncFolder } from '../hosts/host-folders.js';
import { canSetOwners, journalStep, makeStaging, type RestoreRunContext } from '../restore/restore-context.js';
import { checkArchive } from '../restore/restore-runner.js';
import { verifyTree } from '../archiver/verify-restored.js';
import type { ResticRunPlace } from '../restic/restic-places.js';
import { drillSeed, pickArchive } from './drill-pick.js';
import { restoreResticCopy } from './drill-restic.js';
import { checkRoom } from './drill-room.js';
import type { DrillCandidate, DrillPlan, DrillTask } from './drill-plan.js';

export interface DrillRunOptions {
    plan: DrillPlan;
    runbookPath: string;
    /** The state folder: scratch goes below its `drills/` unless `target` is given. */
    stateDir: string;
    journal: Journal;
    command: string;
    /** `--target DIR`: scratch goes there instead. */
    target?: string;
    /** `--keep`: leave every restored copy in place. */
    keep?: boolean;
    wait?: boolean;
    /** How long a `test` may run. */
    timeoutMs: number;
    reporter: Reporter;
    signal: AbortSignal;
    /** A server's host: where restic runs for a restic tape's snapshot (default: this machine). */
    hostFor?: (server: ServerModel) => Host;
    /** What restic commands get (the run's ssh config). */
    restic?: ResticRunPlace;
}

export interface DrillRunResult {
    runId: string;
    /** Every drill of the run passed. */
    ok: boolean;
    /** Why the run stopped before its last drill. */
    error?: string;
    /** One record per (drill, server), as journalled. */
    drills: DrillRecord[];
}

/** A drill that failed; the message says why, in the admin's words. */
class DrillFailure extends Error {}

/** Where one drill's copy is made and tested: this machine, or (restic) the server's host. */
interface DrillPlace {
    readonly host: Host;
    readonly owners: boolean;
    /** The data folder's copy: the scratch folder itself, or (restic) the data's path inside it. */
    copy?: string;
}

/** What every task of a run shares. */
interface DrillRun {
    readonly options: DrillRunOptions;
    readonly session: RunSession;
    readonly host: Host;
    readonly tools: ToolVersions;
    readonly owners: boolean;
    /** Where scratch folders go. */
    readonly base: string;
    /** For the restore pieces reused here (staging record, step records). */
    readonly ctx: RestoreRunContext;
}

const now = (): string => new Date().toISOString();

/** Runs every planned drill (never throws for failures: see the result). */
export async function runDrills(options: DrillRunOptions): Promise<DrillRunResult> {
    const { journal, reporter, signal } = options;
    const session = await RunSession.begin({ verb: 'drill', command: options.command, runbookPath: options.runbookPath, journal, reporter, signal });
    const result: DrillRunResult = { runId: session.runId, ok: false, drills: [] };
    try {
        const run = await openRun(options, session);
        for (const task of options.plan.tasks) {
            if (signal.aborted) { result.error = 'interrupted: the drills not begun were not run'; break; }
            const record = await drillOne(task, run);
            result.drills.push(record);
            await journal.append(record).catch(err => reporter.notice(`warning: the drill record of ${record.server} could not be journalled: ${(err as Error).message}`));
        }
    } catch (err) {
        result.error = (err as Error).message;
    }
    result.ok = !result.error && result.drills.length === options.plan.tasks.length && result.drills.every(d => d.ok);
    await session.end(result.ok, [result.error, ...result.drills.filter(d => !d.ok).map(d => `${d.drill} ${d.server}: ${d.error}`)]);
    return result;
}

/** The runner's own machine as the scratch host, the scratch base made (0700: the copies hold servers' data). */
async function openRun(options: DrillRunOptions, session: RunSession): Promise<DrillRun> {
    const host = new LocalHost();
    const tools = await localTools();
    const base = path.resolve(options.target ?? path.join(options.stateDir, 'drills'));
    await fs.mkdir(base, { recursive: true, mode: 0o700 });
    const ctx: RestoreRunContext = {
        runId: session.runId, runbookPath: options.runbookPath, journal: options.journal, reporter: options.reporter, signal: options.signal,
        timeoutMs: options.timeoutMs, localTools: tools, hostFor: () => host, keepOld: false
    };
    return { options, session, host, tools, owners: await canSetOwners(host), base, ctx };
}

/** One server of one drill: pick, restore into scratch, verify, test, clean up; its record. */
async function drillOne(task: DrillTask, run: DrillRun): Promise<DrillRecord> {
    const { drill, server, tape } = task;
    const record: DrillRecord = {
        type: 'drill', run: run.session.runId, time: now(), drill: drill.name, server: server.name, tape: tape.name, ok: false,
        pick: { order: task.given ? 'given' : drill.pick, index: 0, of: task.candidates.length }, verified: false
    };
    const reporter = run.options.reporter;
    let store: DrillCandidate['store'] | undefined;
    let place: DrillPlace | undefined;
    try {
        if (task.problem) throw new DrillFailure(task.problem);
        const picked = pickArchive(task.candidates, task.given ? 'newest' : drill.pick, drillSeed(run.session.runId, drill.name, server.name));
        if (!picked) throw new DrillFailure(`tape ${tape.name} holds no archive of ${server.name}: back it up first`);
        record.pick = { ...record.pick, index: picked.index, of: picked.of, seed: picked.seed };
        record.archive = picked.item.id;
        store = picked.item.store;
        reporter.step(server.name, `drill ${drill.name}: ${record.pick.order === 'given' ? 'the archive asked for' : `the ${drill.pick} of ${picked.of} archive${picked.of === 1 ? '' : 's'}`}, ${record.archive}`);
        // A restic tape's lock lives in the state folder, which may be new (a new runner after a disaster).
        if (picked.item.restic) await store.ensure();
        await lockTape(store, run);
        if (picked.item.listed && !(await store.hasManifest(record.archive))) {
            throw new DrillFailure(`archive ${record.archive} was removed from tape ${tape.name} (a prune) before this drill could lock it: run the drill again`);
        }
        place = await placeOf(picked.item, server, run);
        // The recovery time counts from here: waiting for another run's lock is not restoring.
        const started = Date.now();
        await restoreCopy(picked.item, record, place, run);
        record.recoverySeconds = (Date.now() - started) / 1000;
        await run.session.unlock(store);
        if (drill.test !== undefined) await runTest(task, record, place, run);
        record.ok = record.verified && (record.test?.ok ?? true);
    } catch (err) {
        record.error = (err as Error).message;
    } finally {
        if (store) await run.session.unlock(store).catch(() => undefined);
        if (place) await removeScratch(record, place, run);
    }
    record.time = now();
    reporter.end(server.name, record.ok
        ? `drill ${drill.name} passed: ${record.files} file${record.files === 1 ? '' : 's'} verified in ${record.recoverySeconds?.toFixed(1)} s${record.test ? ', test passed' : ''}`
        : `drill ${drill.name} FAILED: ${record.error}`);
    return record;
}

/** This machine for a folder tape's archive; the server's host (where restic runs for it) for a restic snapshot. */
async function placeOf(candidate: DrillCandidate, server: ServerModel, run: DrillRun): Promise<DrillPlace> {
    if (!candidate.restic || !run.options.hostFor) return { host: run.host, owners: run.owners };
    const host = run.options.hostFor(server);
    if (host instanceof LocalHost) return { host: run.host, owners: run.owners };
    return { host, owners: await canSetOwners(host) };
}

/** Locks the tape read, so that prune cannot remove the archive meanwhile. */
async function lockTape(store: DrillCandidate['store'], run: DrillRun): Promise<void> {
    try {
        await run.session.lock(store, { wait: run.options.wait });
    } catch (err) {
        if (err instanceof TapeLockError) throw new DrillFailure(err.message);
        throw err;
    }
}

/** The copy in scratch, verified (sets `record.verified`, `place.copy`). */
async function restoreCopy(candidate: DrillCandidate, record: DrillRecord, place: DrillPlace, run: DrillRun): Promise<void> {
    const scratch = siblingPath(path.join(run.base, `${record.drill}-${record.server}`), run.session.runId, 'drill');
    if (candidate.restic) {
        const done = await restoreResticCopy({
            entry: candidate.restic, server: record.server, host: place.host, owners: place.owners, base: run.base, scratch, run: run.options.restic, ctx: run.ctx,
            // Set before the mkdir, so that a failure after it removes the folder.
            onScratch: () => { record.scratch = scratch; }
        });
        place.copy = done.copy;
        record.files = done.files;
        record.bytes = done.bytes;
        record.verified = true;
        return;
    }
    await restoreArchiveCopy(candidate.listed!, scratch, record, run);
    place.copy = scratch;
}

/** A folder tape's archive: room, archive check, then the copy in scratch, verified. */
async function restoreArchiveCopy(listed: NonNullable<DrillCandidate['listed']>, scratch: string, record: DrillRecord, run: DrillRun): Promise<void> {
    const { options } = run;
    const manifest = listed.manifest;
    if (manifest) await checkRoom(manifest.entries, run.host, run.base); // else the archive check says why it cannot be read
    options.reporter.step(record.server, `checking archive ${listed.id}`);
    const problems = await checkArchive(listed, run.tools, options.signal);
    await journalStep(run.ctx, record.server, 'check', problems.length === 0, problems.slice(0, 3).join('; ') || undefined);
    if (problems.length || !manifest) throw new DrillFailure(`archive ${listed.id} failed its check, nothing was restored: ${problems.slice(0, 3).join('; ')}`);
    record.scratch = scratch;
    await makeStaging(record.server, run.host, scratch, run.ctx);
    await extractVerified(listed.archivePath, manifest, scratch, record, run);
    record.verified = true;
    record.files = manifest.files;
    record.bytes = manifest.archive.tarSize;
}

/** Extraction through the gate, then every file on disk against the manifest. */
async function extractVerified(archivePath: string, manifest: Manifest, scratch: string, record: DrillRecord, run: DrillRun): Promise<void> {
    const { reporter, signal } = run.options;
    const say = (text: string): void => reporter.step(record.server, text);
    say(`restoring ${manifest.id} into ${scratch}`);
    try {
        const streamed = await extractArchive({
            archivePath, manifest, host: run.host, into: scratch, tools: run.tools, signal,
            onProgress: bytes => reporter.bytes(record.server, bytes, manifest.archive.tarSize)
        });
        const differ = compareEntries(manifest, streamed);
        if (differ.length) throw new DrillFailure(`the archive's content differs from its manifest: ${differ.slice(0, 5).join('; ')}`);
    } catch (err) {
        await journalStep(run.ctx, record.server, 'extract', false, (err as Error).message);
        throw err;
    }
    await journalStep(run.ctx, record.server, 'extract', true);
    const top = manifest.entries.find(e => e.path === '.');
    if (top?.type === 'dir') await setFolderMeta(run.host, scratch, top.mode, run.owners ? { uid: top.uid, gid: top.gid } : undefined);
    say('checking every restored file against the manifest');
    const problems = await verifyTree(run.host, scratch, manifest.entries, { owners: run.owners, content: false, within: '.', signal });
    await journalStep(run.ctx, record.server, 'verify', problems.length === 0, problems.slice(0, 3).join('; ') || undefined);
    if (problems.length) throw new DrillFailure(`the restored files differ from the manifest: ${problems.slice(0, 5).join('; ')}`);
    await syncFolder(run.host, scratch);
}

/** The drill's `test` on the verified copy (sets `record.test`). */
async function runTest(task: DrillTask, record: DrillRecord, place: DrillPlace, run: DrillRun): Promise<void> {
    const { options, session } = run;
    const scratch = place.copy!;
    options.reporter.step(record.server, 'running the drill\'s test on the restored copy');
    const env = commandEnv(task.server, { runId: session.runId, runbookPath: options.runbookPath }, 'test', { policy: task.drill.name, tape: task.tape.name }, {
        // The copy stands in for the data folder: a test that reuses a start script never touches live data.
        BACKPLAN_DATA: scratch, BACKPLAN_DRILL_DIR: scratch, BACKPLAN_ARCHIVE: record.archive!, BACKPLAN_DRILL: task.drill.name
    });
    const r = await place.host.run(task.drill.test!, { env, timeoutMs: options.timeoutMs, signal: options.signal });
    record.test = { ok: r.ok, code: r.code, signal: r.signal, seconds: r.durationMs / 1000, output: r.output.slice(-4000) };
    const error = r.ok ? undefined : commandFailure('the test', r, options.timeoutMs);
    await journalStep(run.ctx, record.server, 'test', r.ok, error);
    if (error) throw new DrillFailure(`${error} on the restored copy of ${record.archive}`);
}

/** Removes the scratch copy unless --keep; a copy that cannot be removed is kept and said. */
async function removeScratch(record: DrillRecord, place: DrillPlace, run: DrillRun): Promise<void> {
    if (!record.scratch) return;
    if (run.options.keep) {
        record.kept = true;
        return;
    }
    try {
        await removeOwnFolder(place.host, record.scratch);
        await journalStep(run.ctx, record.server, 'cleanup', true);
    } catch (err) {
        record.kept = true;
        await journalStep(run.ctx, record.server, 'cleanup', false, (err as Error).message);
        run.options.reporter.notice(`warning: the restored copy ${record.scratch} could not be removed: ${(err as Error).message}; remove it by hand`);
    }
}
