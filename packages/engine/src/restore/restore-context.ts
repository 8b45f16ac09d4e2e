/**
 * What one restore operation needs from its run, what it reports back, and the pieces
 * every operation shares: staging, journalled steps, and the put-back prelude that
 * recovery of a killed run runs before the start command (kernel/quiesce.ts records it
 * in the stop record).
 *
 * The put-back prelude: remove our staging folder; for every folder set aside whose
 * place is empty, rename the set-aside copy back. So a restore killed before its swap
 * leaves the original data back in place and the application running; killed during
 * the swap, recovery first finishes or rolls it back whole (journal/swap-recovery.ts);
 * killed after it, the restored data stays and the set-aside copy is removed only once
 * the application runs (nothing is deleted before a verified copy is in place).
 */
import type { ServerModel } from '@backplan/language/model';
import type { Host, ToolVersions } from '../hosts/host.js';
import type { QuiesceOutcome } from '../kernel/quiesce.js';
import type { Journal } from '../journal/journal.js';
import type { StepName } from '../journal/journal-record.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { makeFreshFolder, makeParents, parentOf } from '../hosts/host-folders.js';

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
    /** Whether the restored data is in place (for a dump: loaded). */
    swapped: boolean;
    /** The operation loads a dump (restore/load-in.ts) rather than putting files in place. */
    dump?: boolean;
    /** Set-aside copies left on the host (--keep-old, or a failed start after the swap). */
    kept: string[];
    files?: number;
    error?: string;
    output?: string;
}

const now = (): string => new Date().toISOString();

/** Folders to put back if this process dies before the swap. */
export interface PutBack {
    staging?: string;
    pairs: Array<{ data: string; aside: string }>;
}

/**
 * What recovery runs before the start command if this process dies while the target is
 * stopped: remove staging, put each set-aside folder back into an empty place.
 */
export function putBackPrelude(putBack: PutBack): { lines: string[]; env: Record<string, string> } {
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
    return { lines, env };
}

/** Records what a quiesce's stop and start did in an operation's outcome. */
export function noteQuiesce(q: QuiesceOutcome, outcome: { stopped?: boolean; started?: boolean; error?: string; output?: string }): void {
    outcome.stopped = q.stop.state !== 'not-stopped';
    if (q.start) outcome.started = q.start.started;
    if (q.start?.error) outcome.error = outcome.error ? `${outcome.error}; ${q.start.error}` : q.start.error;
    if (q.output) outcome.output = [outcome.output, q.output].filter(Boolean).join('\n');
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
