/**
 * Which server a `parallel N` backup may stop next without taking a folder offline
 * (DESIGN §4, issue 5 point 3): never stop the last running holder of a folder while
 * another holder of that folder is down. Pure: the runner (run/backup-runner.ts) asks it
 * each time a slot is free, with the set of servers this run has stopped and not yet
 * started again (in flight, or their start failed).
 *
 *   may S stop?  for every folder F that S holds, with holders H (the runbook's `on` list,
 *                from the coverage model): some holder of F other than S is not down,
 *                or S is F's only holder (no second copy to keep online)
 *   next         the first server of the queue, in plan order, that may stop; none →
 *                wait for a server in flight to come back; nothing in flight either →
 *                the rest are blocked for good by a server whose start failed
 *
 *   waves        (--dry-run) the same rule played out as if every server took as long:
 *                up to N at once, in queue order, skipping a server that may not stop
 *                yet; each wave ends before the next starts
 *
 * Holders outside the run count as running. Touches nothing.
 */
import type { FolderModel } from '@backplan/language/model';

/** Why a server may not stop now: a folder whose every other holder is down. */
export interface HolderBlock {
    folder: string;
    /** The folder's other holders, all down. */
    down: string[];
}

/** The folder that stopping `server` now would take offline, or undefined when it may stop. */
export function blockingFolder(server: string, folders: readonly FolderModel[], down: ReadonlySet<string>): HolderBlock | undefined {
    for (const folder of folders) {
        const others = [...new Set(folder.holders.map(h => h.name))].filter(name => name !== server);
        if (others.length > 0 && others.every(name => down.has(name))) return { folder: folder.name, down: others };
    }
    return undefined;
}

/** Index in `queue` of the first server that may stop now (-1: none may). */
export function nextStoppable(queue: ReadonlyArray<{ server: { name: string }; folders: readonly FolderModel[] }>, down: ReadonlySet<string>): number {
    return queue.findIndex(sp => blockingFolder(sp.server.name, sp.folders, down) === undefined);
}

/** One server's place in `parallelWaves`. */
export interface WaveSlot<S> {
    item: S;
    /** 1-based. */
    wave: number;
    /** Why it could not go in an earlier wave that had room (the holder rule). */
    waited?: HolderBlock;
}

/**
 * The waves `parallel N` runs in when every server takes equally long: the runner's rule
 * (nextStoppable) applied N slots at a time. A server blocked for good (only by holders
 * of its own wave, which cannot happen: they all come back) is impossible here.
 */
export function parallelWaves<S extends { server: { name: string }; folders: readonly FolderModel[] }>(queue: readonly S[], n: number): Array<WaveSlot<S>> {
    const out: Array<WaveSlot<S>> = [];
    const waited = new Map<S, HolderBlock>();
    let rest = [...queue];
    for (let wave = 1; rest.length > 0; wave++) {
        const down = new Set<string>();
        const inWave: S[] = [];
        while (inWave.length < n) {
            const i = nextStoppable(rest, down);
            // Servers passed over (here, or at the end of a wave with room) say what held them.
            for (const item of i < 0 ? rest : rest.slice(0, i)) {
                const block = blockingFolder(item.server.name, item.folders, down);
                if (block && !waited.has(item)) waited.set(item, block);
            }
            if (i < 0) break;
            inWave.push(rest[i]);
            down.add(rest[i].server.name);
            rest = [...rest.slice(0, i), ...rest.slice(i + 1)];
        }
        if (inWave.length === 0) inWave.push(rest.shift()!); // unreachable: nothing is down at a wave's start
        for (const item of inWave) out.push({ item, wave, waited: waited.get(item) });
    }
    return out;
}
