/**
 * Recovery of swaps a killed run left half-done, and of the set-aside copies it left after
 * a swap (restore/swap-in.ts journals every swap as a unit: plan, renamed per part, commit).
 *
 *   open swap (a plan, no commit, in a run that never ended), BEFORE the run's restart:
 *     decision already journalled (an earlier recovery was killed) → keep to it
 *     else every part either in place (data, no staged) or ready (staged, no data)
 *          → `finishing`, otherwise → `rolling-back` (the set-aside copies are the
 *          previous data: putting them back is always safe)
 *     finish:    each ready part staged → data
 *     roll back: each part in place data → staged (staging is removed afterwards),
 *                then each empty place aside → data; the emptied set-aside folder goes
 *     → `finished` / `rolled-back`
 *   set-aside copy after a committed (or finished) swap, AFTER the application started:
 *     not --keep-old, the run removed no set-aside copy, the name is ours → remove it
 *     → `leftover removed`; cannot → `leftover open` (shown by `history`)
 *
 * Every rename first checks the state on disk, so a recovery killed half-way is simply
 * done again by the next command.
 */
import { isOurSibling } from '../hosts/sibling-names.js';
import type { Host } from '../hosts/host.js';
import { makeParents, parentOf, pathExists, removeOwnFolder, renameFolder } from '../hosts/host-folders.js';
import type { Journal } from './journal.js';
import type { JournalRecord, SwapPartPaths } from './journal-record.js';

/** A swap of a killed run, from its journal records. */
export interface JournalledSwap {
    server: string;
    host: string;
    parts: SwapPartPaths[];
    aside?: string;
    keepOld: boolean;
    /** commit, or finished by recovery. */
    done: boolean;
    decision?: 'finishing' | 'rolling-back';
    rolledBack: boolean;
}

/** The swaps a run journalled (one per server), in order. */
export function swapsOf(records: readonly JournalRecord[], run: string): JournalledSwap[] {
    const swaps = new Map<string, JournalledSwap>();
    for (const r of records) {
        if (r.type !== 'swap' || r.run !== run) continue;
        if (r.event === 'plan') {
            swaps.set(r.server, { server: r.server, host: r.host ?? '', parts: r.parts ?? [], aside: r.aside, keepOld: r.keepOld === true, done: false, rolledBack: false });
            continue;
        }
        const s = swaps.get(r.server);
        if (!s) continue;
        if (r.event === 'commit' || (r.event === 'finished' && r.ok)) s.done = true;
        else if (r.event === 'rolled-back' && r.ok) s.rolledBack = true;
        else if (r.event === 'finishing' || r.event === 'rolling-back') s.decision = r.event;
    }
    return [...swaps.values()];
}

/** Whether a run removed the set-aside copy of a server itself (a `cleanup` step). */
export function asideRemoved(records: readonly JournalRecord[], run: string, server: string): boolean {
    return records.some(r => r.type === 'step' && r.run === run && r.server === server && r.step === 'cleanup' && r.event === 'end' && r.ok);
}

type PartState = 'in-place' | 'ready' | 'other';

async function partState(host: Host, p: SwapPartPaths): Promise<PartState> {
    const [data, staged] = [await pathExists(host, p.data), await pathExists(host, p.staged)];
    if (data && !staged) return 'in-place';
    if (!data && staged) return 'ready';
    return 'other';
}

/** Finishes or rolls back one open swap (see module comment); returns what it did, throws when it could not. */
export async function resolveSwap(swap: JournalledSwap, host: Host, journal: Journal, run: string, by: string): Promise<'finished' | 'rolled-back'> {
    const base = { type: 'swap' as const, run, server: swap.server };
    const states = await Promise.all(swap.parts.map(p => partState(host, p)));
    let decision = swap.decision;
    if (!decision) {
        decision = states.every(s => s !== 'other') ? 'finishing' : 'rolling-back';
        await journal.append({ ...base, event: decision, time: new Date().toISOString(), by });
    }
    const outcome = decision === 'finishing' ? 'finished' : 'rolled-back';
    try {
        if (decision === 'finishing') await finishParts(host, swap.parts, states);
        else {
            await rollBackParts(host, swap.parts, states);
            // Every part is back: what remains of the set-aside folder is its empty skeleton.
            if (swap.aside) await removeAside(host, swap.aside, run);
        }
    } catch (err) {
        await journal.append({ ...base, event: outcome, time: new Date().toISOString(), by, ok: false, error: (err as Error).message });
        throw err;
    }
    await journal.append({ ...base, event: outcome, time: new Date().toISOString(), by, ok: true });
    return outcome;
}

async function finishParts(host: Host, parts: SwapPartPaths[], states: PartState[]): Promise<void> {
    for (const [i, p] of parts.entries()) {
        if (states[i] === 'in-place') continue;
        if (states[i] !== 'ready') throw new Error(`${p.data}: neither in place nor staged any more`);
        await makeParents(host, parentOf(p.data));
        await renameFolder(host, p.staged, p.data);
    }
}

async function rollBackParts(host: Host, parts: SwapPartPaths[], states: PartState[]): Promise<void> {
    const problems: string[] = [];
    for (const [i, p] of [...parts.entries()].reverse()) {
        const hasAside = await pathExists(host, p.aside);
        if (states[i] === 'in-place') await renameFolder(host, p.data, p.staged);
        if (!(await pathExists(host, p.data)) && hasAside) await renameFolder(host, p.aside, p.data);
        else if (hasAside) problems.push(`${p.data} is occupied; its previous data is kept at ${p.aside}`);
    }
    if (problems.length) throw new Error(problems.join('; '));
}

/** Removes a set-aside folder of a run after its swap; whether it was there. */
export async function removeAside(host: Host, path: string, run: string): Promise<boolean> {
    if (!isOurSibling(path, run, 'old')) throw new Error(`${path} is not a set-aside folder of run ${run}`);
    return removeOwnFolder(host, path);
}


/** The folder names of a swap, for messages. */
export function swapFolders(swap: JournalledSwap): string {
    return swap.parts.map(p => p.data.slice(p.data.lastIndexOf('/') + 1)).join(', ');
}
