/**
 * `webhook "URL"`: the event as JSON (notify-event.ts), POSTed with `content-type:
 * application/json`; a 2xx answer is delivery (http-post.ts: timeout, one retry).
 */
import { postWithRetry, type Delivery } from './http-post.js';
import type { NotifyEvent } from './notify-event.js';

/** POSTs the event as JSON to a webhook. Never throws. */
export function sendWebhook(url: string, event: NotifyEvent, timeoutMs: number): Promise<Delivery> {
    return postWithRetry(url, JSON.stringify(event), 'application/json', timeoutMs);
}
