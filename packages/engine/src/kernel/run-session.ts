/**
 * A run session: what every verb that changes something does around its work, once.
 *
 *   begin:  new run id → the run's guardian started (guardian.ts; before anything is
 *           stopped) → journal run-begin (verb, command line, pid, host, runbook, guardian pid)
 *   lock:   each tape the run writes or reads, with one message for a held lock
 *           (LockHeldError names the holder; --wait waits; a dead holder is taken over)
 *   step:   journal step records (with the plan's step number); lock and unlock are steps too
 *   end:    release every lock → journal run-end (ok, every error) → the guardian told the
 *           run ended (it exits) → the run's records copied to every tape the run used (a
 *           tape carries its own history)
 *
 * Interruption: a run killed before `end` has a run-begin without run-end; its guardian
 * starts what it stopped and closes it within seconds, else the next command's recovery
 * (journal/recovery.ts) or `repair` does. Its locks name a dead pid and are taken over by
 * the next run. Killed between spawning the guardian and run-begin: the guardian finds no
 * such run and exits.
 */
import * as os from 'node:os';
import type { Journal } from '../journal/journal.js';
import type { StepRecord } from '../journal/journal-record.js';
import type { Reporter } from '../progress/progress-reporter.js';
import { startGuardian, type GuardianHandle, type GuardianLaunch } from './guardian.js';
import { newRunId } from '../tape/archive-id.js';
import { LockHeldError, TapeLock } from '../tape/tape-lock.js';
import type { TapeStore } from '../tape/tape-store.js';

/** What a session needs. */
export interface RunSessionOptions {
    readonly verb: string;
    /** The command line, for the lock and the journal. */
    readonly command: string;
    readonly runbookPath: string;
    readonly journal: Journal;
    readonly reporter: Reporter;
    readonly signal: AbortSignal;
    /** How to start the run's guardian (none: a killed run waits for the next command or `repair`). */
    readonly guardian?: GuardianLaunch;
}

/** A tape could not be locked: the message says by whom, or why. */
export class TapeLockError extends Error {
    override readonly name = 'TapeLockError';
}

const now = (): string => new Date().toISOString();

/** One run of a verb, journalled from begin to end. */
export class RunSession {
    private readonly locks = new Map<string, TapeLock>();
    private readonly tapes = new Map<string, TapeStore>();
    private guardian?: GuardianHandle;

    private constructor(readonly runId: string, readonly options: RunSessionOptions) {}

    /** Starts a run: a new id and its journal begin record. */
    static async begin(options: RunSessionOptions): Promise<RunSession> {
        const session = new RunSession(newRunId(), options);
        // Before the run exists in the journal, so that no stop can come before it.
        if (options.guardian) session.guardian = await startGuardian(options.guardian, session.runId, m => options.reporter.notice(m));
        await options.journal.append({
            type: 'run', event: 'begin', run: session.runId, time: now(), verb: options.verb, command: options.command,
            pid: process.pid, host: os.hostname(), runbook: options.runbookPath, guardian: session.guardian?.pid
        });
        return session;
    }

    get journal(): Journal {
        return this.options.journal;
    }

    /** Appends a step record of this run (never throws: a journal failure must not hide the work's result). */
    step(fields: Omit<StepRecord, 'type' | 'run' | 'time'>): Promise<void> {
        return this.journal.append({ type: 'step', run: this.runId, time: now(), ...fields }).catch(() => undefined);
    }

    /** Marks a tape as used by this run (its records are copied there at the end). */
    use(tape: TapeStore): void {
        this.tapes.set(tape.name, tape);
    }

    /** Locks a tape for this run, journalled (plan step `n` if given); throws TapeLockError with one line. */
    async lock(tape: TapeStore, options: { wait?: boolean; n?: number } = {}): Promise<void> {
        this.use(tape);
        if (this.locks.has(tape.name)) return;
        const { reporter, signal, command } = this.options;
        try {
            this.locks.set(tape.name, await TapeLock.acquire(tape.name, tape.root, { command, wait: options.wait, notice: m => reporter.notice(m), signal }));
        } catch (err) {
            const error = err instanceof LockHeldError ? err.message
                : signal.aborted ? 'interrupted while waiting for the lock'
                    : `cannot lock tape ${tape.name}: ${(err as Error).message}`;
            await this.step({ event: 'end', step: 'lock', tape: tape.name, n: options.n, ok: false, error });
            throw new TapeLockError(error);
        }
        await this.step({ event: 'end', step: 'lock', tape: tape.name, n: options.n, ok: true });
    }

    /** Releases one tape's lock, journalled (plan step `n` if given). */
    async unlock(tape: TapeStore, n?: number): Promise<void> {
        const lock = this.locks.get(tape.name);
        if (!lock) return;
        this.locks.delete(tape.name);
        await lock.release();
        await this.step({ event: 'end', step: 'unlock', tape: tape.name, n, ok: true });
    }

    /** Ends the run: locks released, run-end journalled, records copied to the tapes used. */
    async end(ok: boolean, errors: ReadonlyArray<string | undefined>): Promise<void> {
        for (const tape of [...this.locks.keys()]) await this.unlock(this.tapes.get(tape)!);
        const error = errors.filter(Boolean).join('; ') || undefined;
        await this.journal.append({ type: 'run', event: 'end', run: this.runId, time: now(), ok, error }).catch(() => undefined);
        this.guardian?.release();
        const records = (await this.journal.read().catch(() => [])).filter(r => r.run === this.runId);
        for (const tape of this.tapes.values()) {
            await tape.writeRunRecord(this.runId, records)
                .catch(err => this.options.reporter.notice(`warning: the run record could not be copied to tape ${tape.name}: ${(err as Error).message}`));
        }
    }
}
