/**
 * Runs restore operations (one for `restore`, several for `recover`) as one journalled run.
 *
 *   journal run-begin
 *   session begin (kernel/run-session.ts)
 *   pre-flight: each target's and source's host reachable, with tar and the commands the
 *               run uses there (kernel/command-check.ts) (staging and set-aside
 *               names carry the run ID: an earlier run's leftovers are never in the way)
 *   check every archive the run will read, BEFORE ANY STOP: a decompressor here, SHA-256
 *     of the archive file against its manifest, every manifest entry safe to extract
 *     (a restic snapshot: restic on the target's host, its manifest read and checked,
 *     restic/restic-restore-check.ts)
 *     → failure: stop nothing (recover plans again without the bad archive)
 *   lock the tapes read (fail naming the holder, or --wait)
 *   operations in order (restorer.ts, replicate/replicator.ts, replicate/dump-replica.ts); the first failed one ends
 *     the run (later ones may depend on it: a replica copied from a restored master)
 *   session end: unlock; journal run-end; the run's records copied to the tapes read
 * Interruption: see restorer.ts and replicator.ts; the journal lets the next command put
 * set-aside data back and start every application this run stopped.
 */
import { verifyArchive } from '../archiver/archive-verifier.js';
import { decompressorFor } from '../archiver/compression.js';
import type { Host, ToolVersions } from '../hosts/host.js';
import { localTools } from '../hosts/local-host.js';
import type { Journal } from '../journal/journal.js';
import type { ArchiveInfo, RestoreOp } from '../plan/restore-plan.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { missingCommands } from '../kernel/command-check.js';
import type { GuardianLaunch } from '../kernel/guardian.js';
import { RunSession, TapeLockError } from '../kernel/run-session.js';
import { TapeStore, type ListedArchive } from '../tape/tape-store.js';
import type { ServerModel, TapeModel } from '@backplan/language/model';
import { replicateDump } from './dump-replica.js';
import { replicateFolders } from './replicator.js';
import { restoreFromArchive } from './restorer.js';
import type { OpOutcome, RestoreRunContext } from './restore-context.js';
import { unsafeEntries } from '../archive/entry-safety.js';
import { readResticCatalog, type ResticCatalogEntry, type ResticCatalogOptions } from '../journal/restic-catalog.js';
import { checkResticArchive } from './restic-restore-check.js';
import type { ManifestPrefetch } from './manifest-prefetch.js';
import { restoreFromRestic } from './restic-restore.js';
import type { ResticManifest } from '../restic/restic-manifest.js';
import type { ResticRepository } from '../restic/restic-repo.js';

/** An archive found on a tape, with what the planner needs. */
export interface CatalogEntry {
    info: ArchiveInfo;
    listed: ListedArchive;
    /** The tape it is on. */
    store: TapeStore;
}

/** An archive of either kind of tape. */
export type AnyCatalogEntry = CatalogEntry | ResticCatalogEntry;

/** Whether a catalog entry is a restic snapshot. */
export function isResticEntry(entry: AnyCatalogEntry): entry is ResticCatalogEntry {
    return 'restic' in entry;
}

/**
 * Lists every archive with a readable manifest on the given folder tapes, and with
 * `restic`, every Backplan snapshot of the restic tapes (restic/restic-catalog.ts; a place
 * that cannot be read is told to `notice`).
 */
export async function readCatalog(tapes: readonly TapeModel[], restic?: ResticCatalogOptions & { notice?: (m: string) => void }): Promise<AnyCatalogEntry[]> {
    const out: AnyCatalogEntry[] = [];
    if (restic) {
        const found = await readResticCatalog(tapes, restic);
        for (const p of found.problems) restic.notice?.(`warning: ${p.text}`);
        out.push(...found.entries);
    }
    for (const t of tapes) {
        if (!t.at || !t.at.startsWith('/')) continue;
        const store = TapeStore.of(t);
        for (const listed of await store.list().catch(() => [])) {
            const m = listed.manifest;
            if (!m) continue;
            const bad = listed.archiveSize === undefined ? 'the archive file is missing'
                : listed.verified && !listed.verified.ok ? `its last verification failed: ${listed.verified.error ?? 'unknown'}` : undefined;
            out.push({
                listed, store,
                info: {
                    tape: t.name, at: t.at, id: listed.id, server: m.server, time: m.times.stopped ?? m.times.archiveStarted,
                    folders: m.folders, files: m.files, size: m.archive.size, tarSize: m.archive.tarSize, bad, dump: m.content === 'dump' || undefined
                }
            });
        }
    }
    return out;
}

/** Checks an archive before anything is stopped; returns the problems (empty: usable). */
export async function checkArchive(listed: ListedArchive, tools: ToolVersions, signal?: AbortSignal): Promise<string[]> {
    const m = listed.manifest;
    if (!m) return [`manifest unreadable: ${listed.manifestError ?? 'unknown'}`];
    try {
        decompressorFor(m.archive.compression, tools);
    } catch (err) {
        return [(err as Error).message];
    }
    const unsafe = unsafeEntries(m.entries);
    if (unsafe.length) return unsafe;
    const r = await verifyArchive(listed, { mode: 'archive-hash', tools, signal });
    return r.problems;
}

export interface RestoreRunOptions {
    verb: 'restore' | 'recover';
    ops: RestoreOp[];
    catalog: readonly AnyCatalogEntry[];
    runbookPath: string;
    journal: Journal;
    command: string;
    wait?: boolean;
    keepOld?: boolean;
    timeoutMs: number;
    reporter: Reporter;
    signal: AbortSignal;
    hostFor: (server: ServerModel) => Host;
    /** How to start the run's guardian (kernel/guardian.ts). */
    guardian?: GuardianLaunch;
    /** What restic commands get (restic tapes). */
    restic?: ResticCatalogOptions['run'];
    /** Newest manifests read beside the catalog's listing (manifest-prefetch.ts). */
    manifests?: ManifestPrefetch;
}

export interface RestoreRunResult {
    runId: string;
    ok: boolean;
    /** Why the run failed before any operation (pre-flight, archive check, lock). */
    error?: string;
    /** Archives that failed the check (id → problems): nothing was stopped. */
    badArchives: Array<{ id: string; problems: string[] }>;
    outcomes: OpOutcome[];
}


/** Runs the operations of a plan (never throws for failures: see the result). */
export async function runRestore(options: RestoreRunOptions): Promise<RestoreRunResult> {
    const { journal, reporter, signal } = options;
    const session = await RunSession.begin({ verb: options.verb, command: options.command, runbookPath: options.runbookPath, journal, reporter, signal, guardian: options.guardian });
    const result: RestoreRunResult = { runId: session.runId, ok: false, badArchives: [], outcomes: [] };
    try {
        await restoreRun(options, session, result);
    } catch (err) {
        result.error = (err as Error).message;
    }
    await session.end(result.ok, [result.error, ...result.outcomes.filter(o => !o.ok).map(o => `${o.server}: ${o.error}`)]);
    return result;
}

/** Pre-flight: every server reachable, with tar, what a restore runs there, and its commands. Nothing is stopped when it fails. */
async function restorePreflight(ops: readonly RestoreOp[], hostFor: (server: ServerModel) => Host): Promise<string[]> {
    const problems: string[] = [];
    for (const op of ops) {
        for (const s of [op.server, ...(op.kind === 'replica' ? op.sources.map(g => g.source) : [])]) {
            try {
                const host = hostFor(s);
                const t = await host.checkTools();
                if (!t.tar) problems.push(`${s.name}: tar was not found on ${host.label}`);
                else if (s === op.server && t.restoreMissing?.length) {
                    problems.push(`${s.name}: a restore needs GNU find, stat, mv and coreutils' sha256sum on ${host.label}; missing there: ${t.restoreMissing.join(', ')}`);
                }
                const missing = await missingCommands(s, host, s === op.server ? 'restore' : 'replica-source');
                if (missing) problems.push(`${s.name}: ${missing}`);
            } catch (err) {
                problems.push(`${s.name}: ${(err as Error).message}`);
            }
        }
    }
    return problems;
}

/** What the archive checks found usable: the folder tapes' listed archives, the restic archives' manifests, the tapes read. */
interface CheckedArchives {
    readonly listedOf: Map<string, ListedArchive>;
    readonly resticOf: Map<RestoreOp, { repo: ResticRepository; manifest: ResticManifest }>;
    readonly tapesRead: Map<string, TapeStore>;
}

/** Every archive the operations restore, checked before the first stop (bad ones into `result`, other problems into `problems`). */
async function checkArchives(options: RestoreRunOptions, tools: ToolVersions, problems: string[], result: RestoreRunResult): Promise<CheckedArchives> {
    const { reporter, signal } = options;
    const checked: CheckedArchives = { listedOf: new Map(), resticOf: new Map(), tapesRead: new Map() };
    for (const op of options.ops) {
        if (op.kind !== 'tape' || checked.listedOf.has(op.archive.id)) continue;
        const entry = options.catalog.find(c => c.info.id === op.archive.id);
        if (!entry) { problems.push(`archive ${op.archive.id} is not on its tape any more`); continue; }
        reporter.step(op.server.name, `checking archive ${op.archive.id}`);
        if (isResticEntry(entry)) {
            // restic runs where the data goes: the restored server's host.
            const found = await checkResticArchive(entry, options.hostFor(op.server), options.restic, signal, options.manifests);
            if (found.ok) checked.resticOf.set(op, found);
            else if (found.bad) result.badArchives.push({ id: op.archive.id, problems: found.problems });
            else problems.push(`${op.server.name}: ${found.problems.join('; ')}`);
            await entry.store.ensure(); // its lock lives in the state folder, which may be new (a new runner after a disaster)
            checked.tapesRead.set(op.archive.tape, entry.store);
            continue;
        }
        const bad = await checkArchive(entry.listed, tools, signal);
        if (bad.length) result.badArchives.push({ id: op.archive.id, problems: bad });
        checked.listedOf.set(op.archive.id, entry.listed);
        checked.tapesRead.set(op.archive.tape, entry.store);
    }
    return checked;
}

/** The run itself: pre-flight, archive checks, locks, operations in order. */
async function restoreRun(options: RestoreRunOptions, session: RunSession, result: RestoreRunResult): Promise<void> {
    const { reporter, signal } = options;
    // Both only ask tools for their versions: side by side, the run waits for the slower one.
    const [tools, problems] = await Promise.all([localTools(), restorePreflight(options.ops, options.hostFor)]);
    const { listedOf, resticOf, tapesRead } = await checkArchives(options, tools, problems, result);
    await session.step({ event: 'end', step: 'check', ok: problems.length === 0 && result.badArchives.length === 0,
        error: [...problems, ...result.badArchives.map(b => `${b.id}: ${b.problems[0]}`)].join('; ') || undefined });
    if (result.badArchives.length) {
        result.error = `refused before anything was stopped: ${result.badArchives.map(b => `archive ${b.id}: ${b.problems.slice(0, 3).join('; ')}`).join('; ')}`;
        return;
    }
    if (problems.length) {
        result.error = `pre-flight failed, nothing was stopped: ${problems.join('; ')}`;
        return;
    }
    for (const tape of tapesRead.values()) {
        try {
            await session.lock(tape, { wait: options.wait });
        } catch (err) {
            if (!(err instanceof TapeLockError)) throw err;
            result.error = err.message;
            return;
        }
    }
    const ctx: RestoreRunContext = {
        runId: session.runId, runbookPath: options.runbookPath, journal: options.journal, reporter, signal, timeoutMs: options.timeoutMs,
        localTools: tools, hostFor: options.hostFor, keepOld: options.keepOld ?? false
    };
    for (const op of options.ops) {
        if (signal.aborted) { result.error = 'interrupted: every stopped application was started again'; break; }
        const restic = resticOf.get(op);
        const outcome = op.kind !== 'tape' ? (op.viaDump ? await replicateDump(op, ctx) : await replicateFolders(op, ctx))
            : restic ? await restoreFromRestic(op, restic.repo, restic.manifest, ctx) : await restoreFromArchive(op, listedOf.get(op.archive.id)!, ctx);
        result.outcomes.push(outcome);
        if (!outcome.ok) {
            if (options.ops.length > 1 && op !== options.ops.at(-1)) result.error = 'stopped after the first failed operation (later ones may depend on it)';
            break;
        }
    }
    result.ok = !result.error && result.outcomes.length === options.ops.length && result.outcomes.every(o => o.ok);
}
