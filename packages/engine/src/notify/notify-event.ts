/**
 * The payload of a notification (DESIGN §8), one per event and backup block: what a
 * webhook receives as JSON, what a healthchecks ping carries (its `summary` as the body),
 * what a command gets in its environment (notify/command-target.ts).
 *
 *   start    → the block's planned servers, no results yet (sent before the first stop)
 *   success  → every planned server of the block archived and started again
 *   failure  → per-server results and every error; a planned server without a result
 *              did not run (pre-flight, the tape's lock, --fail-fast, an interruption);
 *              a run refused before it began has no run id and no servers
 *   stale    → sent by `status`: the block's last success and why it is stale
 *
 * Field names are stable API (docs/operations.md#notifications): consumers parse them.
 */
import * as os from 'node:os';
import type { NotifyEventName } from '@backplan/language/model';
import type { BackupPlan, BackupPlanItem } from '../plan/backup-plan.js';
import type { DrillPlan } from '../drill/drill-plan.js';
import type { DrillRunResult } from '../drill/drill-runner.js';
import type { BackupRunResult } from '../run/backup-runner.js';
import type { ServerOutcome } from '../run/server-backup.js';

/** One server of a block, as a notification shows it. */
export interface NotifyServerResult {
    server: string;
    tape: string;
    /** Absent in a `start` event (nothing has happened yet). */
    ok?: boolean;
    error?: string;
    /** The archive's ID. */
    archive?: string;
    /** The archive's size in bytes. */
    size?: number;
    /** Seconds the application was down (stop begun → up again). */
    stopWindow?: number;
}

/** One event of one backup block. */
export interface NotifyEvent {
    version: 1;
    event: NotifyEventName;
    /** The runbook's root file, absolute. */
    runbook: string;
    /** The runbook's `runbook "Title"`, or null. */
    title: string | null;
    /** The backup block. */
    policy: string;
    /** The run's ID (stale: the block's last run); null when there is none. */
    run: string | null;
    /** The runner's host name. */
    host: string;
    time: string;
    /** success: true; failure and stale: false; start: null. */
    ok: boolean | null;
    servers: NotifyServerResult[];
    errors: string[];
    /** One line for people: a chat message, a ping's body, BACKPLAN_SUMMARY. */
    summary: string;
    /** stale only: the block's last success, or null when it never succeeded. */
    lastSuccess?: string | null;
}

/** What every event of a runbook shares. */
export interface EventSource {
    runbookPath: string;
    title?: string;
    now?: () => Date;
}

/** The fields every event has, before its own. */
function envelope(source: EventSource, event: NotifyEventName, policy: string, run: string | null): Pick<NotifyEvent, 'version' | 'event' | 'runbook' | 'title' | 'policy' | 'run' | 'host' | 'time'> {
    return {
        version: 1, event, runbook: source.runbookPath, title: source.title ?? null, policy, run,
        host: os.hostname(), time: (source.now?.() ?? new Date()).toISOString()
    };
}

/** The blocks of a plan, each once, in plan order. */
function planBlocks(plan: BackupPlan): BackupPlanItem[] {
    const seen = new Set<string>();
    return plan.items.filter(i => !seen.has(i.backup.name) && seen.add(i.backup.name));
}

/** A `start` event for each block of a plan. */
export function startEvents(source: EventSource, plan: BackupPlan, runId: string): NotifyEvent[] {
    return planBlocks(plan).map(item => {
        const servers = item.servers.map(sp => ({ server: sp.server.name, tape: item.tape.name }));
        return {
            ...envelope(source, 'start', item.backup.name, runId), ok: null, servers, errors: [],
            summary: `backup ${item.backup.name} started (run ${runId} on ${os.hostname()}): ${servers.map(s => s.server).join(', ')}`
        };
    });
}

/** A `success` or `failure` event for each block of a finished run. */
export function endEvents(source: EventSource, plan: BackupPlan, result: BackupRunResult): NotifyEvent[] {
    return planBlocks(plan).map(item => {
        const policy = item.backup.name;
        const servers = item.servers.map(sp => serverResult(item, sp.server.name, result));
        const ok = servers.every(s => s.ok);
        const errors = servers.filter(s => !s.ok).map(s => `${s.server}: ${s.error}`);
        if (!ok && result.error) errors.unshift(result.error);
        const summary = ok
            ? `backup ${policy} succeeded (run ${result.runId}): ${servers.length} server${servers.length === 1 ? '' : 's'} backed up`
            : `backup ${policy} FAILED (run ${result.runId}): ${errors.join('; ')}`;
        return { ...envelope(source, ok ? 'success' : 'failure', policy, result.runId), ok, servers, errors, summary };
    });
}

/** A server's result in a block: its outcome, or why it has none. */
function serverResult(item: BackupPlanItem, server: string, result: BackupRunResult): NotifyServerResult {
    const o: ServerOutcome | undefined = result.outcomes.find(x => x.policy === item.backup.name && x.server === server);
    if (!o) return { server, tape: item.tape.name, ok: false, error: `not backed up: ${result.error ?? 'the run ended before it'}` };
    return { server, tape: o.tape, ok: o.ok, error: o.error, archive: o.archive, size: o.size, stopWindow: o.stopWindow };
}

/** A `success` or `failure` event for each drill block of a finished drill run (`policy` is the drill's name). */
export function drillEndEvents(source: EventSource, plan: DrillPlan, result: DrillRunResult): NotifyEvent[] {
    const names = [...new Set(plan.tasks.map(t => t.drill.name))];
    return names.map(drill => {
        const servers = plan.tasks.filter(t => t.drill.name === drill).map(t => {
            const r = result.drills.find(d => d.drill === drill && d.server === t.server.name);
            return r
                ? { server: r.server, tape: r.tape, ok: r.ok, error: r.error, archive: r.archive }
                : { server: t.server.name, tape: t.tape.name, ok: false, error: `not drilled: ${result.error ?? t.problem ?? 'the run ended before it'}` };
        });
        const ok = servers.every(s => s.ok);
        const errors = servers.filter(s => !s.ok).map(s => `${s.server}: ${s.error}`);
        const summary = ok
            ? `drill ${drill} passed (run ${result.runId}): ${servers.length} server${servers.length === 1 ? '' : 's'} restored, checked and tested`
            : `drill ${drill} FAILED (run ${result.runId}): ${errors.join('; ')}`;
        return { ...envelope(source, ok ? 'success' : 'failure', drill, result.runId), ok, servers, errors, summary };
    });
}

/** A `failure` event for each block of a run refused before it began (no run ID). */
export function refusedEvents(source: EventSource, policies: readonly string[], reason: string): NotifyEvent[] {
    return policies.map(policy => ({
        ...envelope(source, 'failure', policy, null), ok: false, servers: [], errors: [reason],
        summary: `backup ${policy} FAILED: ${reason}`
    }));
}

/** A block that `status` found stale. */
export interface StaleBlock {
    policy: string;
    /** When it last succeeded (ISO time); undefined when it never did. */
    lastSuccess?: string;
    /** Its last run's ID, if it ever ran. */
    lastRun?: string;
    /** Why it is stale, in words (`status` knows: "no success since the 02:00 run"). */
    reason?: string;
}

/** The `stale` event of a block. */
export function staleEvent(source: EventSource, block: StaleBlock): NotifyEvent {
    const why = block.reason ?? (block.lastSuccess ? `no success since ${block.lastSuccess}` : 'it never succeeded');
    return {
        ...envelope(source, 'stale', block.policy, block.lastRun ?? null), ok: false, servers: [], errors: [why],
        lastSuccess: block.lastSuccess ?? null, summary: `backup ${block.policy} is stale: ${why}`
    };
}
