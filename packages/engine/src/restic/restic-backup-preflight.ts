/**
 * The restic part of a backup's pre-flight (run/preflight.ts), before the first stop:
 * for each server that backs up to a restic tape, on that server's host,
 *
 *   restic version   present and ≥ 0.14                  (else: that server is refused)
 *   restic list locks the password file is there and opens the repository, the
 *                    repository is reachable              (else: that server is refused)
 *                    no repository yet → noted: `backup` creates it after the lock;
 *                    its locks → noted: stale ones are removed after the lock
 *
 * Once per (host, tape): servers on one host share the answer (and one `restic init`
 * later). A refused server is never stopped, like a server whose host is unreachable.
 * Reads only: nothing is created here.
 */
import type { ServerModel, TapeModel } from '@backplan/language/model';
import type { Host } from '../hosts/host.js';
import type { BackupPlanItem } from '../plan/backup-plan.js';
import { repositoryOn, type ResticRunPlace } from './restic-places.js';
import { ResticError } from './restic-error.js';
import type { ResticRepository } from './restic-repo.js';
import { checkResticVersion, type ResticVersion } from './restic-version.js';

const TIMEOUT_MS = 5 * 60_000;


/** A server's restic repository and the restic version on its host, once pre-flight checked them. */
export interface ResticServerTarget {
    readonly repo: ResticRepository;
    readonly version: ResticVersion;
}

/** restic's version on the host, then the repository's locks (or that there is none yet). */
async function inspect(key: string, repo: ResticRepository): Promise<{ state: ResticPlaceState; version: ResticVersion }> {
    const version = await checkResticVersion(repo.shell, { env: repo.target.env });
    try {
        return { state: { key, repo, exists: true, locks: await repo.lockIds({ timeoutMs: TIMEOUT_MS }) }, version };
    } catch (err) {
        if (err instanceof ResticError && err.kind === 'no-repository') return { state: { key, repo, exists: false, locks: [] }, version };
        throw err;
    }
}

/** One repository as seen from one host, as pre-flight found it. */
export interface ResticPlaceState {
    readonly key: string;
    readonly repo: ResticRepository;
    /** false: no repository there yet (`backup` runs `restic init` before any stop). */
    exists: boolean;
    /** The IDs of the locks pre-flight saw (none: no stale lock to look at). */
    readonly locks: readonly string[];
}

/** What the restic pre-flight found, for the runner. */
export class ResticBackupPreflight {
    /** Per `TAPE/SERVER`: the server's repository and its restic. */
    readonly targets = new Map<string, ResticServerTarget & { place: ResticPlaceState }>();
    private readonly places = new Map<string, Promise<{ state: ResticPlaceState; version: ResticServerTarget['version'] }>>();

    constructor(readonly items: readonly BackupPlanItem[], readonly run: ResticRunPlace = {}) {}

    /** The key of a server's restic tape in `targets`. */
    static key(tape: string, server: string): string {
        return `${tape}/${server}`;
    }

    /** The restic tapes a server backs up to in this run. */
    private tapesOf(server: ServerModel): TapeModel[] {
        const tapes = this.items.filter(i => i.tape.restic !== undefined && i.servers.some(sp => sp.server === server)).map(i => i.tape);
        return [...new Set(tapes)];
    }

    /** Whether the server backs up to a folder tape in this run (it then needs tar). */
    needsTar(server: ServerModel): boolean {
        return this.items.some(i => i.tape.restic === undefined && i.servers.some(sp => sp.server === server));
    }

    /** Checks each restic tape of the server from its host; the reason it cannot run (undefined: all well). */
    async check(server: ServerModel, host: Host): Promise<string | undefined> {
        for (const tape of this.tapesOf(server)) {
            const key = `${host.label} ${tape.name}`;
            let found = this.places.get(key);
            if (!found) {
                const repo = repositoryOn(tape, host, this.run);
                found = inspect(key, repo);
                this.places.set(key, found);
            }
            try {
                const { state, version } = await found;
                this.targets.set(ResticBackupPreflight.key(tape.name, server.name), { repo: state.repo, version, place: state });
            } catch (err) {
                return `tape ${tape.name}: ${(err as Error).message}`;
            }
        }
        return undefined;
    }
}
