/**
 * The newest manifest of a server's restic tapes, read beside the catalog's listing, so
 * that a restore of the newest archive does not open the repository twice in a row
 * (restic derives its key with scrypt on every open, ≈ 0.5 s).
 *
 *   start(S)   for each restic tape S backs up to, on S's host, at once and side by side:
 *                restic version ≥ 0.14 (a restic too old: nothing read ahead), and
 *                restic dump --no-lock --host S --tag backplan-manifest latest /backplan-manifest.json
 *              a failure is kept quiet: the archive check reads the manifest again the
 *              usual way (restic-restore-check.ts) and says what is wrong
 *   take(E)    the manifest read for E's tape, only when it parses and describes E's data
 *              snapshot and server (parseResticManifest): else undefined, and the check
 *              reads E's own manifest snapshot
 *   dispose()  reads still running get SIGINT (so does the run's signal, while take waits)
 *
 * A manifest is accepted by what it says, not by which manifest snapshot held it: restic
 * authenticates both (only a password holder writes the repository), and the restored
 * tree is compared with it before any swap.
 * Interruption: `--no-lock` reads leave nothing behind.
 */
import type { RunbookModel, ServerModel } from '@backplan/language/model';
import type { Host } from '../hosts/host.js';
import type { ResticCatalogEntry } from '../journal/restic-catalog.js';
import { parseResticManifest, type ResticManifest } from '../restic/restic-manifest.js';
import { repositoryOn, serversOfTape, type ResticRunPlace } from '../restic/restic-places.js';
import { checkResticVersion } from '../restic/restic-version.js';
import { prepareShape } from '../schema/json-schemas.js';

/** Newest manifests read ahead, per (host, tape, server). */
export class ManifestPrefetch {
    private readonly reads = new Map<string, Promise<string | undefined>>();
    private readonly abort = new AbortController();

    constructor(private readonly run: ResticRunPlace = {}) {}

    private static key(host: string, tape: string, server: string): string {
        return `${host}\n${tape}\n${server}`;
    }

    /** Starts reading the newest manifest of `server` on each restic tape it backs up to, from `host`. */
    start(model: RunbookModel, server: ServerModel, host: Host): void {
        const { signal } = this.abort;
        const tapes = model.tapes.filter(t => t.restic !== undefined && t.passwordFile !== undefined && serversOfTape(model, t).includes(server));
        for (const tape of tapes) {
            const key = ManifestPrefetch.key(host.label, tape.name, server.name);
            if (this.reads.has(key)) continue;
            const repo = repositoryOn(tape, host, this.run);
            // Side by side: the version takes milliseconds, the dump a repository open; a restic too old fails the pair.
            const read = Promise.all([checkResticVersion(repo.shell, { env: repo.target.env, signal }), repo.latestManifestText(server.name, { signal })])
                .then(([, text]) => text, () => undefined);
            this.reads.set(key, read);
        }
        // While restic opens the repository this process is idle: compile the manifest's schema then.
        setImmediate(() => prepareShape('restic-manifest'));
    }

    /** The manifest read ahead for the entry, when it is the entry's (see the header); `signal` ends the wait (and the reads). */
    async take(entry: ResticCatalogEntry, host: Host, signal?: AbortSignal): Promise<ResticManifest | undefined> {
        const { tape, archive } = entry.restic;
        const onAbort = (): void => this.dispose();
        signal?.addEventListener('abort', onAbort, { once: true });
        if (signal?.aborted) this.dispose();
        const text = await this.reads.get(ManifestPrefetch.key(host.label, tape.name, archive.snapshot.hostname));
        signal?.removeEventListener('abort', onAbort);
        if (text === undefined) return undefined;
        try {
            return parseResticManifest(text, archive.snapshot);
        } catch {
            return undefined;
        }
    }

    /** Ends the reads still running (a plan that needs none of them). */
    dispose(): void {
        this.abort.abort();
    }
}
