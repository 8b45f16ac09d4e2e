/**
 * The journal of one runbook: append-only JSON lines, each fsynced before `append`
 * returns, so a record survives a crash or SIGKILL right after it was written.
 *
 *   append: open O_APPEND → write one line → fsync → close
 *   read:   every complete line (a torn last line from a crash is skipped)
 *
 * Interruption: at most a torn last line, which readers skip.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { JournalRecord } from './journal-record.js';
import { journalFile } from './state-dir.js';
import { makeDirs } from '../tape/make-dirs.js';

export class Journal {
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
            text = await fs.readFile(this.file, 'utf8');
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw err;
        }
        const records: JournalRecord[] = [];
        for (const line of text.split('\n')) {
            if (line.trim() === '') continue;
            try {
                records.push(JSON.parse(line) as JournalRecord);
            } catch { /* a torn line from a crash */ }
        }
        return records;
    }
}
