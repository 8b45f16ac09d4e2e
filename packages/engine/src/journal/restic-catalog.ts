/**
 * The archives of restic tapes, for `archives`, `restore`, `recover` and `verify`: one
 * per data snapshot that has its manifest (restic-manifest.ts pairManifests), read from
 * each place of the tape (restic-places.ts) with two `restic snapshots` calls.
 *
 *   id      the data snapshot's short ID (`--archive` takes it, or any longer prefix)
 *   server  the snapshot's `--host`; time: the snapshot's time (after the stop)
 *   dump    restic read the run's `dump` sibling (a `dump` server's backup: one file)
 *   folders its `folder:NAME` tags (paths as the runbook has them now), so that planning
 *           reads no manifest; the chosen archive's manifest is read and checked before
 *           anything is stopped (restic-restore-check.ts)
 *
 * A place that cannot be read (restic missing there, the repository unreachable) is a
 * problem of that tape, said in one line; the other places and tapes are still listed.
 */
import type { RunbookModel, ServerModel, TapeModel } from '@backplan/language/model';
import type { Host } from '../hosts/host.js';
import { isOurSibling } from '../hosts/sibling-names.js';
import type { ArchiveInfo } from '../plan/restore-plan.js';
import type { TapeStore } from '../tape/tape-store.js';
import type { ResticArchive } from '../restic/restic-manifest.js';
import { tapePlaces, type ResticRunPlace, type TapePlace } from '../restic/restic-places.js';
import { BACKPLAN_TAG, isIdOf, tagValue, tagValues } from '../restic/restic-snapshot.js';
import { resticTapeStore } from './restic-tape-store.js';

/** How to reach a runbook's restic tapes. */
export interface ResticCatalogOptions {
    readonly model: RunbookModel;
    readonly hostFor: (server: ServerModel) => Host;
    readonly run?: ResticRunPlace;
    readonly stateDir: string;
}

/** A restic archive with what the verbs need. */
export interface ResticCatalogEntry {
    info: ArchiveInfo;
    /** The tape's lock and records, in the state folder. */
    store: TapeStore;
    restic: { tape: TapeModel; place: TapePlace; archive: ResticArchive; policy?: string };
}

/** A place of a tape that could not be read: the tape, and one line. */
export interface ResticPlaceProblem {
    readonly tape: string;
    readonly text: string;
}

/** Whether an ID names a snapshot: its short ID, or a longer prefix of its full ID. */
export function namesSnapshot(id: string, archive: ResticArchive): boolean {
    return isIdOf(id, archive.snapshot);
}

/** Every Backplan archive of the given restic tapes, oldest first per place; unreadable places in `problems`. */
export async function readResticCatalog(tapes: readonly TapeModel[], options: ResticCatalogOptions): Promise<{ entries: ResticCatalogEntry[]; problems: ResticPlaceProblem[] }> {
    const entries: ResticCatalogEntry[] = [];
    const problems: ResticPlaceProblem[] = [];
    for (const tape of tapes.filter(t => t.restic !== undefined && t.passwordFile !== undefined)) {
        const store = resticTapeStore(tape, options.stateDir);
        for (const place of tapePlaces(options.model, tape, options.hostFor, options.run)) {
            let archives: ResticArchive[];
            try {
                archives = (await place.repo.archives()).archives;
            } catch (err) {
                problems.push({ tape: tape.name, text: `tape ${tape.name}: ${(err as Error).message}` });
                continue;
            }
            archives.sort((a, b) => Date.parse(a.snapshot.time) - Date.parse(b.snapshot.time));
            for (const archive of archives) {
                if (!archive.snapshot.tags.includes(BACKPLAN_TAG)) continue;
                const info: ArchiveInfo = {
                    tape: tape.name, at: tape.restic!, id: archive.snapshot.shortId, server: archive.snapshot.hostname,
                    time: new Date(archive.snapshot.time).toISOString(),
                    folders: tagValues(archive.snapshot, 'folder').map(name => ({ name, path: options.model.folders.find(f => f.name === name)?.path ?? name })),
                    files: 0, size: 0, tarSize: 0, restic: true,
                    // restic read the run's `dump` sibling: the snapshot holds one dump file, for `load`.
                    dump: archive.snapshot.paths.some(p => isOurSibling(p, tagValue(archive.snapshot, 'run') ?? '', 'dump')) || undefined
                };
                entries.push({ info, store, restic: { tape, place, archive, policy: tagValue(archive.snapshot, 'policy') } });
            }
        }
    }
    return { entries, problems };
}
