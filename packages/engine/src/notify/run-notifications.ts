/**
 * The notifications of one backup run (DESIGN §8), for the `backup` verb; and the end of a
 * drill run (DESIGN §11: `notify` blocks hear drill failures), for `drill`.
 *
 *   start(runId)    after pre-flight decided to run, before the first stop: the `start`
 *                   of each block, sent in the background (the run does not wait for it)
 *   finish(result)  after the run: for each notify block, once its own `start` has
 *                   settled (a healthchecks check sees /start before / or /fail), the
 *                   block's `success` or `failure`; resolves when every one has settled
 *   refused(…)      a run refused before it began: `failure` of the blocks it would run
 *   each delivery   → a `notify` journal record (when the run has an ID), and a warning
 *                   when it failed
 *
 * Never throws, never changes the run's result. Cost at the run's end: at most 2 × the
 * timeout per notify block after its own start settled (a block whose start hung for a
 * run shorter than that waits for it first).
 */
import type { RunbookModel } from '@backplan/language/model';
import type { Journal } from '../journal/journal.js';
import type { BackupPlan } from '../plan/backup-plan.js';
import type { BackupRunResult } from '../run/backup-runner.js';
import { drillEndEvents, endEvents, refusedEvents, startEvents, type EventSource } from './notify-event.js';
import type { DrillPlan } from '../drill/drill-plan.js';
import type { DrillRunResult } from '../drill/drill-runner.js';
import { deliver, deliveryWarning, notifyTimeoutMs, routes, type NotifyDelivery, type NotifyRoute } from './notifier.js';

/** What the notifications of a run need. */
export interface RunNotificationsOptions {
    model: Pick<RunbookModel, 'notifiesFor' | 'title'>;
    runbookPath: string;
    /** Where `notify` records go. */
    journal?: Journal;
    /** Prints a warning (the run's progress output). */
    warn: (message: string) => void;
    timeoutMs?: number;
}

/** The notifications of one run: start, then its end. */
export class RunNotifications {
    /** Each notify block's pending `start` deliveries. */
    private readonly started = new Map<string, Promise<NotifyDelivery[]>>();
    private readonly timeoutMs: number;
    private readonly source: EventSource;

    constructor(private readonly options: RunNotificationsOptions) {
        this.timeoutMs = options.timeoutMs ?? notifyTimeoutMs();
        this.source = { runbookPath: options.runbookPath, title: options.model.title };
    }

    /** Sends the `start` of each block of the plan, without waiting. */
    start(plan: BackupPlan, runId: string): void {
        const sending = new Map<string, Array<Promise<NotifyDelivery>>>();
        for (const route of routes(this.options.model, startEvents(this.source, plan, runId))) {
            const list = sending.get(route.notify.name) ?? [];
            list.push(this.send(route));
            sending.set(route.notify.name, list);
        }
        for (const [name, list] of sending) this.started.set(name, Promise.all(list));
    }

    /** Sends each block's `success` or `failure`; resolves with every delivery of the run, its starts first. */
    async finish(plan: BackupPlan, result: BackupRunResult): Promise<NotifyDelivery[]> {
        const ends = await this.sendAll(routes(this.options.model, endEvents(this.source, plan, result)));
        const starts = (await Promise.all(this.started.values())).flat();
        return [...starts, ...ends];
    }

    /** Sends each drill block's `success` or `failure` after a drill run; resolves with the deliveries. */
    finishDrills(plan: DrillPlan, result: DrillRunResult): Promise<NotifyDelivery[]> {
        return this.sendAll(routes(this.options.model, drillEndEvents(this.source, plan, result)));
    }

    /** Sends `failure` of each block a refused run would have run. */
    refused(policies: readonly string[], reason: string): Promise<NotifyDelivery[]> {
        return this.sendAll(routes(this.options.model, refusedEvents(this.source, policies, reason)));
    }

    /** Every route at once, each after its notify block's `start`. */
    private sendAll(list: readonly NotifyRoute[]): Promise<NotifyDelivery[]> {
        return Promise.all(list.map(async route => {
            await this.started.get(route.notify.name);
            return this.send(route);
        }));
    }

    /** One delivery, journalled and warned about. Never throws. */
    private async send(route: NotifyRoute): Promise<NotifyDelivery> {
        const d = await deliver(route, this.timeoutMs);
        if (!d.ok) this.options.warn(deliveryWarning(d));
        if (d.run !== null && this.options.journal) {
            await this.options.journal.append({
                type: 'notify', run: d.run, time: new Date().toISOString(), notify: d.notify, target: d.target,
                event: d.event, policy: d.policy, ok: d.ok, attempts: d.attempts, error: d.error
            }).catch(() => undefined);
        }
        return d;
    }
}
