/**
 * THE staging-name rule: every folder Backplan makes beside a server's data folder is a
 * hidden sibling named after the data folder, its purpose and the run —
 * `.NAME.backplan-KIND-RUN` — on the same file system (renames, never copies), and
 * nothing else is ever removed by Backplan (host-folders.ts, recovery).
 *
 *   new   staging of a restore or replication     old   the set-aside current data
 *   snap  a snapshot of the data (DESIGN §10)       dump  the output of a `dump` command
 */

/** What a sibling folder is for. */
export type SiblingKind = 'old' | 'new' | 'snap' | 'dump';

const KINDS = 'old|new|snap|dump';
/** A path that is one of our siblings, or below one. */
const OWN = new RegExp(`/\\.[^/]+\\.backplan-(${KINDS})-[^/]+(/|$)`);

/** The sibling of `data` of a kind, for a run. */
export function siblingPath(data: string, runId: string, kind: SiblingKind): string {
    const trimmed = data.replace(/\/+$/, '');
    const slash = trimmed.lastIndexOf('/');
    const parent = slash <= 0 ? '/' : trimmed.slice(0, slash);
    const name = `.${trimmed.slice(slash + 1)}.backplan-${kind}-${runId}`;
    return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Siblings of a data folder: where set-aside and staging copies go (same file system). */
export function siblingPaths(data: string, runId: string): { aside: string; staging: string } {
    return { aside: siblingPath(data, runId, 'old'), staging: siblingPath(data, runId, 'new') };
}

/** Whether `path` is exactly our sibling of that kind for that run (what recovery may remove). */
export function isOurSibling(path: string, run: string, kind: SiblingKind): boolean {
    const base = path.slice(path.lastIndexOf('/') + 1);
    return path.startsWith('/') && base.startsWith('.') && base.endsWith(`.backplan-${kind}-${run}`);
}

/** Whether `path` is one of our siblings or below one (the only paths Backplan removes). */
export function isWithinOurSibling(path: string): boolean {
    return OWN.test(path);
}
