/**
 * Accessors for declarations whose attributes the grammar collects into arrays (so that a
 * repeated attribute survives parsing). The first occurrence is the one that counts; the
 * validator reports the others as `attribute.duplicate`.
 */
import type { Backup, Folder, Server, Tape } from '../generated/ast.js';

/** The first value of an attribute array, or undefined when the attribute is absent. */
export function first<T>(values: readonly T[]): T | undefined {
    return values.length > 0 ? values[0] : undefined;
}

/** The role of a server, `undefined` when missing. */
export function serverRole(server: Server): 'mail' | 'catalog' | undefined {
    const role = first(server.role)?.kind;
    return role === 'mail' || role === 'catalog' ? role : undefined;
}

/** Whether a server is declared `master` (on its first `role` line). */
export function isMaster(server: Server): boolean {
    return first(server.role)?.master ?? false;
}

/** The folder's path below a server's data folder: `path` when given, else its name. */
export function folderPath(folder: Folder): string {
    return first(folder.path) ?? folder.name;
}

/** The tape a backup sends to, when declared and resolved. */
export function backupTape(backup: Backup): Tape | undefined {
    return first(backup.to)?.ref;
}

/** Every resolved server reference of a backup, across its `servers` lines, in order. */
export function backupServers(backup: Backup): Server[] {
    const result: Server[] = [];
    for (const list of backup.servers) {
        for (const ref of list.refs) {
            if (ref.ref) result.push(ref.ref);
        }
    }
    return result;
}

/** `rolling` (default) or the `parallel N` limit of a backup. */
export function backupParallelism(backup: Backup): number {
    const mode = first(backup.mode);
    if (!mode || mode.rolling) return 1;
    return Math.max(1, mode.parallel ?? 1);
}

/** Whether a tape is marked `offsite`. */
export function isOffsite(tape: Tape): boolean {
    return tape.offsite.length > 0;
}
