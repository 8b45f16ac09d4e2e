/**
 * `command "CMD"`: a shell command on the runner's machine (the local host's `run`:
 * /bin/sh -c, its own process group, killed at the timeout), told about the event by its
 * environment, never by text spliced into the command:
 *
 *   BACKPLAN_EVENT       start | success | failure | stale
 *   BACKPLAN_POLICY      the backup block
 *   BACKPLAN_RUN         the run's ID ('' when there is none: a refused run)
 *   BACKPLAN_SUMMARY     the event's one-line summary
 *   BACKPLAN_RUNBOOK     the runbook's root file
 *   BACKPLAN_EVENT_JSON  the whole event, as a webhook receives it
 *
 * Exit 0 is delivery. It is run once, not retried: a pager paged twice is worse than a
 * warning in the run's output.
 */
import { commandFailure } from '../hosts/host.js';
import { LocalHost } from '../hosts/local-host.js';
import { formatMs, type Delivery } from './http-post.js';
import type { NotifyEvent } from './notify-event.js';

/** The environment a notify command gets. */
export function notifyCommandEnv(event: NotifyEvent): Record<string, string> {
    return {
        BACKPLAN_EVENT: event.event,
        BACKPLAN_POLICY: event.policy,
        BACKPLAN_RUN: event.run ?? '',
        BACKPLAN_SUMMARY: event.summary,
        BACKPLAN_RUNBOOK: event.runbook,
        BACKPLAN_EVENT_JSON: JSON.stringify(event)
    };
}

/** Runs a notify command for an event. Never throws. */
export async function runNotifyCommand(command: string, event: NotifyEvent, timeoutMs: number): Promise<Delivery> {
    try {
        const r = await new LocalHost().run(command, { env: notifyCommandEnv(event), timeoutMs });
        if (r.ok) return { ok: true, attempts: 1 };
        if (r.timedOut) return { ok: false, attempts: 1, error: `the command did not finish within ${formatMs(timeoutMs)} and was killed` };
        const last = r.output.trim().split('\n').pop()?.slice(0, 200);
        return { ok: false, attempts: 1, error: `${commandFailure('the command', r, timeoutMs)}${last && !r.notRun ? `: ${last}` : ''}` };
    } catch (err) {
        return { ok: false, attempts: 1, error: `the command could not be run: ${(err as Error).message}` };
    }
}
