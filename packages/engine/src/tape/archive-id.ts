/**
 * Archive and run IDs: `20261125T124501.123Z-Mail1-3fa2` — UTC time first so that IDs
 * sort by time as plain strings, then the server (IDs are file names: server names are
 * `[_a-zA-Z][\w-]*`), then 4 random hex digits against collisions.
 */
import { randomBytes } from 'node:crypto';

const ID = /^(\d{8}T\d{6}\.\d{3}Z)-([_a-zA-Z][\w-]*)-([0-9a-f]{4})$/;

/** A compact, sortable UTC time stamp. */
export function compactTime(date: Date): string {
    return date.toISOString().replace(/[-:]/g, '');
}

/** A new archive ID for a server. */
export function newArchiveId(server: string, date = new Date()): string {
    return `${compactTime(date)}-${server}-${randomBytes(2).toString('hex')}`;
}

/** A new run ID. */
export function newRunId(date = new Date()): string {
    return `${compactTime(date)}-run-${randomBytes(2).toString('hex')}`;
}

/** Whether a string is an archive ID. */
export function isArchiveId(id: string): boolean {
    return ID.test(id);
}

/** The server an archive ID names (undefined when it is not an archive ID). */
export function archiveIdServer(id: string): string | undefined {
    return ID.exec(id)?.[2];
}

/** The time an archive ID was made. */
export function archiveIdTime(id: string): Date | undefined {
    const m = ID.exec(id);
    if (!m) return undefined;
    const t = m[1];
    return new Date(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13)}`);
}
