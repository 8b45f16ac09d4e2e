/**
 * Which archives a tape's `keep` keeps: restic's `forget --keep-*` semantics, applied per
 * server, plus one Backplan rule: the newest verified archive of each server is never
 * removed.
 *
 *   per server, archives newest first:
 *     for each rule (last, hourly, daily, weekly, monthly, yearly) with count left:
 *       bucket = the archive's period (local time; `last`: the archive itself)
 *       bucket differs from the last bucket this rule kept → keep, count left − 1
 *     kept by no rule → remove (unless it is the newest verified archive)
 *   no rule at all → keep everything (restic refuses to forget without a policy)
 *
 * Pure: no I/O. Removal order (manifest first) is the tape store's business.
 */
import type { KeepPolicy } from '@backplan/language/model';

/** What retention needs to know about an archive. */
export interface RetentionItem {
    id: string;
    server: string;
    time: Date;
    verified: boolean;
}

export interface RetentionDecision<T extends RetentionItem> {
    item: T;
    keep: boolean;
    /** Why it is kept (`last 3`, `daily 7`, `newest verified`…). */
    reasons: string[];
}

const RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;

function pad(n: number): string {
    return String(n).padStart(2, '0');
}

/** ISO-8601 week of a local date, as `YYYY-Www`. */
export function isoWeek(d: Date): string {
    const t = new Date(d.getFullYear(), d.getMonth(), d.getDate());
    const day = (t.getDay() + 6) % 7; // Monday 0
    t.setDate(t.getDate() - day + 3); // Thursday of this week
    const firstThursday = new Date(t.getFullYear(), 0, 4);
    const week = 1 + Math.round(((t.getTime() - firstThursday.getTime()) / 86400000 - 3 + ((firstThursday.getDay() + 6) % 7)) / 7);
    return `${t.getFullYear()}-W${pad(week)}`;
}

function bucket(rule: typeof RULES[number], item: RetentionItem): string {
    const d = item.time;
    switch (rule) {
        case 'last': return item.id;
        case 'hourly': return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}`;
        case 'daily': return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
        case 'weekly': return isoWeek(d);
        case 'monthly': return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
        case 'yearly': return `${d.getFullYear()}`;
    }
}

/** Decides, per server, which archives to keep. Result in the input's order. */
export function applyKeepPolicy<T extends RetentionItem>(items: readonly T[], keep: KeepPolicy): Array<RetentionDecision<T>> {
    const decisions = new Map<T, RetentionDecision<T>>(items.map(item => [item, { item, keep: false, reasons: [] }]));
    const anyRule = RULES.some(r => keep[r] !== undefined);
    const byServer = new Map<string, T[]>();
    for (const item of items) {
        const list = byServer.get(item.server) ?? [];
        list.push(item);
        byServer.set(item.server, list);
    }
    for (const list of byServer.values()) {
        const newestFirst = [...list].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
        const left = new Map(RULES.map(r => [r, keep[r] ?? 0]));
        const lastBucket = new Map<string, string>();
        for (const item of newestFirst) {
            const d = decisions.get(item)!;
            if (!anyRule) {
                d.keep = true;
                d.reasons.push('no keep rule');
                continue;
            }
            for (const rule of RULES) {
                if (left.get(rule)! <= 0) continue;
                const b = bucket(rule, item);
                if (lastBucket.get(rule) === b) continue;
                lastBucket.set(rule, b);
                left.set(rule, left.get(rule)! - 1);
                d.keep = true;
                d.reasons.push(`${rule} ${keep[rule]}`);
            }
        }
        const newestVerified = newestFirst.find(i => i.verified);
        if (newestVerified) {
            const d = decisions.get(newestVerified)!;
            if (!d.keep) d.reasons.push('newest verified');
            d.keep = true;
        }
    }
    return items.map(i => decisions.get(i)!);
}
