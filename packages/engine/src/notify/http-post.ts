/**
 * One HTTP POST of a notification, with Node's own `fetch` (webhook.ts, healthchecks.ts).
 *
 *   attempt 1: POST, AbortSignal.timeout(T) → 2xx: delivered
 *   else (non-2xx, no answer within T, no connection) → attempt 2 at once, the same
 *   else: not delivered, with the last attempt's reason
 *
 * So a notification takes at most 2 × T, whatever the server does (hangs, trickles, 500s).
 * The response's body is never read: only its status counts. Reasons never name the URL:
 * webhook and ping URLs carry secrets (a chat token, a check's UUID).
 */

/** How one notification went. */
export interface Delivery {
    ok: boolean;
    /** Why it was not delivered (the last attempt's reason). */
    error?: string;
    /** How many times it was tried. */
    attempts: number;
}

/** Attempts per notification: the first and one retry. */
const ATTEMPTS = 2;

/** POSTs `body` to `url`; retried once on any failure; never throws. */
export async function postWithRetry(url: string, body: string, contentType: string, timeoutMs: number): Promise<Delivery> {
    let error = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        error = await postOnce(url, body, contentType, timeoutMs);
        if (error === '') return { ok: true, attempts: attempt };
    }
    return { ok: false, error: `${error} (tried ${ATTEMPTS} times)`, attempts: ATTEMPTS };
}

/** One attempt: '' when answered 2xx, else the reason. */
async function postOnce(url: string, body: string, contentType: string, timeoutMs: number): Promise<string> {
    try {
        const response = await fetch(url, {
            method: 'POST', body, redirect: 'follow',
            headers: { 'content-type': contentType, 'user-agent': 'backplan' },
            signal: AbortSignal.timeout(timeoutMs)
        });
        // Let go of the connection without waiting for a body that may never come.
        await response.body?.cancel().catch(() => undefined);
        return response.ok ? '' : `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    } catch (err) {
        return fetchFailure(err, timeoutMs);
    }
}

/** A fetch rejection in words: a timeout, or the network's reason (undici puts it in `cause`). */
function fetchFailure(err: unknown, timeoutMs: number): string {
    const e = err as Error & { cause?: Error & { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${formatMs(timeoutMs)}`;
    const cause = e.cause;
    if (cause) return `no connection: ${cause.code ?? cause.message}`;
    return e.message;
}

/** Milliseconds as "10 s" (or "300 ms" for the short timeouts of tests). */
export function formatMs(ms: number): string {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
