/**
 * Backup of one server (DESIGN §4, §10): runs that server's planned steps
 * (plan/backup-plan.ts serverBackupActions) on the run kernel.
 *
 *   stop          kernel/quiesce.ts (never ran → nothing owed; else START is owed)
 *   snapshot      kernel/snapshot.ts (DROP-SNAPSHOT is owed)
 *   start         START, ALWAYS when owed (success, failure, SIGINT/SIGTERM, throw)
 *   dump          kernel/dump.ts, no stop (DROP-DUMP is owed)
 *   archive       stream the data folder, the snapshot or the dump into the tape
 *                 (a restic tape: restic backup on the server's host, and its verify
 *                 and record steps too: restic/restic-archive-step.ts)
 *   drop-*        whatever happened before
 *   verify        re-read the archive file and check its SHA-256
 *   record        manifest (the commit point) → verification record → journal
 *   a failed write leaves no archive under its final name (archive-writer.ts); a failed
 *   check or manifest write removes the archive file (TapeStore.discardArchive)
 *
 * Interruption: killed before the manifest → at most an archive without manifest
 * (garbage, never listed; prune removes it); killed while stopped → the journal shows a
 * stop without start and the next command (or the guardian) starts the application; a
 * snapshot or dump folder left behind is removed by recovery (journal/recovery.ts).
 */
import { verifyArchive } from '../archiver/archive-verifier.js';
import { writeArchive, type WrittenArchive } from '../archiver/archive-writer.js';
import type { Compressor } from '../archiver/compression.js';
import { undecodableNames, type Manifest } from '../archive/manifest.js';
import type { Host, ToolVersions } from '../hosts/host.js';
import type { StepRecord } from '../journal/journal-record.js';
import { dumpFolder, runDump } from '../kernel/dump.js';
import { InterruptedError, StopWindow, type QuiesceContext } from '../kernel/quiesce.js';
import { dropSnapshot, snapshotCleanup, snapshotCommands, takeSnapshot, type SnapshotCommands } from '../kernel/snapshot.js';
import { CommitFailure, executeSteps, NothingOpenedError } from '../kernel/step-executor.js';
import { removeOwnFolder } from '../hosts/host-folders.js';
import { BACKUP_BRACKETS, type BackupPlanItem, type PlanStep, type ServerPlan } from '../plan/backup-plan.js';
import { formatBytes } from '../progress/progress-reporter.js';
import { ResticArchiveStep, type ResticServerTarget } from './restic-archive-step.js';
import { newArchiveId } from '../tape/archive-id.js';
import type { TapeStore } from '../tape/tape-store.js';

/** What happened to one server. */
export interface ServerOutcome {
    server: string;
    policy: string;
    tape: string;
    ok: boolean;
    archive?: string;
    size?: number;
    tarSize?: number;
    files?: number;
    /** Whether the application was stopped (false: the stop never ran; undefined: not attempted). */
    stopped?: boolean;
    /** Whether the application was started again (undefined: no start was owed). */
    started?: boolean;
    /** Stop begun → application up again, in seconds (undefined: never stopped). */
    stopWindow?: number;
    error?: string;
    /** Output of the failed stop/start command. */
    output?: string;
}

export interface ServerBackupContext extends QuiesceContext {
    version: string;
    compressor: Compressor;
    localTools: ToolVersions;
    lastTarSize?: number;
    /** Set when the tape is a restic tape: its repository on the server's host. */
    restic?: ResticServerTarget;
}

const now = (): string => new Date().toISOString();

/** One server's backup in progress: the state its steps share. */
class ServerBackup {
    readonly outcome: ServerOutcome;
    readonly id: string;
    readonly window: StopWindow;
    private snapshot?: SnapshotCommands;
    private dumpDir?: string;
    private written?: WrittenArchive;
    private manifest?: Manifest;
    private readonly times: Manifest['times'] = { archiveStarted: '', archiveFinished: '' };
    private readonly restic?: ResticArchiveStep;

    constructor(readonly item: BackupPlanItem, readonly sp: ServerPlan, readonly host: Host, readonly tape: TapeStore, readonly ctx: ServerBackupContext) {
        this.outcome = { server: sp.server.name, policy: item.backup.name, tape: tape.name, ok: false };
        this.id = newArchiveId(sp.server.name);
        this.window = new StopWindow({ server: sp.server, host, scope: this.scope }, ctx);
        if (ctx.restic) {
            this.restic = new ResticArchiveStep({
                server: sp.server, policy: item.backup.name, folders: sp.folders, host, tapeName: tape.name, runId: ctx.runId,
                runbookPath: ctx.runbookPath, version: ctx.version, reporter: ctx.reporter, signal: ctx.signal, journal: (step, fields) => this.journal(step, fields)
            }, ctx.restic);
        }
    }

    get scope(): { policy: string; tape: string } {
        return { policy: this.item.backup.name, tape: this.tape.name };
    }

    private get server(): ServerPlan['server'] {
        return this.sp.server;
    }

    /** Appends a step record of this server. */
    journal(step: PlanStep, fields: Partial<StepRecord> & Pick<StepRecord, 'event'>): Promise<void> {
        return this.ctx.journal.append({ type: 'step', run: this.ctx.runId, time: now(), server: this.server.name, ...this.scope, step: journalStep(step), n: step.n, ...fields });
    }

    /** Runs one planned step (throws on failure). */
    async run(step: PlanStep): Promise<void> {
        switch (step.action) {
            case 'stop': return this.stop(step);
            case 'start': return this.start(step);
            case 'snapshot': return this.takeSnapshot(step);
            case 'drop-snapshot': return this.dropSnapshot(step);
            case 'dump': return this.dump(step);
            case 'drop-dump': return this.dropDump(step);
            case 'archive': return this.restic ? this.restic.archive(step, this.source, this.dumpDir ? [] : this.server.exclude, this.sourceStill) : this.archive(step);
            case 'verify': return committing(this.restic ? this.restic.verify(step) : this.verify(step));
            case 'record': return committing(this.restic ? this.recordRestic(step, this.restic) : this.record(step));
            default: throw new Error(`step ${step.action} is not a server step`);
        }
    }

    private async stop(step: PlanStep): Promise<void> {
        this.ctx.reporter.step(this.server.name, 'stopping the application');
        this.times.stopStarted = now();
        const stop = await this.window.stop(step.n);
        this.times.stopped = now();
        this.outcome.stopped = stop.state !== 'not-stopped';
        if (stop.state === 'stopped') return;
        this.outcome.output = stop.result.output;
        if (stop.state === 'not-stopped') throw new NothingOpenedError(`${stop.error}; archive skipped`);
        throw new Error(`${stop.error}; archive skipped`);
    }

    private async start(step: PlanStep): Promise<void> {
        this.ctx.reporter.step(this.server.name, 'starting the application');
        const start = await this.window.start(step.n);
        this.outcome.started = start.started;
        this.outcome.stopWindow = start.windowSeconds;
        if (start.started) return;
        this.outcome.output = [this.outcome.output, start.output].filter(Boolean).join('\n');
        throw new Error(start.error);
    }

    private async takeSnapshot(step: PlanStep): Promise<void> {
        this.ctx.reporter.step(this.server.name, 'taking a snapshot');
        const cmds = snapshotCommands(this.server, this.ctx, this.scope);
        await this.journal(step, { event: 'begin', cleanup: snapshotCleanup(this.host, cmds) });
        await this.ended(step, takeSnapshot(this.server, this.host, cmds, this.ctx));
        this.snapshot = cmds;
    }

    private async dropSnapshot(step: PlanStep): Promise<void> {
        if (!this.snapshot) return;
        await this.ended(step, dropSnapshot(this.server, this.host, this.snapshot, this.ctx));
    }

    private async dump(step: PlanStep): Promise<void> {
        this.ctx.reporter.step(this.server.name, 'dumping (the application keeps running)');
        const folder = dumpFolder(this.server, this.ctx.runId);
        await this.journal(step, { event: 'begin', cleanup: { host: this.host.label, path: folder } });
        this.dumpDir = folder;
        this.times.stopStarted = now();
        await this.ended(step, runDump(this.server, this.host, folder, this.ctx, this.scope));
        this.times.stopped = now();
    }

    private async dropDump(step: PlanStep): Promise<void> {
        if (!this.dumpDir) return;
        await this.ended(step, removeOwnFolder(this.host, this.dumpDir));
    }

    /** Journals a step's end from its promise; rethrows its failure. */
    private async ended(step: PlanStep, work: Promise<unknown>): Promise<void> {
        try {
            await work;
        } catch (err) {
            await this.journal(step, { event: 'end', ok: false, error: (err as Error).message });
            throw err;
        }
        await this.journal(step, { event: 'end', ok: true });
    }

    /** What the archive reads: the dump, the snapshot, or the data folder. */
    private get source(): string {
        return this.dumpDir ?? this.snapshot?.path ?? this.server.data!;
    }

    /** Whether the source cannot change while it is read: a dump or snapshot sibling, or the data of an application stopped and not yet started. */
    private get sourceStill(): boolean {
        return this.dumpDir !== undefined || this.snapshot !== undefined || (this.outcome.stopped === true && this.outcome.started === undefined);
    }

    private async recordRestic(step: PlanStep, restic: ResticArchiveStep): Promise<void> {
        Object.assign(this.outcome, await restic.record(step, { stopStarted: this.times.stopStarted, stopped: this.times.stopped }));
    }

    private async archive(step: PlanStep): Promise<void> {
        if (this.ctx.signal.aborted) throw new InterruptedError('interrupted before the archive');
        const source = this.source;
        this.ctx.reporter.step(this.server.name, 'archiving');
        this.times.archiveStarted = now();
        await this.journal(step, { event: 'begin', archive: this.id });
        try {
            this.written = await writeArchive({
                host: this.host, data: source, tape: this.tape, id: this.id, compressor: this.ctx.compressor, signal: this.ctx.signal,
                exclude: this.dumpDir ? [] : this.server.exclude,
                onProgress: bytes => this.ctx.reporter.bytes(this.server.name, bytes, this.ctx.lastTarSize)
            });
        } catch (err) {
            const error = `archive failed: ${(err as Error).message}`;
            await this.journal(step, { event: 'end', ok: false, archive: this.id, error });
            throw new Error(error);
        }
        this.times.archiveFinished = now();
        await this.journal(step, { event: 'end', ok: true, archive: this.id, bytes: this.written.size });
    }

    private async verify(step: PlanStep): Promise<void> {
        const written = this.written!;
        this.ctx.reporter.step(this.server.name, 'verifying');
        await this.journal(step, { event: 'begin', archive: this.id });
        const manifest = await this.makeManifest(written);
        const archivePath = `${this.tape.archivesDir}/${written.file}`;
        const check = await verifyArchive({ id: this.id, manifest, archivePath, archiveSize: written.size }, { mode: 'archive-hash', tools: this.ctx.localTools })
            .catch((err: Error) => ({ ok: false, problems: [err.message] }));
        await this.journal(step, { event: 'end', ok: check.ok, archive: this.id, error: check.problems.join('; ') || undefined });
        if (!check.ok) throw new CommitFailure(`the archive read back differs from what was written: ${check.problems.join('; ')}`);
        this.manifest = manifest;
    }

    private async makeManifest(written: WrittenArchive): Promise<Manifest> {
        const { server, sp, ctx } = this;
        return {
            format: 'backplan-manifest', version: 1, id: this.id, server: server.name, role: server.role, policy: this.item.backup.name, runId: ctx.runId,
            runbook: ctx.runbookPath, tape: this.tape.name, host: this.host.label, data: server.data!,
            folders: sp.folders.map(f => ({ name: f.name, path: f.path })),
            archive: {
                file: written.file, compression: ctx.compressor.kind, fallbackReason: ctx.compressor.fallbackReason,
                size: written.size, sha256: written.sha256, tarSize: written.tarSize
            },
            times: this.times,
            tools: { tar: (await this.host.checkTools()).tar, compressor: written.compressorVersion, backplan: ctx.version },
            content: this.dumpDir ? 'dump' : undefined,
            files: written.entries.filter(e => e.type === 'file').length,
            entries: written.entries
        };
    }

    private async record(step: PlanStep): Promise<void> {
        const { manifest, written, outcome } = this;
        try {
            await this.tape.writeManifest(manifest!);
        } catch (err) {
            const error = `the manifest could not be written: ${(err as Error).message}`;
            await this.journal(step, { event: 'end', ok: false, archive: this.id, error });
            throw new CommitFailure(error);
        }
        try {
            await this.tape.writeVerification({ id: this.id, time: now(), ok: true, kind: 'archive-hash' });
        } catch (err) {
            // The archive is committed (it has its manifest); only the record of its check is missing.
            this.ctx.reporter.notice(`warning: ${this.server.name}: the verification record of ${this.id} could not be written: ${(err as Error).message}`);
        }
        await this.journal(step, { event: 'end', ok: true, archive: this.id });
        Object.assign(outcome, { archive: this.id, size: written!.size, tarSize: written!.tarSize, files: manifest!.files });
        this.warnUndecodable();
    }

    private warnUndecodable(): void {
        const undecodable = undecodableNames(this.written!.entries);
        if (!undecodable.length) return;
        const many = undecodable.length > 1;
        this.ctx.reporter.notice(`warning: ${this.server.name}: ${undecodable.length} name${many ? 's' : ''} in ${this.server.data} ${many ? 'are' : 'is'} not valid UTF-8 `
            + `(first: ${JSON.stringify(undecodable[0].path)}): archived as they are, but \`backplan restore\` cannot check them and will refuse this archive; `
            + 'rename them to UTF-8 (convmv), or restore by hand with tar');
    }

    /** After the steps: an archive that was not committed is taken off the tape. */
    async discardUncommitted(): Promise<void> {
        if (this.restic) return this.restic.discardUncommitted();
        if (this.written && !this.outcome.archive) await this.tape.discardArchive(this.id, this.ctx.compressor.kind).catch(() => undefined);
    }
}

/**
 * Any other failure while checking and recording (the state folder's disk, say) fails
 * this server, never the run: the uncommitted archive is taken off the tape.
 */
async function committing(work: Promise<void>): Promise<void> {
    try {
        await work;
    } catch (err) {
        if (err instanceof CommitFailure) throw err;
        throw new Error(`checking and recording the archive failed: ${(err as Error).message}`);
    }
}

/** The journal's step name of a planned step. */
function journalStep(step: PlanStep): StepRecord['step'] {
    return step.action as StepRecord['step'];
}

/** Backs up one server by its planned steps (never throws for failures of the server: see the outcome). */
export async function backupServer(item: BackupPlanItem, sp: ServerPlan, steps: readonly PlanStep[], host: Host, tape: TapeStore, ctx: ServerBackupContext): Promise<ServerOutcome> {
    const job = new ServerBackup(item, sp, host, tape, ctx);
    const interrupted = (): Error | undefined => ctx.signal.aborted ? new InterruptedError('interrupted before the archive') : undefined;
    const result = await executeSteps(steps, BACKUP_BRACKETS, step => job.run(step), interrupted);
    await job.discardUncommitted();
    const { outcome } = job;
    const errors = result.errors.map(e => e.message);
    // An interruption is a failure no step threw.
    if (result.failure && !result.errors.includes(result.failure)) errors.unshift(result.failure.message);
    outcome.error = errors.join('; ') || undefined;
    outcome.ok = outcome.archive !== undefined && errors.length === 0;
    if (!outcome.ok) ctx.reporter.end(sp.server.name, `FAILED: ${outcome.error}`);
    else if (ctx.restic) ctx.reporter.end(sp.server.name, ResticArchiveStep.summaryLine({ archive: outcome.archive!, size: outcome.size!, tarSize: outcome.tarSize!, files: outcome.files! }));
    else ctx.reporter.end(sp.server.name, `archived ${formatBytes(outcome.tarSize!)} (${outcome.files} files) as ${formatBytes(outcome.size!)}: ${outcome.archive}`);
    return outcome;
}
