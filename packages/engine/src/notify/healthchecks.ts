/**
 * `healthchecks "URL"`: healthchecks.io-style pings, the event's summary as the body
 * (healthchecks shows it in the check's log).
 *
 *   start   → POST URL/start   (the check measures the run; a run that never ends is noticed)
 *   success → POST URL
 *   failure → POST URL/fail
 *   stale   → POST URL/fail    (the block has had no success for too long: the check goes down)
 *
 * The suffix goes on the URL's path, before any query (`?create=1` stays where it is).
 */
import type { NotifyEventName } from '@backplan/language/model';
import { postWithRetry, type Delivery } from './http-post.js';
import type { NotifyEvent } from './notify-event.js';

const SUFFIX: Readonly<Record<NotifyEventName, string>> = { start: '/start', success: '', failure: '/fail', stale: '/fail' };

/** The URL an event pings. */
export function pingUrl(url: string, event: NotifyEventName): string {
    const parsed = new URL(url);
    parsed.pathname = parsed.pathname.replace(/\/+$/, '') + SUFFIX[event];
    return parsed.toString();
}

/** Pings a healthchecks URL for an event. Never throws. */
export function pingHealthchecks(url: string, event: NotifyEvent, timeoutMs: number): Promise<Delivery> {
    return postWithRetry(pingUrl(url, event.event), event.summary, 'text/plain; charset=utf-8', timeoutMs);
}
