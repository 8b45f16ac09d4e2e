/**
 * `verify`: re-read archives (all listed ones of the chosen tapes, or one by ID), check
 * every hash against the manifest, record the result beside the archive. Archives are
 * never modified, moved or deleted; the only write is the `ID.verified.json` record (and
 * not even that when the tape is read-only).
 *
 * No tape lock: verify must work on a read-only (off-site) tape, where no lock can be
 * written, and must not fail because last night's backup is still running. A concurrent
 * `prune` may therefore remove an archive after it was listed. prune deletes the manifest
 * first, so: an archive whose manifest is gone when its check ends was pruned — reported
 * as such (`pruned: true`, not a failure, no verification record written); an archive
 * whose manifest is still there and whose data is missing or differs is corruption.
 */
import { verifyArchive } from '../archiver/archive-verifier.js';
import { localTools } from '../hosts/local-host.js';
import type { Reporter } from '../progress/progress-reporter.js';
import type { TapeStore } from '../tape/tape-store.js';

export interface VerifyOutcome {
    tape: string;
    id: string;
    server?: string;
    ok: boolean;
    problems: string[];
    /** Removed by a concurrent `prune` after it was listed: not checked, not a failure (unless asked for by ID). */
    pruned?: boolean;
}

/** Verifies archives; `archiveId` restricts to one (missing → a failed outcome). */
export async function verifyTapes(tapes: readonly TapeStore[], options: { archiveId?: string; reporter: Reporter; signal?: AbortSignal }): Promise<VerifyOutcome[]> {
    const tools = await localTools();
    const outcomes: VerifyOutcome[] = [];
    for (const tape of tapes) {
        const listed = await tape.list();
        for (const item of listed) {
            if (options.archiveId !== undefined && item.id !== options.archiveId) continue;
            const label = item.manifest?.server ?? item.id;
            options.reporter.step(label, `verifying ${item.id}`);
            const res = await verifyArchive(item, {
                tools, signal: options.signal,
                onProgress: bytes => options.reporter.bytes(label, bytes, item.archiveSize)
            }).catch((err: Error) => ({ ok: false, problems: [err.message] }));
            if (!(await tape.hasManifest(item.id))) {
                // Asked for by ID, it is gone: that is a failure, as it would be a moment later.
                const asked = options.archiveId !== undefined;
                outcomes.push({ tape: tape.name, id: item.id, server: item.manifest?.server, ok: !asked, pruned: true, problems: asked ? ['pruned while verify ran'] : [] });
                options.reporter.end(label, `${item.id}: pruned while verify ran (skipped)`);
                continue;
            }
            outcomes.push({ tape: tape.name, id: item.id, server: item.manifest?.server, ok: res.ok, problems: res.problems });
            options.reporter.end(label, res.ok ? `${item.id}: ok` : `${item.id}: FAILED: ${res.problems[0]}`);
            await tape.writeVerification({ id: item.id, time: new Date().toISOString(), ok: res.ok, kind: 'full', error: res.problems.join('; ') || undefined })
                .catch(() => undefined);
        }
    }
    if (options.archiveId !== undefined && outcomes.length === 0) {
        outcomes.push({ tape: tapes.map(t => t.name).join(', '), id: options.archiveId, ok: false, problems: [`no archive ${options.archiveId} with a manifest on ${tapes.length === 1 ? `tape ${tapes[0].name}` : 'the tapes of this runbook'}`] });
    }
    return outcomes;
}
