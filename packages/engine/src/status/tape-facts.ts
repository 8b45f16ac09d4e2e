/**
 * What the status reads from a tape: each server's last verification by `backplan verify`
 * and the size of an archive whose run did not journal it. File names and small records
 * only: no manifest is opened, so a tape of a year of archives reads in milliseconds.
 *
 *   names   = the archives folder's listing, once per tape (TapeStore.listNames)
 *   verify  = for a server, its listed archives newest first: read each verification
 *             record until one of a full check (`backplan verify`, kind `full`) that
 *             passed; the last verify is the newest full check among those read (the
 *             backup's own re-read of the archive hash is not a verify)
 *   size    = the size of the archive's file, found by name (never followed if a symlink)
 *
 * A tape that cannot be read (an off-site disk not mounted) gives no facts and one
 * problem line; the status is still made from the journal.
 */
import { assertRegularFile } from '../schema/untrusted-file.js';
import { archiveIdServer } from '../tape/archive-id.js';
import type { TapeStore } from '../tape/tape-store.js';
import * as path from 'node:path';

/** One verification of an archive. */
export interface VerifyFact { archive: string; time: string; ok: boolean; error?: string }

/** A server's verifications, as far as the tape records them. */
export interface ServerVerify { last?: VerifyFact; lastOk?: VerifyFact }

type Listing = Awaited<ReturnType<TapeStore['listNames']>>;

/** The facts of one tape, read on demand and kept. */
export class TapeFacts {
    private listing?: Promise<Listing | { error: string }>;

    constructor(readonly tape: TapeStore) {}

    /** Why the tape could not be listed (undefined: it could, or was not asked yet). */
    async problem(): Promise<string | undefined> {
        const listing = await this.list();
        return 'error' in listing ? listing.error : undefined;
    }

    /** The server's last full verification, and its last one that passed (see module comment). */
    async verify(server: string): Promise<ServerVerify> {
        const listing = await this.list();
        if ('error' in listing) return {};
        const out: ServerVerify = {};
        for (let i = listing.length - 1; i >= 0 && !out.lastOk; i--) {
            const item = listing[i];
            if (!item.verified || archiveIdServer(item.id) !== server) continue;
            const record = await this.tape.readVerification(item.id);
            if (!record || record.kind !== 'full') continue;
            const fact: VerifyFact = { archive: item.id, time: record.time, ok: record.ok, error: record.error };
            if (!out.last || fact.time > out.last.time) out.last = fact;
            if (fact.ok) out.lastOk = fact;
        }
        return out;
    }

    /** The size of a listed archive's file (undefined: not listed, missing, or not a regular file). */
    async bytes(id: string): Promise<number | undefined> {
        const listing = await this.list();
        const item = 'error' in listing ? undefined : listing.find(a => a.id === id);
        if (!item?.file) return undefined;
        return assertRegularFile(path.join(this.tape.archivesDir, item.file)).catch(() => undefined);
    }

    private list(): Promise<Listing | { error: string }> {
        this.listing ??= this.tape.listNames().catch((err: Error) => ({ error: `tape ${this.tape.name} (${this.tape.root}) cannot be read: ${err.message}` }));
        return this.listing;
    }
}
