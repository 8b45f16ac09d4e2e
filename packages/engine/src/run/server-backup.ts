/**
 * Backup of one server (DESIGN §4):
 *
 *   journal stop-begin (with how to start again) → stop (sh -c, env vars, timeout)
 *   try     stop ok → stream the data folder into the tape (archive file durable)
 *   finally START, ALWAYS (success, archive failure, stop failure, SIGINT/SIGTERM, throw)
 *   archive written → re-read it and check its SHA-256 → manifest (the commit point)
 *                   → verification record → journal
 *   a failed write leaves no archive under its final name (archive-writer.ts); a failed
 *   check or manifest write removes the archive file (TapeStore.discardArchive)
 *
 * Interruption: killed before the manifest → at most an archive without manifest
 * (garbage, never listed; prune removes it); killed between stop and start → the journal shows a stop
 * without start and the next command starts the application (journal/recovery.ts).
 */
import { verifyArchive } from '../archive/archive-verifier.js';
import { writeArchive, type WrittenArchive } from '../archive/archive-writer.js';
import type { Compressor } from '../archive/compression.js';
import { undecodableNames, type Manifest } from '../archive/manifest.js';
import { commandFailure, type Host, type ToolVersions, commandTimeoutMs } from '../hosts/host.js';
import type { Journal } from '../journal/journal.js';
import type { BackupPlanItem, ServerPlan } from '../plan/backup-plan.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { formatBytes } from '../progress/progress-reporter.js';
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
    /** Whether the application was started again (undefined: it was never stopped). */
    started?: boolean;
    error?: string;
    /** Output of the failed stop/start command. */
    output?: string;
}

export interface ServerBackupContext {
    runId: string;
    runbookPath: string;
    version: string;
    journal: Journal;
    reporter: Reporter;
    compressor: Compressor;
    localTools: ToolVersions;
    timeoutMs: number;
    signal: AbortSignal;
    lastTarSize?: number;
}

const now = (): string => new Date().toISOString();


/** Backs up one server (never throws for failures of the server: see the outcome). */
export async function backupServer(item: BackupPlanItem, sp: ServerPlan, host: Host, tape: TapeStore, ctx: ServerBackupContext): Promise<ServerOutcome> {
    const { server } = sp;
    const policy = item.backup.name;
    const base = { server: server.name, policy, tape: tape.name };
    const outcome: ServerOutcome = { ...base, ok: false };
    const env: Record<string, string> = {
        BACKPLAN_SERVER: server.name, BACKPLAN_DATA: server.data!, BACKPLAN_ROLE: server.role ?? '',
        BACKPLAN_POLICY: policy, BACKPLAN_TAPE: tape.name, BACKPLAN_RUN: ctx.runId, BACKPLAN_RUNBOOK: ctx.runbookPath
    };
    const step = { type: 'step' as const, run: ctx.runId, ...base };
    const id = newArchiveId(server.name);

    ctx.reporter.step(server.name, 'stopping the application');
    const stopStarted = now();
    await ctx.journal.append({ ...step, event: 'begin', step: 'stop', time: stopStarted, restart: { command: server.start!, host: host.label, data: server.data, env: { ...env, BACKPLAN_ACTION: 'start' } } });
    let written: WrittenArchive | undefined;
    let stopped: string | undefined;
    let archiveStarted = '';
    let archiveFinished = '';
    try {
        const stop = await host.run(server.stop!, { env: { ...env, BACKPLAN_ACTION: 'stop' }, timeoutMs: commandTimeoutMs(server, ctx.timeoutMs) });
        stopped = now();
        await ctx.journal.append({ ...step, event: 'end', step: 'stop', time: stopped, ok: stop.ok, output: stop.output.slice(-4000), error: stop.ok ? undefined : commandFailure('stop', stop, commandTimeoutMs(server, ctx.timeoutMs)) });
        if (!stop.ok) {
            outcome.error = `${commandFailure(`stop command \`${server.stop}\``, stop, commandTimeoutMs(server, ctx.timeoutMs))}; archive skipped`;
            outcome.output = stop.output;
        } else if (ctx.signal.aborted) {
            outcome.error = 'interrupted before the archive';
        } else {
            ctx.reporter.step(server.name, 'archiving');
            archiveStarted = now();
            await ctx.journal.append({ ...step, event: 'begin', step: 'archive', time: archiveStarted, archive: id });
            try {
                written = await writeArchive({
                    host, data: server.data!, tape, id, compressor: ctx.compressor, signal: ctx.signal,
                    onProgress: bytes => ctx.reporter.bytes(server.name, bytes, ctx.lastTarSize)
                });
                archiveFinished = now();
                await ctx.journal.append({ ...step, event: 'end', step: 'archive', time: archiveFinished, ok: true, archive: id });
            } catch (err) {
                outcome.error = `archive failed: ${(err as Error).message}`;
                await ctx.journal.append({ ...step, event: 'end', step: 'archive', time: now(), ok: false, archive: id, error: outcome.error });
            }
        }
    } catch (err) {
        outcome.error ??= (err as Error).message;
    } finally {
        ctx.reporter.step(server.name, 'starting the application');
        await ctx.journal.append({ ...step, event: 'begin', step: 'start', time: now() }).catch(() => undefined);
        const start = await host.run(server.start!, { env: { ...env, BACKPLAN_ACTION: 'start' }, timeoutMs: commandTimeoutMs(server, ctx.timeoutMs) });
        outcome.started = start.ok;
        await ctx.journal.append({ ...step, event: 'end', step: 'start', time: now(), ok: start.ok, output: start.output.slice(-4000), error: start.ok ? undefined : commandFailure('start', start, commandTimeoutMs(server, ctx.timeoutMs)) }).catch(() => undefined);
        if (!start.ok) {
            const msg = `${commandFailure(`start command \`${server.start}\``, start, commandTimeoutMs(server, ctx.timeoutMs))}: the application may be down`;
            outcome.error = outcome.error ? `${outcome.error}; ${msg}` : msg;
            outcome.output = [outcome.output, start.output].filter(Boolean).join('\n');
        }
    }
    // An archive written before a failed start is still good: commit it. A failure in the
    // commit (the state folder's disk, say) fails this server, never the run: an archive
    // that got no manifest is taken off the tape (discardArchive keeps committed ones).
    if (written) {
        const archive = written;
        await commit(archive).catch(async (err: Error) => {
            outcome.ok = false;
            // A failed start said before stays in the report: the application may be down.
            outcome.error = [outcome.error, `checking and recording the archive failed: ${err.message}`].filter(Boolean).join('; ');
            await tape.discardArchive(id, ctx.compressor.kind).catch(() => undefined);
        });
    }
    if (!outcome.ok) ctx.reporter.end(server.name, `FAILED: ${outcome.error}`);
    return outcome;

    /** Verify the written archive, then write its manifest (the commit point). */
    async function commit(written: WrittenArchive): Promise<void> {
        ctx.reporter.step(server.name, 'verifying');
        await ctx.journal.append({ ...step, event: 'begin', step: 'verify', time: now(), archive: id });
        const archivePath = `${tape.archivesDir}/${written.file}`;
        const manifest: Manifest = {
            format: 'backplan-manifest', version: 1, id, server: server.name, role: server.role, policy, runId: ctx.runId,
            runbook: ctx.runbookPath, tape: tape.name, host: host.label, data: server.data!,
            folders: sp.folders.map(f => ({ name: f.name, path: f.path })),
            archive: {
                file: written.file, compression: ctx.compressor.kind, fallbackReason: ctx.compressor.fallbackReason,
                size: written.size, sha256: written.sha256, tarSize: written.tarSize
            },
            times: { stopStarted, stopped, archiveStarted, archiveFinished },
            tools: { tar: (await host.checkTools()).tar, compressor: written.compressorVersion, backplan: ctx.version },
            files: written.entries.filter(e => e.type === 'file').length,
            entries: written.entries
        };
        const check = await verifyArchive({ id, manifest, archivePath, archiveSize: written.size }, { mode: 'archive-hash', tools: ctx.localTools })
            .catch((err: Error) => ({ ok: false, problems: [err.message] }));
        await ctx.journal.append({ ...step, event: 'end', step: 'verify', time: now(), ok: check.ok, archive: id, error: check.problems.join('; ') || undefined });
        if (!check.ok) {
            outcome.error = `the archive read back differs from what was written: ${check.problems.join('; ')}`;
            await tape.discardArchive(id, ctx.compressor.kind).catch(() => undefined);
            return;
        }
        try {
            await tape.writeManifest(manifest);
        } catch (err) {
            outcome.error = `the manifest could not be written: ${(err as Error).message}`;
            await tape.discardArchive(id, ctx.compressor.kind).catch(() => undefined);
            await ctx.journal.append({ ...step, event: 'end', step: 'record', time: now(), ok: false, archive: id, error: outcome.error });
            return;
        }
        try {
            await tape.writeVerification({ id, time: now(), ok: true, kind: 'archive-hash' });
        } catch (err) {
            // The archive is committed (it has its manifest); only the record of its check is missing.
            ctx.reporter.notice(`warning: ${server.name}: the verification record of ${id} could not be written: ${(err as Error).message}`);
        }
        await ctx.journal.append({ ...step, event: 'end', step: 'record', time: now(), ok: true, archive: id });
        outcome.archive = id;
        outcome.size = written.size;
        outcome.tarSize = written.tarSize;
        outcome.files = manifest.files;
        const undecodable = undecodableNames(written.entries);
        if (undecodable.length) {
            ctx.reporter.notice(`warning: ${server.name}: ${undecodable.length} name${undecodable.length > 1 ? 's' : ''} in ${server.data} ${undecodable.length > 1 ? 'are' : 'is'} not valid UTF-8 `
                + `(first: ${JSON.stringify(undecodable[0].path)}): archived as they are, but \`backplan restore\` cannot check them and will refuse this archive; `
                + 'rename them to UTF-8 (convmv), or restore by hand with tar');
        }
        if (!outcome.error) {
            outcome.ok = true;
            ctx.reporter.end(server.name, `archived ${formatBytes(written.tarSize)} (${manifest.files} files) as ${formatBytes(written.size)}: ${id}`);
        }
    }
}
