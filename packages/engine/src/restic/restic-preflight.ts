/**
 * Pre-flight of a restic tape on one server's host, before anything is stopped (DESIGN §9):
 *
 *   restic version   → present and 0.14 or later        (ResticError missing / too-old)
 *   restic cat config→ the password file opens the repository there, or there is none yet
 *                      (ResticError password-file / wrong-password / unreachable / host)
 *
 * `exists: false` is not a failure: `backup` creates the repository (and says so); other
 * verbs have nothing to read.
 */
import type { ResticRepository } from './restic-repo.js';
import { checkResticVersion, type ResticVersion } from './restic-version.js';

/** What pre-flight found on one host. */
export interface ResticPreflight {
    readonly version: ResticVersion;
    readonly exists: boolean;
}

/** Checks restic and the repository from the repository's host; throws ResticError when it cannot be used. */
export async function resticPreflight(repo: ResticRepository, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ResticPreflight> {
    const version = await checkResticVersion(repo.shell, { env: repo.target.env, signal: options.signal });
    const exists = await repo.exists(options);
    return { version, exists };
}
