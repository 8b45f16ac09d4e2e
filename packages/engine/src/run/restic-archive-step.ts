/**
 * The archive, verify and record steps of one server's backup to a restic tape (DESIGN
 * §9), run by run/server-backup.ts in the planner's order and inside the same brackets as
 * a folder tape's: stop → ARCHIVE → start ALWAYS → VERIFY → RECORD.
 *
 *   archive  restic backup SOURCE on the server's host (SOURCE: the data folder, or the
 *            snapshot or dump sibling) --host SERVER --tag backplan --tag run:RUN
 *            --tag policy:POLICY --tag folder:NAME… with the server's excludes; restic's
 *            status lines are the progress; exit 3 (files it could not read) fails the
 *            step, the snapshot it saved anyway is kept in mind to be forgotten
 *            where the source cannot change under restic (the application stopped, or a
 *            snapshot or dump sibling) and the server has no `exclude`, its walk on the
 *            host runs beside restic, in the manifest's shape (still-walk.ts)
 *   verify   the walk, when it is what restic read (restic's summary counts it, nothing
 *            changed meanwhile): no repository open; else the snapshot's entries read back
 *            from the repository (`restic find`); the application already runs again
 *   record   the manifest snapshot, LAST: the commit → journal → outcome
 *   discard  (after the steps) a backup that did not commit: every snapshot this run saved
 *            for this server is forgotten (`restic forget ID…`); where restic cannot now
 *            (another backup holds the repository), the next `prune` forgets it — a data
 *            snapshot without manifest is never listed, verified or restored
 *
 * Interruption: SIGINT/SIGTERM abort restic with SIGINT (it removes its lock); SIGKILL
 * leaves at most a data snapshot without manifest and a stale restic lock, which the next
 * run removes (restic-stale-locks.ts) once the journal shows this run dead.
 */
import type { FolderModel, ServerModel } from '@backplan/language/model';
import type { Host } from '../hosts/host.js';
import { undecodableNames, type ManifestEntry } from '../archive/manifest.js';
import type { StepRecord } from '../journal/journal-record.js';
import { InterruptedError } from '../kernel/quiesce.js';
import { CommitFailure } from '../kernel/step-executor.js';
import type { PlanStep } from '../plan/backup-plan.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { formatBytes } from '../progress/progress-reporter.js';
import { ResticError } from '../restic/restic-error.js';
import type { ResticBackupSummary, ResticManifest } from '../restic/restic-manifest.js';
import { folderTag } from '../restic/restic-snapshot.js';
import { StillWalk } from './still-walk.js';

/** A server's restic tape as pre-flight found it on the server's host. */
export type { ResticServerTarget } from '../restic/restic-backup-preflight.js';
import type { ResticServerTarget } from '../restic/restic-backup-preflight.js';

/** What the steps need from the server's backup (server-backup.ts). */
export interface ResticStepJob {
    readonly server: ServerModel;
    readonly policy: string;
    readonly folders: readonly FolderModel[];
    readonly host: Host;
    readonly tapeName: string;
    readonly runId: string;
    readonly runbookPath: string;
    readonly version: string;
    readonly reporter: Reporter;
    readonly signal: AbortSignal;
    journal(step: PlanStep, fields: Partial<StepRecord> & Pick<StepRecord, 'event'>): Promise<void>;
}

/** What a committed backup gave, for the outcome. */
export interface ResticCommitted {
    readonly archive: string;
    /** Bytes the repository grew by. */
    readonly size: number;
    /** Bytes restic read. */
    readonly tarSize: number;
    readonly files: number;
}

const now = (): string => new Date().toISOString();

/** One server's restic backup in progress. */
export class ResticArchiveStep {
    /** The data snapshot: restic's short ID after the backup, the full one once listed back (not when walked). */
    private snapshot?: { shortId: string; id?: string };
    private summary?: ResticBackupSummary;
    private source?: string;
    private entries?: ManifestEntry[];
    private started = '';
    private finished = '';
    /** Snapshots this backup saved (to forget unless committed). */
    private readonly saved = new Set<string>();
    private committed = false;

    constructor(readonly job: ResticStepJob, readonly target: ResticServerTarget) {}

    /** restic backup of `source`, and its walk where `still` (see the header); throws with one line; journalled. */
    async archive(step: PlanStep, source: string, excludes: readonly string[], still: boolean): Promise<void> {
        const { job } = this;
        if (job.signal.aborted) throw new InterruptedError('interrupted before the backup');
        job.reporter.step(job.server.name, `restic backup to tape ${job.tapeName}`);
        this.source = source;
        this.started = now();
        await job.journal(step, { event: 'begin' });
        // A walk that fails or disagrees only means the listing back: never the backup's failure.
        const walk = still && excludes.length === 0 ? StillWalk.begin(job.host, source, job.signal) : undefined;
        const t0 = Date.now();
        try {
            const r = await this.target.repo.backupShort(source, {
                server: job.server.name, runId: job.runId, policy: job.policy, excludes, signal: job.signal,
                tags: job.folders.map(f => folderTag(f.name)),
                onStatus: s => { if (typeof s.bytes_done === 'number') job.reporter.bytes(job.server.name, s.bytes_done, typeof s.total_bytes === 'number' ? s.total_bytes : undefined); }
            });
            this.snapshot = { shortId: r.shortId };
            this.summary = r.summary;
            this.saved.add(r.shortId);
        } catch (err) {
            walk?.abort();
            if (err instanceof ResticError && err.failure.snapshotId) this.saved.add(err.failure.snapshotId);
            const error = `restic backup failed: ${(err as Error).message}`;
            await job.journal(step, { event: 'end', ok: false, error });
            throw new Error(error);
        }
        this.finished = now();
        this.entries = await walk?.entries(this.summary, job.signal, Math.max(5000, Date.now() - t0));
        await job.journal(step, { event: 'end', ok: true, archive: this.snapshot.shortId, bytes: this.summary.dataAdded });
    }

    /** The snapshot's entries: the walk restic's summary agrees with, else read back from the repository. */
    async verify(step: PlanStep): Promise<void> {
        const { job, snapshot } = this;
        if (this.entries) {
            // The walk of a source that could not change, as many files and bytes as restic read.
            await job.journal(step, { event: 'begin', archive: snapshot!.shortId });
            await job.journal(step, { event: 'end', ok: true, archive: snapshot!.shortId });
            return;
        }
        job.reporter.step(job.server.name, `listing snapshot ${snapshot!.shortId} back from the repository`);
        await job.journal(step, { event: 'begin', archive: snapshot!.shortId });
        try {
            const listed = await this.target.repo.listSnapshot(snapshot!.shortId, this.source!);
            snapshot!.id = listed.snapshotId;
            this.entries = listed.entries;
            if (!this.entries.some(e => e.path === '.' && e.type === 'dir')) throw new Error(`the snapshot holds no folder ${this.source}`);
        } catch (err) {
            const error = `snapshot ${snapshot!.shortId} could not be listed back: ${(err as Error).message}`;
            await job.journal(step, { event: 'end', ok: false, archive: snapshot!.shortId, error });
            throw new CommitFailure(error);
        }
        await job.journal(step, { event: 'end', ok: true, archive: snapshot!.shortId });
    }

    /** The manifest snapshot, LAST (the commit); returns what the outcome shows. */
    async record(step: PlanStep, times: { stopStarted?: string; stopped?: string }): Promise<ResticCommitted> {
        const { job, snapshot } = this;
        const entries = this.entries!;
        const manifest: ResticManifest = {
            format: 'backplan-restic-manifest', version: 1, snapshot: snapshot!.id ?? snapshot!.shortId,
            source: this.source !== job.server.data ? this.source : undefined,
            server: job.server.name, role: job.server.role, policy: job.policy, runId: job.runId, runbook: job.runbookPath,
            tape: job.tapeName, host: job.host.label, data: job.server.data!,
            folders: job.folders.map(f => ({ name: f.name, path: f.path })),
            times: { ...times, backupStarted: this.started, backupFinished: this.finished },
            tools: { restic: this.target.version.version, backplan: job.version },
            summary: { ...this.summary }, files: entries.filter(e => e.type === 'file').length, entries
        };
        try {
            this.saved.add(await this.target.repo.storeManifest(manifest));
        } catch (err) {
            const error = `the manifest could not be stored in the repository: ${(err as Error).message}`;
            await job.journal(step, { event: 'end', ok: false, archive: snapshot!.shortId, error });
            throw new CommitFailure(error);
        }
        this.committed = true;
        await job.journal(step, { event: 'end', ok: true, archive: snapshot!.shortId });
        this.warnUndecodable(entries);
        return { archive: snapshot!.shortId, size: this.summary!.dataAdded, tarSize: this.summary!.totalBytesProcessed, files: manifest.files };
    }

    private warnUndecodable(entries: readonly ManifestEntry[]): void {
        const undecodable = undecodableNames(entries);
        if (undecodable.length === 0) return;
        this.job.reporter.notice(`warning: ${this.job.server.name}: ${undecodable.length} name(s) in ${this.job.server.data} are not valid UTF-8 `
            + `(first: ${JSON.stringify(undecodable[0].path)}): \`backplan restore\` cannot check them and will refuse this snapshot; restore it with plain restic`);
    }

    /** After the steps: a backup that did not commit leaves no snapshot behind (see the header). Never throws. */
    async discardUncommitted(): Promise<void> {
        if (this.committed) return;
        const { repo } = this.target;
        const name = this.job.server.name;
        try {
            // Also what restic saved without saying so (its output lost to an interruption).
            const ids = new Set((await repo.snapshotsOfRun(this.job.runId)).filter(s => s.hostname === name).map(s => s.id));
            for (const id of this.saved) if (![...ids].some(full => full.startsWith(id))) ids.add(id);
            if (ids.size === 0) return;
            await repo.forgetIds([...ids]);
            this.job.reporter.notice(`${name}: forgot the snapshot${ids.size === 1 ? '' : 's'} the failed backup saved (${[...ids].map(id => id.slice(0, 8)).join(', ')})`);
        } catch (err) {
            this.job.reporter.notice(`warning: ${name}: what the failed backup saved in tape ${this.job.tapeName} could not be forgotten now `
                + `(${(err as Error).message}); it is never listed or restored, and the next \`backplan prune\` forgets it`);
        }
    }

    /** The end line of a committed backup. */
    static summaryLine(c: ResticCommitted): string {
        return `snapshot ${c.archive}: read ${formatBytes(c.tarSize)} (${c.files} files), the repository grew by ${formatBytes(c.size)}`;
    }
}
