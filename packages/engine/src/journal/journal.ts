/**
 * The journal of one runbook: append-only JSON lines, each fsynced before `append`
 * returns, so a record survives a crash or SIGKILL right after it was written.
 *
 *   append: open O_APPEND → write one line → fsync → close
 *   read:   every line that is JSON of a known record shape (schema/json-schemas.ts); a
 *           torn last line from a crash is skipped quietly, any other damaged line is
 *           skipped and kept in `damaged` for the caller to report: one bad line never
 *           blocks a command (recovery, backup, history)
 *
 * Interruption: at most a torn last line, which readers skip.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkShape } from '../schema/json-schemas.js';
import { readUntrustedText } from '../schema/untrusted-file.js';
import type { JournalRecord } from './journal-record.js';
import { journalFile } from './state-dir.js';
import { makeDirs } from '../tape/make-dirs.js';

/** A journal line that was skipped, and why. */
export interface DamagedLine { line: number; reason: string }

/** Journals beyond this are refused unread (a year of nightly runs is a few MB). */
const MAX_JOURNAL_BYTES = 256 << 20;

export class Journal {
    /** Lines the last `read` skipped (torn last lines excepted). */
    damaged: DamagedLine[] = [];

    constructor(readonly file: string) {}

    /** The journal of a runbook in a state folder. */
    static forRunbook(stateDir: string, runbookPath: string): Journal {
        return new Journal(journalFile(stateDir, runbookPath));
    }

    /** Appends one record durably. */
    async append(record: JournalRecord): Promise<void> {
        const handle = await this.openForAppend();
        try {
            await handle.write(JSON.stringify(record) + '\n');
            await handle.sync();
        } finally {
            await handle.close();
        }
    }

    /** Opens the journal for appending; makes its folder only when it is missing (first record, or removed since). */
    private async openForAppend(): Promise<fs.FileHandle> {
        try {
            return await fs.open(this.file, 'a', 0o644);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
            await makeDirs(path.dirname(this.file));
            return fs.open(this.file, 'a', 0o644);
        }
    }

    /** Every record (none when the journal does not exist yet). */
    async read(): Promise<JournalRecord[]> {
        let text: string;
        try {
            text = await readUntrustedText(this.file, MAX_JOURNAL_BYTES);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw err;
        }
        const records: JournalRecord[] = [];
        const damaged: DamagedLine[] = [];
        const lines = text.split('\n');
        lines.forEach((line, i) => {
            if (line.trim() === '') return;
            try {
                records.push(checkShape<JournalRecord>('journal-record', JSON.parse(line), `line ${i + 1}`));
            } catch (err) {
                // The last line without its newline is a write torn by a crash: expected, not damage.
                if (!(i === lines.length - 1 && err instanceof SyntaxError)) damaged.push({ line: i + 1, reason: err instanceof SyntaxError ? `line ${i + 1} is not JSON (${err.message.slice(0, 120)})` : (err as Error).message.slice(0, 200) });
            }
        });
        this.damaged = damaged;
        return records;
    }
}
