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
 *            a walk not done when restic is done is given up (never a longer stop window)
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
    /** The host's clock when the walk began, and the walk, once both are done (undefined until then, or when either failed). */
    private done?: { clock: string; walked: ManifestEntry[] };

    private constructor(readonly host: Host, readonly folder: string, private readonly stop: AbortController) {}

    /** Reads the host's clock, then starts the walk; never throws (a failed walk means a listing back). */
    static begin(host: Host, folder: string, signal: AbortSignal): StillWalk {
        const stop = new AbortController();
        const onAbort = (): void => stop.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        const walk = new StillWalk(host, folder, stop);
        void (async () => {
            const r = await host.run('date +%s.%N', { signal: stop.signal });
            const clock = r.output.trim();
            if (!r.ok || !/^\d+\.\d+$/.test(clock)) return;
            walk.done = { clock, walked: await host.listFiles(folder, { hash: false, signal: stop.signal }) };
        })().catch(() => undefined).finally(() => signal.removeEventListener('abort', onAbort));
        return walk;
    }

    /** Stops the walk (restic failed: it is not needed). */
    abort(): void {
        this.stop.abort();
    }

    /**
     * The walk, when it is what restic read (see the header); else undefined. A walk not done
     * when restic is, or a check slower than `timeoutMs` (restic's own time), is given up: the
     * walk never holds the application down longer than restic did.
     */
    async entries(summary: ResticBackupSummary, signal: AbortSignal, timeoutMs: number): Promise<ManifestEntry[] | undefined> {
        const { done } = this;
        this.abort();
        if (done === undefined || !done.walked.some(e => e.path === '.' && e.type === 'dir')) return undefined;
        const entries = done.walked.filter(e => e.type !== 'socket');
        let files = 0;
        let bytes = 0;
        for (const e of entries) if (e.type === 'file') { files++; bytes += e.size; }
        if (files !== summary.totalFilesProcessed || bytes !== summary.totalBytesProcessed) return undefined;
        const q = shQuote(this.folder);
        const still = await this.host.run(`[ -d ${q} ] && [ ! -L ${q} ] || { echo not-a-folder; exit 0; }\nfind ${q} -newerct @${done.clock} -print -quit`, { signal, timeoutMs })
            .catch(() => undefined);
        return still?.ok && still.output.trim() === '' ? entries : undefined;
    }
}
