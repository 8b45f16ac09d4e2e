/**
 * `stale` notifications, once per stale episode (DESIGN §8), for `backplan status`.
 *
 * An episode of a block begins when `status` first finds it stale and ends when a
 * `status` finds it fresh again. Which notify blocks were told is kept per runbook in
 *   STATE/notify/NAME.stale.json   {"version":1,"runbook":PATH,
 *                                   "episodes":{"Nightly":{"since":ISO,"told":["Ops"]}}}
 * written with the one durable write (tape/durable-write.ts).
 *
 *   reportStale(every block stale now — any block not listed is fresh):
 *     no notify block hears `stale` → nothing (no file is read or written)
 *     read the file (missing → no episodes; damaged → no episodes, a warning, rewritten)
 *     a block no longer stale → its episode is over: forgotten
 *     a stale block → its episode (new: since now, told nobody); send its `stale` event
 *                     to each notify block that hears it and was not told yet, all at once
 *     a delivered one joins `told`; a failed one is a warning and is tried again by the
 *     next `status` (an alert lost to a network blip would never come otherwise)
 *     write the file when it changed
 *
 * Two `status` at the same moment may both tell a new episode: harmless, and rare.
 * Interruption: before the write, the next `status` sends again what this one sent.
 */
import * as path from 'node:path';
import type { RunbookModel } from '@backplan/language/model';
import { staleStateFile } from '../journal/state-dir.js';
import { checkShape } from '../schema/json-schemas.js';
import { readUntrustedText } from '../schema/untrusted-file.js';
import { durableWrite } from '../tape/durable-write.js';
import { makeDirs } from '../tape/make-dirs.js';
import { staleEvent, type EventSource, type StaleBlock } from './notify-event.js';
import { deliverAll, deliveryWarning, notifyTimeoutMs, routes, type NotifyDelivery } from './notifier.js';

/** The stale-episode file. */
export interface StaleState {
    version: 1;
    runbook: string;
    episodes: Record<string, { since: string; told: string[] }>;
}

/** What `status` hands over. */
export interface ReportStaleOptions {
    model: Pick<RunbookModel, 'notifies' | 'notifiesFor' | 'title'>;
    runbookPath: string;
    stateDir: string;
    /** Every block that is stale now; a block not listed is fresh. */
    stale: readonly StaleBlock[];
    timeoutMs?: number;
    now?: () => Date;
}

/** What was sent, and the warnings to print (failed deliveries, an unreadable state file). */
export interface StaleReport {
    deliveries: NotifyDelivery[];
    warnings: string[];
}

/** Sends the `stale` event of one block to the notify blocks that hear it (but those in `except`). Never throws. */
export function sendStale(
    model: Pick<RunbookModel, 'notifiesFor' | 'title'>, runbookPath: string, block: StaleBlock,
    options: { except?: readonly string[]; timeoutMs?: number; now?: () => Date } = {}
): Promise<NotifyDelivery[]> {
    const source: EventSource = { runbookPath, title: model.title, now: options.now };
    const list = routes(model, [staleEvent(source, block)]).filter(r => !options.except?.includes(r.notify.name));
    return deliverAll(list, options.timeoutMs ?? notifyTimeoutMs());
}

/** Tells each stale block's new (or not yet delivered) episode; forgets episodes that ended. Never throws. */
export async function reportStale(options: ReportStaleOptions): Promise<StaleReport> {
    const warnings: string[] = [];
    if (!options.model.notifies.some(n => n.target && n.events.includes('stale'))) return { deliveries: [], warnings };
    const file = staleStateFile(options.stateDir, options.runbookPath);
    const { state: before, damaged } = await readState(file, warnings);
    const now = (options.now?.() ?? new Date()).toISOString();
    const after: StaleState = { version: 1, runbook: path.resolve(options.runbookPath), episodes: {} };
    const sends = options.stale.map(block => {
        const episode = before?.episodes[block.policy] ?? { since: now, told: [] };
        after.episodes[block.policy] = { since: episode.since, told: [...episode.told] };
        return sendStale(options.model, options.runbookPath, block, { except: episode.told, timeoutMs: options.timeoutMs, now: options.now });
    });
    const deliveries = (await Promise.all(sends)).flat();
    for (const d of deliveries) {
        if (d.ok) after.episodes[d.policy].told.push(d.notify);
        else warnings.push(deliveryWarning(d));
    }
    const unchanged = JSON.stringify(after.episodes) === JSON.stringify(before?.episodes ?? {});
    if (!unchanged || damaged) {
        await writeState(file, after).catch(err => warnings.push(`the stale episodes could not be saved to ${file}: ${(err as Error).message}`));
    }
    return { deliveries, warnings };
}

/** The file's state; none when missing, or damaged (with a warning: the file is then rewritten). */
async function readState(file: string, warnings: string[]): Promise<{ state?: StaleState; damaged: boolean }> {
    try {
        return { state: checkShape<StaleState>('stale-state', JSON.parse(await readUntrustedText(file, 1 << 20)), file), damaged: false };
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { damaged: false };
        const reason = err instanceof SyntaxError ? `${file} is not JSON` : (err as Error).message;
        warnings.push(`${reason}: stale episodes start afresh`);
        return { damaged: true };
    }
}

async function writeState(file: string, state: StaleState): Promise<void> {
    await makeDirs(path.dirname(file));
    await durableWrite(path.dirname(file), path.basename(file), JSON.stringify(state, null, 2) + '\n');
}
