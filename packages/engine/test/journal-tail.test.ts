/**
 * Journal.readTail: the newest records, read backwards in growing tails until the reader
 * has enough — the same records as `read` gives for that suffix, lines longer than a
 * tail, damaged lines numbered as in the whole file, a torn last line skipped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Journal } from '../src/journal/journal.js';
import type { JournalRecord } from '../src/journal/journal-record.js';
import { jsonLines, madeRun } from './journal-runs.js';

let root: string | undefined;
afterEach(() => { if (root) fs.rmSync(root, { recursive: true, force: true }); root = undefined; });

function journalWith(text: string): Journal {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-tail-'));
    const file = path.join(root, 'j.jsonl');
    fs.writeFileSync(file, text);
    return new Journal(file);
}

const runs = (n: number): JournalRecord[] => Array.from({ length: n }, (_, i) => madeRun({
    run: `r${i}`, at: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString(),
    parts: Array.from({ length: 20 }, (_, k) => ({ server: `S${k}`, policy: 'Nightly' }))
})).flat();

it('reads back only as far as the reader needs, and every record once', async () => {
    const all = runs(60);
    const journal = journalWith(jsonLines(all));
    let calls = 0;
    const tail = await journal.readTail(records => { calls++; return records.some(r => r.run === 'r55'); });
    expect(tail).toEqual(all.slice(all.length - tail.length));
    expect(tail.length).toBeLessThan(all.length);
    expect(tail.some(r => r.run === 'r55')).toBe(true);
    expect(calls).toBeGreaterThan(0);
    expect(await journal.readTail(() => false)).toEqual(all);
    expect(await journal.readTail(() => false)).toEqual(await journal.read());
});

it('reads a line longer than a tail whole, skips what `skip` names, and reads nothing of a missing journal', async () => {
    const long: JournalRecord = { type: 'step', event: 'end', step: 'start', run: 'r0', time: '2026-01-01T00:00:00Z', server: 'S', ok: true, output: 'x'.repeat(1536 << 10) }; // longer than the second tail (1 MiB) too
    const all = [...runs(2), long, ...runs(1)];
    const journal = journalWith(jsonLines(all));
    const tail = await journal.readTail(records => records.includes(records.find(r => r.type === 'step' && r.output !== undefined && r.output.length > 1000)!));
    expect(tail.find(r => r.type === 'step' && (r.output?.length ?? 0) > 1000)).toEqual(long);
    const skipped = await journal.readTail(() => false, { skip: line => line.includes('"event":"begin"') });
    expect(skipped).toEqual(all.filter(r => !('event' in r && r.event === 'begin')));
    expect(await new Journal(path.join(root!, 'none.jsonl')).readTail(() => false)).toEqual([]);
});

it('numbers a damaged line as in the whole file, and skips a torn last line quietly', async () => {
    const all = runs(40);
    const lines = jsonLines(all).trimEnd().split('\n');
    const bad = lines.length - 30;
    lines[bad] = '{"type":"step","run":"r","time":"t","event":"end"}'; // no `step`
    const journal = journalWith(lines.join('\n') + '\n{"type":"run","ev');
    const tail = await journal.readTail(() => false);
    expect(tail).toHaveLength(all.length - 1);
    expect(journal.damaged).toEqual([{ line: bad + 1, reason: expect.stringMatching(new RegExp(`^line ${bad + 1} is not valid`)) }]);
    await journal.read();
    expect(journal.damaged).toEqual([{ line: bad + 1, reason: expect.stringMatching(new RegExp(`^line ${bad + 1} is not valid`)) }]);
});
