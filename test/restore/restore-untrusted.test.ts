/**
 * Files on a tape and in the state folder are untrusted input (issue 13 items 4 and 5):
 * an archive or manifest that is a FIFO (or a symlink to one) is refused at once, never
 * read (a read would wait for a writer for ever); manifests and journal lines are checked
 * against their schema; a 1 MB name is cut in every message; a damaged journal line is
 * reported and skipped and never blocks a backup or `history`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalFile } from '../../packages/engine/src/journal/state-dir.js';
import { hasStackTrace } from '../helpers/run-cli.js';
import { forgeArchive, Lab, tarOf } from './lab.js';

let lab: Lab;
const archives = (): string => path.join(lab.tape, 'archives');
const simple = (): Buffer => tarOf([{ name: './', type: '5' }, { name: './inbox.txt', text: 'mail\n' }]);
/** Every line of a command's output is short: no name is printed whole. */
const longest = (r: { stdout: string; stderr: string }): number => Math.max(...`${r.stdout}\n${r.stderr}`.split('\n').map(l => l.length));

beforeAll(() => {
    lab = new Lab([{ name: 'Mail1', role: 'mail' }], []);
    fs.writeFileSync(path.join(lab.data('Mail1'), 'inbox.txt'), 'the original mail\n');
    expect(lab.app('start', 'Mail1')).toBe(0);
});
afterAll(() => lab.dispose());

/** Replaces a file of the tape by a FIFO, or by a symlink to a FIFO beside it. */
function fifoInPlace(file: string, how: 'fifo' | 'symlink'): void {
    fs.rmSync(file);
    if (how === 'fifo') execFileSync('mkfifo', [file]);
    else {
        execFileSync('mkfifo', [`${file}.fifo`]);
        fs.symlinkSync(`${file}.fifo`, file);
    }
}

describe('special files on the tape are refused, never read', () => {
    for (const how of ['fifo', 'symlink'] as const) {
        it(`an archive that is ${how === 'fifo' ? 'a FIFO' : 'a symlink to a FIFO'}: verify and restore refuse it at once`, async () => {
            const id = forgeArchive(lab, 'Mail1', simple());
            fifoInPlace(path.join(archives(), `${id}.tar.zst`), how);
            const v = await lab.cli('verify', ['--archive', id]);
            expect(v.code).toBe(1);
            expect(v.stdout + v.stderr).toMatch(how === 'fifo' ? /is a FIFO, not a regular file: refused/ : /is a symlink: only regular files/);
            lab.clearEvents();
            const r = await lab.cli('restore', ['--server', 'Mail1', '--archive', id]);
            expect(r.code, r.stdout + r.stderr).toBe(1);
            expect(r.stdout + r.stderr).toMatch(/refused/);
            expect(hasStackTrace(r.stderr)).toBe(false);
            expect(lab.eventLines()).toEqual([]);
            expect(lab.running('Mail1')).toBe(true);
            fs.rmSync(path.join(archives(), `${id}.manifest.json`));
        });

        it(`a manifest that is ${how === 'fifo' ? 'a FIFO' : 'a symlink to a FIFO'}: archives, verify and restore do not hang`, async () => {
            const id = forgeArchive(lab, 'Mail1', simple());
            fifoInPlace(path.join(archives(), `${id}.manifest.json`), how);
            const a = await lab.cli('archives');
            expect(a.code).not.toBeNull();
            const v = await lab.cli('verify', ['--archive', id]);
            expect(v.code).toBe(1);
            expect(v.stdout + v.stderr).toMatch(/manifest unreadable: .*(FIFO|symlink)/);
            // Restore does not see an archive whose manifest cannot be read (usage error, exit 2).
            const r = await lab.cli('restore', ['--server', 'Mail1', '--archive', id]);
            expect(r.code, r.stdout + r.stderr).toBe(2);
            expect(r.stderr).toMatch(/no archive .* with a manifest/);
            expect(hasStackTrace(r.stderr)).toBe(false);
            expect(lab.running('Mail1')).toBe(true);
            fs.rmSync(path.join(archives(), `${id}.manifest.json`));
            fs.rmSync(path.join(archives(), `${id}.tar.zst`));
        });
    }
});

describe('shapes and bounded output', () => {
    it('a manifest with a null entry is "not valid", not a crash', async () => {
        const id = forgeArchive(lab, 'Mail1', simple());
        const file = path.join(archives(), `${id}.manifest.json`);
        const m = JSON.parse(fs.readFileSync(file, 'utf8'));
        m.entries.push(null);
        fs.writeFileSync(file, JSON.stringify(m));
        // verify fails on it (exit 1); restore does not offer it (exit 2, see above).
        for (const [args, code] of [[['verify', '--archive', id], 1], [['restore', '--server', 'Mail1', '--archive', id], 2]] as const) {
            const r = await lab.cli(args[0], args.slice(1));
            expect(r.code, r.stdout + r.stderr).toBe(code);
            if (code === 1) expect(r.stdout + r.stderr).toMatch(/the manifest is not valid: entries\.\d+ must be object/);
            expect(r.stdout + r.stderr).not.toMatch(/Cannot read properties/);
            expect(hasStackTrace(r.stderr)).toBe(false);
        }
        expect(lab.running('Mail1')).toBe(true);
        fs.rmSync(file);
    });

    it('a 1 MB entry path is cut in every message', async () => {
        const id = forgeArchive(lab, 'Mail1', simple());
        const file = path.join(archives(), `${id}.manifest.json`);
        const m = JSON.parse(fs.readFileSync(file, 'utf8'));
        m.entries[1].path = 'x'.repeat(1 << 20);
        fs.writeFileSync(file, JSON.stringify(m));
        const v = await lab.cli('verify', ['--archive', id]);
        expect(v.code).toBe(1);
        expect(v.stdout + v.stderr).toMatch(/x{200}… \(1048576 characters\)/);
        expect(longest(v)).toBeLessThan(2000);
        const r = await lab.cli('restore', ['--server', 'Mail1', '--archive', id]);
        expect(r.code, r.stdout + r.stderr).toBe(1);
        expect(longest(r)).toBeLessThan(2000);
        fs.rmSync(file);
    });
});

describe('the journal', () => {
    it('a null line and a damaged line are reported and skipped: backup and history still work', async () => {
        const journal = journalFile(lab.state, lab.runbook);
        const first = await lab.cli('backup');
        expect(first.code).toBe(0);
        const good = fs.readFileSync(journal, 'utf8');
        fs.writeFileSync(journal, `null\n{"type":"step","run":"x"\n${good}{"type":"run","event":"begin","run":7,"time":"t"}\n`);
        const b = await lab.cli('backup');
        expect(b.stderr).not.toMatch(/Cannot read properties/);
        expect(b.code).toBe(0);
        expect(b.stderr).toMatch(/damaged record that was skipped: line 1 is not valid: the document must be object/);
        expect(b.stderr).toMatch(/damaged record that was skipped: line 2 /);
        expect(b.stderr).toMatch(/line \d+ is not valid: run must be string/);
        const h = await lab.cli('history');
        expect(h.code).toBe(0);
        expect(h.stdout).toMatch(/backup/);
        expect(hasStackTrace(h.stderr)).toBe(false);
    });

    it('a journal that is a FIFO is refused with a clear message, never waited on', async () => {
        const journal = journalFile(lab.state, lab.runbook);
        fs.rmSync(journal);
        execFileSync('mkfifo', [journal]);
        const h = await lab.cli('history');
        expect(h.code, h.stdout + h.stderr).toBe(1);
        expect(h.stdout + h.stderr).toMatch(/is a FIFO, not a regular file/);
        expect(hasStackTrace(h.stderr)).toBe(false);
        fs.rmSync(journal);
    });
});
