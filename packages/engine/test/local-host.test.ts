/**
 * LocalHost's process handling: a command returns once its pipes are drained (not after a
 * fixed grace), a daemon holding the pipes costs the grace only, a tool probe's output is
 * complete, and `tar -x` that stops at the end-of-archive marker before the sender is done
 * is no failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { captureOutput } from '../src/hosts/child-process.js';
import { LocalHost } from '../src/hosts/local-host.js';
import { pumpThroughGate } from '../src/restore/archive-extract.js';

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });
const tmp = (): string => { const d = mkdtempSync(path.join(tmpdir(), 'bp-local-host-')); dirs.push(d); return d; };

describe('LocalHost', () => {
    it('run returns as soon as the command\'s pipes close, with all its output', async () => {
        const host = new LocalHost();
        await host.run('true'); // warm up
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
            const t0 = Date.now();
            const r = await host.run('head -c 300000 /dev/zero | tr "\\0" a; echo; echo done');
            times.push(Date.now() - t0);
            expect(r.ok).toBe(true);
            // The whole 64 KiB tail, up to the last line.
            expect(r.output.length).toBe(64 * 1024);
            expect(r.output.endsWith(`${'a'.repeat(1000)}\ndone\n`)).toBe(true);
        }
        // The 200 ms grace is for daemons that keep the pipes; a plain command never waits for it.
        expect(Math.min(...times)).toBeLessThan(180);
    });

    it('a command that leaves a daemon holding its pipes returns after the grace, not when the daemon ends', async () => {
        const t0 = Date.now();
        const r = await new LocalHost().run('echo started; sleep 5 & exit 0');
        expect(Date.now() - t0).toBeLessThan(2000);
        expect(r.ok).toBe(true);
        expect(r.output).toContain('started');
    });

    it('captureOutput returns the whole output of a short-lived tool, every time', async () => {
        for (let i = 0; i < 30; i++) {
            const out = await captureOutput('sh', ['-c', 'printf "gzip 1.12\\n"; head -c 20000 /dev/zero | tr "\\0" x']);
            expect(out?.startsWith('gzip 1.12\n')).toBe(true);
            expect(out!.length).toBe(10 + 20000);
        }
    });

    it('tar -x that exits at the end-of-archive marker while the sender still writes padding: no failure', async () => {
        const src = tmp();
        mkdirSync(path.join(src, 'd'));
        writeFileSync(path.join(src, 'd', 'f.txt'), 'hello\n');
        const tarBytes = execFileSync('tar', ['-cf', '-', '-C', src, 'd']);
        // 4 MiB of zeros after the archive: tar stops reading long before the sender is done.
        const stream = Readable.from([tarBytes, Buffer.alloc(4 << 20)]);
        const into = tmp();
        const host = new LocalHost();
        await host.checkTools();
        const entries = await pumpThroughGate(stream, Promise.resolve(), host.tarIn(into), { abort: new AbortController() });
        expect(entries.map(e => e.path)).toContain('d/f.txt');
        expect(readFileSync(path.join(into, 'd', 'f.txt'), 'utf8')).toBe('hello\n');
    });

    it('tarIn with members extracts only those, literally, whatever TAR_OPTIONS says', async () => {
        const data = tmp();
        for (const name of ['d *g?[x]', 'other', 'Other']) {
            mkdirSync(path.join(data, name));
            writeFileSync(path.join(data, name, 'f'), name);
        }
        const into = tmp();
        const host = new LocalHost();
        await host.checkTools();
        const saved = process.env.TAR_OPTIONS;
        // Either would change what matches: `*` a pattern, `Other` a match for `other`.
        process.env.TAR_OPTIONS = '--wildcards --ignore-case';
        try {
            const out = host.tarOut(data);
            const inn = host.tarIn(into, { members: ['./d *g?[x]', './other'] });
            await pumpThroughGate(out.stream, out.done, inn, { abort: new AbortController() });
        } finally {
            if (saved === undefined) delete process.env.TAR_OPTIONS;
            else process.env.TAR_OPTIONS = saved;
        }
        expect(execFileSync('find', ['.', '-mindepth', '1'], { cwd: into, encoding: 'utf8' }).split('\n').filter(Boolean).sort())
            .toEqual(['./d *g?[x]', './d *g?[x]/f', './other', './other/f']);
    });
});
