/**
 * `drill` blocks (DESIGN §11) as the runner sees them: which servers' archives of which
 * tape are restored into scratch and tested, picked how. Drills never add a copy: the
 * coverage model reads backups only.
 *
 *   servers = the `servers` list when given (resolved names only), else every server that
 *             some backup sends to `from`, in the order the backups name them
 *   tape    = `from`, when it resolves
 *   pick    = `pick …` when it is one of newest | oldest | random, else newest
 *             (an unknown order is `drill.invalid`, which refuses `backplan drill`)
 */
import type { Drill } from '../generated/ast.js';
import { first } from './declarations.js';

/** Every order a drill may pick its archive in. */
export const PICK_ORDERS = ['newest', 'oldest', 'random'] as const;

/** How a drill picks the archive of each server. */
export type ArchivePick = typeof PICK_ORDERS[number];

/** The order of a drill without `pick`. */
export const DEFAULT_PICK: ArchivePick = 'newest';

/** Whether a written `pick` value is an order a drill knows. */
export function isArchivePick(value: string | undefined): value is ArchivePick {
    return (PICK_ORDERS as readonly string[]).includes(value ?? '');
}

/** The order a drill picks in: its first valid `pick`, else newest. */
export function drillPick(node: Drill): ArchivePick {
    const written = first(node.pick);
    return isArchivePick(written) ? written : DEFAULT_PICK;
}

/** The servers a drill restores, from the names it lists, or from the backups that send to its tape. */
export function drillServers<S, T>(listed: ReadonlyArray<S | undefined> | undefined, tape: T | undefined,
    backups: ReadonlyArray<{ readonly tape?: T; readonly servers: readonly S[] }>): S[] {
    const chosen = listed ?? (tape === undefined ? [] : backups.filter(b => b.tape === tape).flatMap(b => b.servers));
    return [...new Set(chosen.filter((s): s is S => s !== undefined))];
}
