/**
 * A tape's `keep` as restic's own retention (DESIGN §9: "restic's own `forget` with the
 * tape's `keep`, per server, then `prune`").
 *
 *   keep last 3 daily 7   → forget --host SERVER --tag backplan --group-by host
 *                                  --keep-last 3 --keep-daily 7 --json
 *   its JSON              → one group per host: `keep` (with the rules that kept each,
 *                           `reasons[i]` beside `keep[i]`) and `remove`
 *
 * `--group-by host`: a server whose data folder moved is still one server. `--tag backplan`
 * leaves manifest snapshots out of the count. A tape without `keep` keeps everything
 * (restic refuses to forget without a policy; so does the caller).
 */
import type { KeepPolicy } from '@backplan/language/model';
import { toSnapshot, type ResticSnapshot } from './restic-snapshot.js';

const PERIODS = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** `--keep-PERIOD N` for each count of the policy (empty: no policy). */
export function keepArgs(keep: KeepPolicy): string[] {
    return PERIODS.flatMap(p => keep[p] === undefined ? [] : [`--keep-${p}`, String(keep[p])]);
}

/** A snapshot restic keeps, and restic's words for why (`daily snapshot`, `last snapshot`). */
export interface KeptSnapshot {
    readonly snapshot: ResticSnapshot;
    readonly reasons: readonly string[];
}

/** What one `forget` decided (or, with --dry-run, would decide). */
export interface ForgetDecision {
    readonly keep: KeptSnapshot[];
    readonly remove: ResticSnapshot[];
}

/** Parses `restic forget --json` (nothing printed: no snapshot matched). */
export function parseForget(text: string): ForgetDecision {
    const decision: ForgetDecision = { keep: [], remove: [] };
    if (text.trim() === '' || text.trim() === 'null') return decision;
    const groups = JSON.parse(text) as unknown;
    if (!Array.isArray(groups)) throw new Error('forget did not print a JSON array');
    for (const group of groups as Array<Record<string, unknown>>) {
        const keep = (Array.isArray(group.keep) ? group.keep : []).map(toSnapshot);
        const reasons = Array.isArray(group.reasons) ? group.reasons as Array<{ matches?: unknown }> : [];
        keep.forEach((snapshot, i) => {
            const matches = reasons[i]?.matches;
            decision.keep.push({ snapshot, reasons: Array.isArray(matches) ? matches.filter((m): m is string => typeof m === 'string') : [] });
        });
        decision.remove.push(...(Array.isArray(group.remove) ? group.remove : []).map(toSnapshot));
    }
    return decision;
}
