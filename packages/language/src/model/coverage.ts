/**
 * Coverage: where the copies of each folder and of each mail server's data live.
 *
 * A copy of folder F exists on every server in F's `on` list, and on tape T when some
 * backup sends to T a server that holds F. A mail server's data has one copy on the server
 * and one on every tape a backup sends it to (mail is never replicated). Copies are counted
 * as declared: a holder with a bad host or a backup with a bad schedule still counts.
 */
import type { BackupModel, FolderModel, ServerModel, TapeModel } from './runbook-model.js';

/** A tape that holds a copy, and the backups and servers that put it there. */
export interface TapeCopy {
    readonly tape: TapeModel;
    readonly backups: readonly BackupModel[];
    readonly servers: readonly ServerModel[];
}

/** The copies of one folder or of one mail server's data. */
export interface Coverage {
    readonly kind: 'folder' | 'mail';
    readonly subject: FolderModel | ServerModel;
    /** Servers holding a copy. */
    readonly servers: readonly ServerModel[];
    /** Tapes holding a copy. */
    readonly tapes: readonly TapeCopy[];
    /** Number of copies: servers plus tapes. */
    readonly copies: number;
    /** Whether some copy is on an `offsite` tape. */
    readonly offsite: boolean;
}

/** Computes the coverage of every folder and every mail server, in one linear pass. */
export function computeCoverage(
    servers: readonly ServerModel[],
    folders: readonly FolderModel[],
    backups: readonly BackupModel[]
): Map<FolderModel | ServerModel, Coverage> {
    const tapesOf = indexTapesByServer(backups);
    const result = new Map<FolderModel | ServerModel, Coverage>();
    for (const folder of folders) {
        result.set(folder, makeCoverage('folder', folder, folder.holders, tapesOf));
    }
    for (const server of servers) {
        if (server.role === 'mail') {
            result.set(server, makeCoverage('mail', server, [server], tapesOf));
        }
    }
    return result;
}

type TapeIndex = Map<ServerModel, Map<TapeModel, BackupModel[]>>;

function indexTapesByServer(backups: readonly BackupModel[]): TapeIndex {
    const index: TapeIndex = new Map();
    for (const backup of backups) {
        if (!backup.tape) continue;
        for (const server of backup.servers) {
            let tapes = index.get(server);
            if (!tapes) index.set(server, tapes = new Map());
            let via = tapes.get(backup.tape);
            if (!via) tapes.set(backup.tape, via = []);
            via.push(backup);
        }
    }
    return index;
}

function makeCoverage(kind: Coverage['kind'], subject: FolderModel | ServerModel,
    holders: readonly ServerModel[], tapesOf: TapeIndex): Coverage {
    const tapes = new Map<TapeModel, { backups: Set<BackupModel>; servers: ServerModel[] }>();
    for (const holder of holders) {
        for (const [tape, via] of tapesOf.get(holder) ?? []) {
            let copy = tapes.get(tape);
            if (!copy) tapes.set(tape, copy = { backups: new Set(), servers: [] });
            via.forEach(b => copy!.backups.add(b));
            copy.servers.push(holder);
        }
    }
    const tapeCopies: TapeCopy[] = [...tapes].map(([tape, c]) => ({ tape, backups: [...c.backups], servers: c.servers }));
    return {
        kind,
        subject,
        servers: holders,
        tapes: tapeCopies,
        copies: holders.length + tapeCopies.length,
        offsite: tapeCopies.some(c => c.tape.offsite)
    };
}
