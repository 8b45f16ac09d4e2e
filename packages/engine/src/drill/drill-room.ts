/**
 * Room for a drill's copy: the archive's files (not sparse ones' holes) must fit in the
 * folder the scratch goes to, on the host it is made on. Unknown free space passes (the
 * restore then fails on its own, with the disk's words). Reads only.
 */
import type { ManifestEntry } from '../archive/manifest.js';
import type { Host } from '../hosts/host.js';
import { freeBytes } from '../hosts/host-folders.js';
import { formatBytes } from '../progress/progress-reporter.js';

/** Throws when the entries' files do not fit in `base` on `host`. */
export async function checkRoom(entries: readonly ManifestEntry[], host: Host, base: string): Promise<void> {
    const needed = entries.reduce((n, e) => n + (e.type === 'file' && !e.sparse ? e.size : 0), 0);
    const free = await freeBytes(host, base).catch(() => undefined);
    if (free !== undefined && needed > free) {
        throw new Error(`the archive's files need ${formatBytes(needed)} in ${base}, and ${formatBytes(free)} is free: make room, or drill into a larger folder with --target DIR; nothing was restored`);
    }
}
