/**
 * The journal of one runbook: append-only JSON lines, each fsynced before `append`
 * returns, so a record survives a crash or SIGKILL right after it was written.
 *
 *   append: open O_APPEND → write one line → fsync → close
 *   read:   every line that is JSON of a known record shape (schema/json-schemas.ts); a
 *           torn last line from a crash is skipped quietly, any other damaged line is
 *           skipped and kept in `damaged` for the caller to report: one bad line never
 *           blocks a command (recovery, backup, history); a reader that needs only some
 *           records (status, on a year of history) names the lines it can skip unparsed
 *   readTail: the same for the newest lines only, read backwards in growing tails until the
 *           reader has enough (status: a night's runs, not a year's)
 *
 * Interruption: at most a torn last line, which readers skip.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkShape, ShapeError } from '../schema/json-schemas.js';
import { openRegularFile, readUntrustedText, UntrustedFileError } from '../schema/untrusted-file.js';
import type { JournalRecord } from './journal-record.js';
import { journalFile } from './state-dir.js';
import { makeDirs } from '../tape/make-dirs.js';

/** A journal line that was skipped, and why. */
export interface DamagedLine { line: number; reason: string }

/** What a reader of the journal needs of it. */
export interface JournalReadOptions {
    /**
     * Lines for which this returns true are skipped unparsed and unchecked: a cheap test on
     * the raw line (a substring) saves parsing records the reader would ignore.
     */
    skip?: (line: string) => boolean;
}

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

    /** Every record (none when the journal does not exist yet), less the lines `options.skip` skips. */
    async read(options: JournalReadOptions = {}): Promise<JournalRecord[]> {
        let text: string;
        try {
            text = await readUntrustedText(this.file, MAX_JOURNAL_BYTES);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw err;
        }
        const { records, bad } = parseLines(text, options.skip, true);
        this.damaged = bad.map(b => describeDamage(b.index + 1, b.err));
        return records;
    }

    /**
     * The newest records, oldest first: tails of the journal read backwards, growing
     * (256 KiB, then four times as much each time), until `enough(tail)` holds or the whole
     * journal is read. A reader that needs only the latest runs (status) reads the last
     * nights, not a year of them. Each byte is read and parsed once; tails are cut at line
     * starts (a newline byte is never inside a UTF-8 sequence).
     */
    async readTail(enough: (records: readonly JournalRecord[]) => boolean, options: JournalReadOptions = {}): Promise<JournalRecord[]> {
        let handle: fs.FileHandle;
        try {
            handle = await openRegularFile(this.file);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw err;
        }
        try {
            const { size } = await handle.stat();
            if (size > MAX_JOURNAL_BYTES) throw new UntrustedFileError(this.file, `is ${size} bytes, more than the ${MAX_JOURNAL_BYTES} a journal may hold: refused`);
            let records: JournalRecord[] = [];
            const damaged: DamagedLine[] = [];
            let end = size;
            for (let chunk = TAIL_CHUNK; end > 0; chunk *= 4) {
                const start = Math.max(0, end - chunk);
                const bytes = await readRange(handle, start, end);
                const cut = start === 0 ? 0 : bytes.indexOf(0x0a) + 1;
                if (cut === 0 && start > 0) continue; // one line longer than the chunk: read more
                const { records: older, bad } = parseLines(bytes.subarray(cut).toString('utf8'), options.skip, end === size);
                if (bad.length) {
                    const first = 1 + await countNewlines(handle, start + cut);
                    damaged.unshift(...bad.map(b => describeDamage(first + b.index, b.err)));
                }
                records = older.concat(records);
                end = start + cut;
                if (enough(records)) break;
            }
            this.damaged = damaged;
            return records;
        } finally {
            await handle.close();
        }
    }
}

/** The first tail `readTail` reads: a few nights of a 20-server runbook. */
const TAIL_CHUNK = 256 << 10;

/** A line that could not be used: its index in the text, and why. */
interface BadLine { index: number; err: unknown }

/**
 * The records of JSON lines, less skipped ones. A last line without its newline
 * (`tornAtEnd`: the text ends the file) is a write torn by a crash: expected, not damage.
 */
function parseLines(text: string, skip: JournalReadOptions['skip'], tornAtEnd: boolean): { records: JournalRecord[]; bad: BadLine[] } {
    const records: JournalRecord[] = [];
    const bad: BadLine[] = [];
    const lines = text.split('\n');
    lines.forEach((line, i) => {
        if (line.trim() === '' || skip?.(line)) return;
        try {
            records.push(checkShape<JournalRecord>('journal-record', JSON.parse(line), 'a line'));
        } catch (err) {
            if (!(tornAtEnd && i === lines.length - 1 && err instanceof SyntaxError)) bad.push({ index: i, err });
        }
    });
    return { records, bad };
}

/** A damaged line as reported, with its number in the journal. */
function describeDamage(line: number, err: unknown): DamagedLine {
    if (err instanceof SyntaxError) return { line, reason: `line ${line} is not JSON (${err.message.slice(0, 120)})` };
    const reason = err instanceof ShapeError ? new ShapeError(`line ${line}`, err.reason).message : (err as Error).message;
    return { line, reason: reason.slice(0, 200) };
}

/** Bytes [start, end) of an open file. */
async function readRange(handle: fs.FileHandle, start: number, end: number): Promise<Buffer> {
    const bytes = Buffer.alloc(end - start);
    for (let done = 0; done < bytes.length;) {
        const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
        if (bytesRead === 0) throw new Error('the journal shrank while it was read');
        done += bytesRead;
    }
    return bytes;
}

/** How many newlines the file holds before `end` (for the numbers of damaged lines in a tail). */
async function countNewlines(handle: fs.FileHandle, end: number): Promise<number> {
    let count = 0;
    for (let at = 0; at < end; at += 1 << 20) {
        const bytes = await readRange(handle, at, Math.min(end, at + (1 << 20)));
        for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) count++;
    }
    return count;
}
