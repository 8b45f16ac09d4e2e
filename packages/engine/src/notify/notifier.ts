/**
 * Which `notify` blocks hear which event, and sending to them (DESIGN §8).
 *
 *   routes(events): for each event, each notify block with a valid target whose `on`
 *                   holds the event and whose `for` holds the event's block (no `for`:
 *                   every block), in file order
 *   deliver(route): webhook.ts | healthchecks.ts | command-target.ts, with the timeout;
 *                   never throws: a failure is a NotifyDelivery with ok false
 *   deliverAll:     every route at once; resolves when the last has settled
 *
 * The timeout is 10 s per attempt; BACKPLAN_NOTIFY_TIMEOUT_MS shortens it, for tests only
 * (a hanging server then costs the test 2 × that, not 20 s).
 */
import type { NotifyModel, RunbookModel } from '@backplan/language/model';
import { runNotifyCommand } from './command-target.js';
import { pingHealthchecks } from './healthchecks.js';
import type { Delivery } from './http-post.js';
import type { NotifyEvent } from './notify-event.js';
import { sendWebhook } from './webhook.js';

/** The time one notification attempt may take: 10 s. */
export const NOTIFY_TIMEOUT_MS = 10_000;

/** The per-attempt timeout: BACKPLAN_NOTIFY_TIMEOUT_MS (a test's shorter one) when it is a whole number of ms, else 10 s. */
export function notifyTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
    const raw = env.BACKPLAN_NOTIFY_TIMEOUT_MS;
    const ms = raw !== undefined && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    return ms >= 1 && ms <= NOTIFY_TIMEOUT_MS ? ms : NOTIFY_TIMEOUT_MS;
}

/** One event for one notify block. */
export interface NotifyRoute {
    notify: NotifyModel;
    event: NotifyEvent;
}

/** How one event reached (or did not reach) one notify block. */
export interface NotifyDelivery extends Delivery {
    /** The notify block's name. */
    notify: string;
    target: 'webhook' | 'healthchecks' | 'command';
    event: NotifyEvent['event'];
    policy: string;
    run: string | null;
}

/** Every (notify block, event) pair that should be sent, in event then file order. */
export function routes(model: Pick<RunbookModel, 'notifiesFor'>, events: readonly NotifyEvent[]): NotifyRoute[] {
    return events.flatMap(event => model.notifiesFor(event.policy, event.event)
        .filter(notify => notify.target !== undefined)
        .map(notify => ({ notify, event })));
}

/** Sends one route. Never throws. */
export async function deliver(route: NotifyRoute, timeoutMs: number = notifyTimeoutMs()): Promise<NotifyDelivery> {
    const target = route.notify.target!;
    const { event } = route;
    let delivery: Delivery;
    try {
        delivery = target.kind === 'webhook' ? await sendWebhook(target.url, event, timeoutMs)
            : target.kind === 'healthchecks' ? await pingHealthchecks(target.url, event, timeoutMs)
                : await runNotifyCommand(target.command, event, timeoutMs);
    } catch (err) {
        // The targets do not throw; if one ever did, that notification failed, nothing else.
        delivery = { ok: false, attempts: 1, error: (err as Error).message };
    }
    return { ...delivery, notify: route.notify.name, target: target.kind, event: event.event, policy: event.policy, run: event.run };
}

/** Sends every route at once; resolves with every delivery, in route order. Never throws. */
export function deliverAll(list: readonly NotifyRoute[], timeoutMs: number = notifyTimeoutMs()): Promise<NotifyDelivery[]> {
    return Promise.all(list.map(r => deliver(r, timeoutMs)));
}

/** A failed delivery as one warning line (no URL: it may carry a secret). */
export function deliveryWarning(d: Pick<NotifyDelivery, 'notify' | 'target' | 'event' | 'policy' | 'error'>): string {
    return `notify ${d.notify} (${d.target}): the ${d.event} of backup ${d.policy} was not delivered: ${d.error}`;
}
