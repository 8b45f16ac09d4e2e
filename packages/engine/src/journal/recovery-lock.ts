/**
 * One recovery at a time per journal: a killed run's guardian, `repair` and the next
 * command may all find the same killed run at the same moment. Without this, two of them
 * would start its applications together and could finish one swap twice.
 *
 *   lock:  JOURNAL.recovery-lock, made like a tape lock (tape/tape-lock.ts: O_EXCL, pid,
 *          host, token; a dead holder on this host — a zombie too — is taken over)
 *          held by a live process on this host → wait (its start commands have timeouts)
 *          held from another host, or the folder refuses the file → go on without it, as
 *          before the lock existed: a recovery is idempotent, never blocked for ever
 *   body:  re-read the journal under the lock (the other recoverer may have done it all)
 *   unlock
 *
 * Interruption: a recoverer killed under the lock leaves the file; its pid is dead and the
 * next recoverer takes it over.
 */
import * as os from 'node:os';
import { LockHeldError, TapeLock } from '../tape/tape-lock.js';
import type { Journal } from './journal.js';

/** How the lock's messages name it. */
const SUBJECT = "the recovery of this runbook's killed runs";

/** Runs `body` holding the journal's recovery lock (or without it, said, when it cannot be had). */
export async function withRecoveryLock<T>(journal: Journal, by: string, notice: (m: string) => void, body: () => Promise<T>): Promise<T> {
    const lock = await acquire(journal, by, notice);
    try {
        return await body();
    } finally {
        await lock?.release();
    }
}

async function acquire(journal: Journal, by: string, notice: (m: string) => void): Promise<TapeLock | undefined> {
    let announced = false;
    for (;;) {
        try {
            return await TapeLock.acquire('recovery', '', { command: by, file: `${journal.file}.recovery-lock`, subject: SUBJECT, notice });
        } catch (err) {
            if (err instanceof LockHeldError && err.holder?.host === os.hostname()) {
                if (!announced) notice(`${SUBJECT} is under way by pid ${err.holder.pid} ("${err.holder.command}"); waiting for it…`);
                announced = true;
                await new Promise(resolve => setTimeout(resolve, 100));
                continue;
            }
            const why = err instanceof LockHeldError ? `it is held from ${err.holder ? `host ${err.holder.host}` : 'an unreadable lock file'}` : (err as Error).message;
            notice(`warning: ${SUBJECT} goes on without its lock (${why})`);
            return undefined;
        }
    }
}
