/**
 * The walk of a folder that cannot change while restic reads it (the application stopped,
 * or a snapshot or dump sibling), made beside `restic backup` to be the manifest of its
 * snapshot instead of listing the snapshot back (run/restic-archive-step.ts):
 *
 *   begin    the host's own clock (date +%s.%N), then Host.listFiles(FOLDER, metadata
 *            only), while restic runs
 *   entries  after restic, one command on the host: FOLDER is a folder (not a symlink) and
 *            nothing below it changed since `begin` (find FOLDER -newerct @T: inode change
 *            times against the same clock); and restic's summary counts what the walk holds
 *            (regular files and their bytes) → the walk, sockets left out as restic leaves
 *            them out; anything else → undefined, and the caller lists the snapshot back
 *   abort    restic failed: the walk stops
 * A stop command that returns before its application is done writing is seen here (the
 * change times), not at restore time as a manifest that differs from the snapshot.
 * Interruption: reads only; nothing is left behind.
 */
import type { ManifestEntry } from '../archive/manifest.js';
import type { Host } from '../hosts/host.js';
import { shQuote } from '../hosts/ssh/remote-quote.js';
import type { ResticBackupSummary } from '../restic/restic-manifest.js';

/** A walk begun beside restic. */
export class StillWalk {
    private constructor(readonly host: Host, readonly folder: string, private readonly stop: AbortController,
        private readonly clock: Promise<string | undefined>, private readonly walk: Promise<ManifestEntry[] | undefined>) {}

    /** Reads the host's clock, then starts the walk; never throws (a failed walk means a listing back). */
    static begin(host: Host, folder: string, signal: AbortSignal): StillWalk {
        const stop = new AbortController();
        const onAbort = (): void => stop.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        const clock = host.run('date +%s.%N', { signal }).then(r => r.ok && /^\d+\.\d+$/.test(r.output.trim()) ? r.output.trim() : undefined, () => undefined);
        const walk = clock.then(t => t === undefined ? undefined : host.listFiles(folder, { hash: false, signal: stop.signal }))
            .catch(() => undefined)
            .finally(() => signal.removeEventListener('abort', onAbort));
        return new StillWalk(host, folder, stop, clock, walk);
    }

    /** Stops the walk (restic failed: it is not needed). */
    abort(): void {
        this.stop.abort();
    }

    /** The walk, when it is what restic read (see the header); else undefined. */
    async entries(summary: ResticBackupSummary, signal: AbortSignal): Promise<ManifestEntry[] | undefined> {
        const [t, walked] = await Promise.all([this.clock, this.walk]);
        if (t === undefined || walked === undefined || !walked.some(e => e.path === '.' && e.type === 'dir')) return undefined;
        const entries = walked.filter(e => e.type !== 'socket');
        let files = 0;
        let bytes = 0;
        for (const e of entries) if (e.type === 'file') { files++; bytes += e.size; }
        if (files !== summary.totalFilesProcessed || bytes !== summary.totalBytesProcessed) return undefined;
        const q = shQuote(this.folder);
        const still = await this.host.run(`[ -d ${q} ] && [ ! -L ${q} ] || { echo not-a-folder; exit 0; }\nfind ${q} -newerct @${t} -print -quit`, { signal })
            .catch(() => undefined);
        return still?.ok && still.output.trim() === '' ? entries : undefined;
    }
}
