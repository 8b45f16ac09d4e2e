/**
 * `verify` on restic tapes (DESIGN §9: `restic check --read-data` for the snapshots asked
 * for; §13: "ok" only for a snapshot that `restore` would accept).
 *
 *   archives = the tapes' Backplan snapshots (restic-catalog.ts), or the one `--archive` names
 *   per place (a repository as seen from one host) that holds some of them:
 *     stale restic locks removed when the journal shows no live run (restic-stale-locks.ts)
 *     restic check --read-data          once: restic 0.14 cannot check single snapshots, so
 *                                       every pack is read, every blob decrypted and hashed
 *     per snapshot: its manifest read, naming this snapshot and server; every entry safe
 *                   to restore; equal to restic's own listing of the snapshot (type, size,
 *                   mode, owner, mtime, link target; nothing missing, nothing more)
 *     → ok only when all of that holds; the result recorded in the state folder
 *       (restic-tape-store.ts), shown by `archives`
 *
 * Read-only for the repository (restic check takes restic's lock while it reads); a
 * snapshot forgotten by a concurrent prune fails its manifest read and is reported.
 */
import { unsafeEntries } from '../archive/entry-safety.js';
import type { Journal } from '../journal/journal.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { compareTree } from '../archiver/verify-restored.js';
import type { VerifyOutcome } from './verify-tapes.js';
import type { TapeModel } from '@backplan/language/model';
import { namesSnapshot, readResticCatalog, type ResticCatalogEntry, type ResticCatalogOptions } from '../journal/restic-catalog.js';
import { snapshotRoot } from '../restic/restic-entries.js';
import type { TapePlace } from '../restic/restic-places.js';
import { removeStaleLocks } from '../journal/restic-stale-locks.js';

/** What a restic verify needs besides the tapes. */
export interface ResticVerifyOptions extends ResticCatalogOptions {
    readonly archiveId?: string;
    readonly reporter: Reporter;
    readonly journal: Journal;
    readonly signal?: AbortSignal;
}

/** The problems of one snapshot, given its repository's check (undefined: it passed). */
async function snapshotProblems(entry: ResticCatalogEntry, checkFailure: string | undefined, signal?: AbortSignal): Promise<string[]> {
    const { place, archive } = entry.restic;
    const problems = checkFailure === undefined ? [] : [`restic check --read-data failed: ${checkFailure}`];
    try {
        const manifest = await place.repo.readManifest(archive, { signal });
        problems.push(...unsafeEntries(manifest.entries));
        const listed = await place.repo.entries(archive.snapshot.id, snapshotRoot(manifest.source ?? manifest.data), { signal });
        const differ = compareTree(manifest.entries, listed, true, false);
        if (differ.length) problems.push(`the manifest differs from restic's listing of the snapshot: ${differ.slice(0, 5).join('; ')}`);
    } catch (err) {
        problems.push((err as Error).message);
    }
    return problems;
}

/** Verifies the Backplan snapshots of restic tapes (see the header). Never throws for what it finds. */
export async function verifyResticTapes(tapes: readonly TapeModel[], options: ResticVerifyOptions): Promise<VerifyOutcome[]> {
    const { entries, problems } = await readResticCatalog(tapes, options);
    const outcomes: VerifyOutcome[] = problems.map(p => ({ tape: p.tape, id: 'repository', ok: false, problems: [p.text] }));
    const chosen = options.archiveId === undefined ? entries : entries.filter(e => namesSnapshot(options.archiveId!, e.restic.archive));
    const places = new Map<TapePlace, ResticCatalogEntry[]>();
    for (const e of chosen) places.set(e.restic.place, [...(places.get(e.restic.place) ?? []), e]);
    for (const [place, list] of places) {
        const label = list[0].info.tape;
        options.reporter.step(label, `restic check --read-data of ${place.repo.target.repository} (the whole repository) on ${place.host.label}`);
        await removeStaleLocks(place.repo, options.journal, undefined, m => options.reporter.notice(m)).catch(() => undefined);
        const checkFailure = await place.repo.check({ readData: true, signal: options.signal }).then(() => undefined, (err: Error) => err.message);
        for (const entry of list) {
            options.reporter.step(entry.info.server, `verifying snapshot ${entry.info.id}`);
            const found = await snapshotProblems(entry, checkFailure, options.signal);
            const ok = found.length === 0;
            outcomes.push({ tape: entry.info.tape, id: entry.info.id, server: entry.info.server, ok, problems: found });
            options.reporter.end(entry.info.server, ok ? `${entry.info.id}: ok` : `${entry.info.id}: FAILED: ${found[0]}`);
            await entry.store.ensure().then(() => entry.store.writeVerification({ id: entry.info.id, time: new Date().toISOString(), ok, kind: 'restic-read-data', error: found.join('; ') || undefined }))
                .catch(() => undefined);
        }
        options.reporter.end(label, checkFailure === undefined ? `${place.repo.target.repository}: restic check --read-data ok` : `${place.repo.target.repository}: restic check FAILED`);
    }
    return outcomes;
}
