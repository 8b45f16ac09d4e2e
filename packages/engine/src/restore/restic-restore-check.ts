/**
 * A restic archive checked before anything is stopped (restore, recover) or reported on
 * (verify): what a folder tape's SHA-256 check and entry-safety check are for its archive.
 *
 *   on the host that will run restic (the restored server's):
 *     restic version ≥ 0.14                       ─┐ problems of the place, not of the
 *     the manifest snapshot read (restic dump):    │ archive: restic missing, a wrong
 *       the password opens the repository          ─┘ password, an unreachable repository
 *     it parses, names this data snapshot and this server        ─┐ the archive is bad:
 *     every entry safe to restore (archive/entry-safety.ts)      ─┘ recover plans again
 *                                                                   without it
 * A manifest read ahead beside the catalog's listing (manifest-prefetch.ts) stands for the
 * version check and the read when it describes this snapshot.
 * The manifest is authenticated by restic (only a password holder can write it); the
 * restored tree is compared with it before the swap (restic-restore.ts).
 */
import { unsafeEntries } from '../archive/entry-safety.js';
import type { Host } from '../hosts/host.js';
import { ResticError, type ResticFailureKind } from '../restic/restic-error.js';
import type { ResticCatalogEntry } from '../journal/restic-catalog.js';
import type { ResticManifest } from '../restic/restic-manifest.js';
import { repositoryOn, type ResticRunPlace } from '../restic/restic-places.js';
import type { ResticRepository } from '../restic/restic-repo.js';
import { checkResticVersion } from '../restic/restic-version.js';
import type { ManifestPrefetch } from './manifest-prefetch.js';

/** restic failures that say nothing about the archive: where restic runs, or how it reaches the repository. */
const PLACE_KINDS: ReadonlySet<ResticFailureKind> = new Set<ResticFailureKind>(
    ['missing', 'too-old', 'password-file', 'wrong-password', 'no-repository', 'locked', 'unreachable', 'interrupted', 'timeout', 'host']);

/** The result of a check: the repository and manifest to restore from, or why not. */
export type ResticArchiveCheck =
    | { ok: true; repo: ResticRepository; manifest: ResticManifest }
    | { ok: false; problems: string[]; /** true: the archive itself is bad (not the place). */ bad: boolean };

/** Checks a restic archive from `host` (see the header). Never throws. */
export async function checkResticArchive(entry: ResticCatalogEntry, host: Host, run: ResticRunPlace = {}, signal?: AbortSignal, prefetched?: ManifestPrefetch): Promise<ResticArchiveCheck> {
    const { tape, archive } = entry.restic;
    const repo = repositoryOn(tape, host, run);
    let manifest: ResticManifest;
    try {
        const ahead = await prefetched?.take(entry, host, signal);
        if (ahead) manifest = ahead;
        else {
            await checkResticVersion(repo.shell, { env: repo.target.env, signal });
            manifest = await repo.readManifest(archive, { signal });
        }
    } catch (err) {
        const place = err instanceof ResticError && PLACE_KINDS.has(err.kind);
        return { ok: false, bad: !place, problems: [`tape ${tape.name}: ${(err as Error).message}`] };
    }
    const unsafe = unsafeEntries(manifest.entries);
    if (unsafe.length) return { ok: false, bad: true, problems: unsafe };
    return { ok: true, repo, manifest };
}
