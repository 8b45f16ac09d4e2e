/**
 * Input that used to crash `backplan check` with an internal error: a file that is not a
 * runbook (no `.backplan` extension), given or imported; 80,000 comment lines in a row
 * (Langium spread them into one call); a 5 MB string (the STRING regex backtracked once per
 * character). Each must give ordinary findings or one line on stderr, never "internal error".
 */
import { afterAll, describe, expect, test } from 'vitest';
import { removeTree, tempTree } from '../helpers/temp-tree.js';
import { hasStackTrace, runCli } from '../helpers/run-cli.js';
import { VALID } from './fixtures.js';

const dir = tempTree({
    'passwd.backplan': 'import "/etc/passwd"\n',
    'notes.txt': 'not a runbook\n',
    'comments.backplan': `${'//\n'.repeat(80_000)}${VALID}${'// trailing\n'.repeat(80_000)}`,
    'huge-string.backplan': `server Big { role mail  host local  data "/srv/${'x'.repeat(5_000_000)}" }\n`
});
afterAll(() => removeTree(dir));

describe('check on hostile input', () => {
    test('an import of a file that is not a runbook is import.unresolved, exit 1', async () => {
        const result = await runCli(['check', '--format', 'json', 'passwd.backplan'], { cwd: dir });
        expect([result.code, result.stderr]).toEqual([1, '']);
        const codes = JSON.parse(result.stdout).diagnostics.map((d: { code: string }) => d.code);
        expect(codes).toEqual(['import.unresolved']);
        expect(result.stdout).toContain('.backplan');
    });

    test('a given file that is not a runbook: one line naming it, exit 2', async () => {
        const result = await runCli(['check', 'notes.txt'], { cwd: dir });
        expect(result.code).toBe(2);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toContain('notes.txt');
        expect(result.stderr).not.toContain('internal error');
        expect(result.stdout).toBe('');
    });

    test('80,000 comment lines before and after a valid runbook: no problems', async () => {
        const result = await runCli(['check', 'comments.backplan'], { cwd: dir });
        expect([result.code, result.stderr]).toEqual([0, '']);
    });

    test('a 5 MB string: ordinary findings, no internal error', async () => {
        const result = await runCli(['check', '--format', 'json', 'huge-string.backplan'], { cwd: dir });
        expect(result.stderr).toBe('');
        expect(hasStackTrace(result.stderr)).toBe(false);
        expect([0, 1]).toContain(result.code);
        expect(JSON.parse(result.stdout).files).toBe(1);
        // No line of the text report is megabytes long (long runs in messages are cut).
        const text = await runCli(['check', 'huge-string.backplan'], { cwd: dir });
        expect(Math.max(...text.stdout.split('\n').map(l => l.length))).toBeLessThan(2000);
    });
});
