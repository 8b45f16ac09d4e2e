/**
 * Room for a drill's copy: the archive's files (not sparse ones' holes) must fit in the
 * folder the scratch goes to, on the host it is made on (host-folders.ts roomShortfall,
 * as for a restore's staging). Reads only.
 */
import type { ManifestEntry } from '../archive/manifest.js';
import type { Host } from '../hosts/host.js';
import { roomShortfall } from '../hosts/host-folders.js';
import { formatBytes } from '../progress/progress-reporter.js';

/** Throws when the entries' files do not fit in `base` on `host`. */
export async function checkRoom(entries: readonly ManifestEntry[], host: Host, base: string): Promise<void> {
    const short = await roomShortfall(host, base, entries);
    if (short) {
        throw new Error(`the archive's files need ${formatBytes(short.needed)} in ${base}, and ${formatBytes(short.free)} is free: make room, or drill into a larger folder with --target DIR; nothing was restored`);
    }
}
