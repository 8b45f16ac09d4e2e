/**
 * makeDirs (`mkdir -p`): creates what is missing, and FAILS where Node 20's recursive
 * fs.mkdir spins for ever (a folder under /proc: mkdir(2) says ENOENT though /proc exists).
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs } from '../src/tape/make-dirs.js';

describe('makeDirs', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'bp-mkdirs-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('creates every missing level, and accepts an existing folder', async () => {
        const deep = path.join(root, 'a', 'b c', 'd');
        await makeDirs(deep);
        expect(statSync(deep).isDirectory()).toBe(true);
        await makeDirs(deep);
        await makeDirs(root);
    });

    it('concurrent calls for the same folders all succeed', async () => {
        const deep = path.join(root, 'x', 'y', 'z');
        await Promise.all(Array.from({ length: 8 }, () => makeDirs(deep)));
        expect(statSync(deep).isDirectory()).toBe(true);
    });

    it('a file in the way is ENOTDIR, not a loop', async () => {
        writeFileSync(path.join(root, 'file'), 'x');
        await expect(makeDirs(path.join(root, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    });

    it.runIf(existsSync('/proc/self'))('a folder under /proc fails at once with ENOENT (recursive fs.mkdir hangs there)', async () => {
        await expect(makeDirs('/proc/backplan-test-tape/archives')).rejects.toMatchObject({ code: 'ENOENT' });
    }, 5000);
});
