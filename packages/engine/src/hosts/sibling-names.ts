/**
 * THE staging-name rule: every folder Backplan makes beside a server's data folder is a
 * hidden sibling named after the data folder, its purpose and the run —
 * `.NAME.backplan-KIND-RUN` — on the same file system (renames, never copies), and
 * nothing else is ever removed by Backplan (host-folders.ts, recovery).
 *
 *   new   staging of a restore or replication     old   the set-aside current data
 *   snap  a snapshot of the data (DESIGN §10)       dump  the output of a `dump` command
 *   drill the scratch copy of a restore drill (DESIGN §11)
 *
 * A drill's scratch is the one name not beside a data folder: it is made below the state
 * folder's `drills/` (or `--target DIR`), named as the sibling of `BASE/SERVER` would be —
 * `BASE/.SERVER.backplan-drill-RUN` — so that the same rule says it is ours, and recovery
 * removes it after a killed drill as it removes a killed restore's staging.
 */

/** What a sibling folder is for. */
export type SiblingKind = 'old' | 'new' | 'snap' | 'dump' | 'drill';

const KINDS = 'old|new|snap|dump|drill';
/** What a `stage` journal record may name for recovery to remove: staging, and a drill's scratch. */
const STAGED: readonly SiblingKind[] = ['new', 'drill'];
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

/** Whether `path` is exactly a folder a `stage` record of that run may name (staging or drill scratch). */
export function isOurStagedFolder(path: string, run: string): boolean {
    return STAGED.some(kind => isOurSibling(path, run, kind));
}

/** Whether `path` is one of our siblings or below one (the only paths Backplan removes). */
export function isWithinOurSibling(path: string): boolean {
    return OWN.test(path);
}
