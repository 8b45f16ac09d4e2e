/**
 * What one restore operation needs from its run, what it reports back, and the pieces
 * every operation shares: the environment of stop/start commands, journalled stop and
 * start, and the guarded restart that recovery of a killed run uses.
 *
 * The guarded restart (written in the `stop` record, run by journal/recovery.ts when this
 * process dies between stop and start): remove our staging folder; for every folder set
 * aside whose place is empty, rename the set-aside copy back; then the start command.
 * So a restore killed before its swap leaves the original data back in place and the
 * application running; killed during the swap, recovery first finishes or rolls it back
 * whole (journal/swap-recovery.ts); killed after it, the restored data stays and the
 * set-aside copy is removed only once the application runs (nothing is deleted before a
 * verified copy is in place).
 */
import type { ServerModel } from '@backplan/language/model';
import { commandFailure, type CommandResult, type Host, type ToolVersions, commandTimeoutMs } from '../hosts/host.js';
import type { Journal } from '../journal/journal.js';
import type { StepName } from '../journal/journal-record.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { makeFreshFolder, makeParents, parentOf } from './host-folders.js';

export interface RestoreRunContext {
    runId: string;
    runbookPath: string;
    journal: Journal;
    reporter: Reporter;
    signal: AbortSignal;
    timeoutMs: number;
    localTools: ToolVersions;
    hostFor(server: ServerModel): Host;
    keepOld: boolean;
}

/** What one operation did. */
export interface OpOutcome {
    server: string;
    kind: 'tape' | 'replica';
    ok: boolean;
    archive?: string;
    sources?: string[];
    folders?: string[];
    target?: string;
    /** Whether the application was stopped / started again (undefined: not attempted). */
    stopped?: boolean;
    started?: boolean;
    /** Whether the restored data is in place. */
    swapped: boolean;
    /** Set-aside copies left on the host (--keep-old, or a failed start after the swap). */
    kept: string[];
    files?: number;
    error?: string;
    output?: string;
}

/** Environment of a server's stop/start commands. */
export function commandEnv(server: ServerModel, ctx: RestoreRunContext, action: 'stop' | 'start'): Record<string, string> {
    return {
        BACKPLAN_SERVER: server.name, BACKPLAN_DATA: server.data ?? '', BACKPLAN_ROLE: server.role ?? '',
        BACKPLAN_RUN: ctx.runId, BACKPLAN_RUNBOOK: ctx.runbookPath, BACKPLAN_ACTION: action
    };
}

const now = (): string => new Date().toISOString();


/** Folders to put back if this process dies before the swap. */
export interface PutBack {
    staging?: string;
    pairs: Array<{ data: string; aside: string }>;
}

/** The restart command recovery runs: put set-aside folders back, then start. */
export function guardedRestart(start: string, putBack: PutBack): { command: string; env: Record<string, string> } {
    const env: Record<string, string> = {};
    const lines: string[] = [];
    if (putBack.staging) {
        env.BP_R_STAGING = putBack.staging;
        lines.push('rm -rf -- "$BP_R_STAGING"');
    }
    putBack.pairs.forEach((p, i) => {
        env[`BP_R_DATA_${i}`] = p.data;
        env[`BP_R_ASIDE_${i}`] = p.aside;
        lines.push(`if [ ! -e "$BP_R_DATA_${i}" ] && [ -e "$BP_R_ASIDE_${i}" ]; then mkdir -p -- "$(dirname -- "$BP_R_DATA_${i}")" && mv -T -- "$BP_R_ASIDE_${i}" "$BP_R_DATA_${i}" || exit 1; fi`);
    });
    lines.push(start);
    return { command: lines.join('\n'), env };
}

/** Journals and runs a server's stop command. */
export async function journalledStop(server: ServerModel, host: Host, ctx: RestoreRunContext, putBack: PutBack): Promise<CommandResult> {
    const base = { type: 'step' as const, run: ctx.runId, server: server.name };
    const restart = guardedRestart(server.start!, putBack);
    await ctx.journal.append({ ...base, event: 'begin', step: 'stop', time: now(), restart: { command: restart.command, host: host.label, data: server.data, env: { ...commandEnv(server, ctx, 'start'), ...restart.env } } });
    const r = await host.run(server.stop!, { env: commandEnv(server, ctx, 'stop'), timeoutMs: commandTimeoutMs(server, ctx.timeoutMs) });
    await ctx.journal.append({ ...base, event: 'end', step: 'stop', time: now(), ok: r.ok, output: r.output.slice(-4000), error: r.ok ? undefined : commandFailure('stop', r, commandTimeoutMs(server, ctx.timeoutMs)) });
    return r;
}

/** Journals and runs a server's start command (never throws). */
export async function journalledStart(server: ServerModel, host: Host, ctx: RestoreRunContext): Promise<CommandResult> {
    const base = { type: 'step' as const, run: ctx.runId, server: server.name };
    await ctx.journal.append({ ...base, event: 'begin', step: 'start', time: now() }).catch(() => undefined);
    const r = await host.run(server.start!, { env: commandEnv(server, ctx, 'start'), timeoutMs: commandTimeoutMs(server, ctx.timeoutMs) });
    await ctx.journal.append({ ...base, event: 'end', step: 'start', time: now(), ok: r.ok, output: r.output.slice(-4000), error: r.ok ? undefined : commandFailure('start', r, commandTimeoutMs(server, ctx.timeoutMs)) }).catch(() => undefined);
    return r;
}

/** START, ALWAYS: starts the target of an operation and records a failure in its outcome. */
export async function startTarget(server: ServerModel, host: Host, ctx: RestoreRunContext, outcome: OpOutcome): Promise<void> {
    ctx.reporter.step(server.name, 'starting the application');
    const start = await journalledStart(server, host, ctx);
    outcome.started = start.ok;
    if (!start.ok) {
        const msg = `${commandFailure(`start command \`${server.start}\``, start, commandTimeoutMs(server, ctx.timeoutMs))}: ${server.name} is NOT running`;
        outcome.error = outcome.error ? `${outcome.error}; ${msg}` : msg;
        outcome.output = [outcome.output, start.output].filter(Boolean).join('\n');
    }
}

/**
 * Creates an operation's empty staging folder, journalled first: if this process is
 * killed before the run ends, recovery removes the folder (journal/recovery.ts).
 */
export async function makeStaging(server: string, host: Host, staging: string, ctx: RestoreRunContext): Promise<void> {
    await ctx.journal.append({ type: 'step', event: 'begin', run: ctx.runId, server, step: 'stage', time: now(), cleanup: { host: host.label, path: staging } });
    await makeParents(host, parentOf(staging));
    await makeFreshFolder(host, staging);
}

/** Journals one step's end. */
export function journalStep(ctx: RestoreRunContext, server: string, step: StepName, ok: boolean, error?: string): Promise<void> {
    return ctx.journal.append({ type: 'step', event: 'end', run: ctx.runId, server, step, time: now(), ok, error }).catch(() => undefined);
}

/** Whether ownership can be restored and checked on a host: commands run there as root. */
export function canSetOwners(host: Host): Promise<boolean> {
    // A host that cannot be probed fails at its first real step, with a better message.
    return host.checkTools().then(t => t.uid === 0, () => false);
}
