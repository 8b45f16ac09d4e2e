/**
 * Backplan's own side of a restic tape, in the state folder: a restic repository has no
 * folder of Backplan's (an S3 bucket, a REST server), so what a folder tape keeps beside
 * its archives lives here instead, one folder per repository string:
 *
 *   STATE/restic-tapes/<16 hex of the repository>/lock.json          the tape's lock (tape-lock.ts)
 *   STATE/restic-tapes/<…>/archives/SNAPSHOT.verified.json           the last verify of a snapshot
 *   STATE/restic-tapes/<…>/runs/RUN.json                              finished runs' records
 *
 * It is a TapeStore (tape-store.ts) that never holds archives, so the run kernel locks,
 * records and copies run records for both kinds of tape the same way. The lock keeps two
 * Backplan runs on this machine from interleaving on one repository; restic's own locks
 * in the repository keep restic processes from each other.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { TapeModel } from '@backplan/language/model';
import type { Journal } from './journal.js';
import { TapeStore } from '../tape/tape-store.js';

/** The state folder a journal lives in (STATE/journals/FILE, state-dir.ts). */
export function stateDirOf(journal: Journal): string {
    return path.dirname(path.dirname(journal.file));
}

/** The store of a restic tape in the state folder (see the header). */
export function resticTapeStore(tape: Pick<TapeModel, 'name' | 'restic'>, stateDir: string): TapeStore {
    const key = createHash('sha256').update(tape.restic ?? '').digest('hex').slice(0, 16);
    return new TapeStore(tape.name, path.join(stateDir, 'restic-tapes', key));
}

/** The store that holds a tape's lock and records: its folder, or its state-folder side for a restic tape (made when missing). */
export async function tapeStoreOf(tape: TapeModel, stateDir: string): Promise<TapeStore> {
    if (tape.restic === undefined) return TapeStore.of(tape);
    const store = resticTapeStore(tape, stateDir);
    await store.ensure();
    return store;
}
