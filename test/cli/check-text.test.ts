/**
 * Proves `--format text` (the default): one `file:line:col: severity: message [code]` line
 * per diagnostic, then a summary line; colour on a terminal (a real pseudo-terminal via
 * `script`), none when stdout is a pipe, none with NO_COLOR even on a terminal or with
 * FORCE_COLOR.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { removeTree, tempTree } from '../helpers/temp-tree.js';
import { BIN, childEnv, runCli } from '../helpers/run-cli.js';
import { ONE_ERROR, VALID, WARNING_ONLY } from './fixtures.js';

const ESC = '\u001b[';
const dir = tempTree({ 'valid.backplan': VALID, 'warn.backplan': WARNING_ONLY, 'bad.backplan': ONE_ERROR });
afterAll(() => removeTree(dir));

/** Runs the bin under a pseudo-terminal (util-linux `script`), so stdout is a TTY. */
function onTerminal(args: string[], env: Record<string, string | undefined> = {}): Promise<string> {
    const command = [process.execPath, BIN, ...args].map(a => `'${a}'`).join(' ');
    return new Promise((resolve, reject) => {
        execFile('script', ['-qec', command, '/dev/null'], { cwd: dir, env: childEnv(env), timeout: 20_000 }, (error, stdout) => {
            if (error && typeof error.code !== 'number') reject(error); else resolve(stdout);
        });
    });
}

describe('lines and summary', () => {
    test('one line per diagnostic, sorted by file, then the summary', async () => {
        const result = await runCli(['check', '.'], { cwd: dir });
        expect(result.stdout).toBe([
            "bad.backplan:1:8: error: Server 'Cat' has no `host` or `data`: add `host local` or `host \"ssh://user@host\"` and `data \"/absolute/path\"`. [server.incomplete]",
            "warn.backplan:4:6: warning: Tape 'Spare' is not used by any backup: add `to Spare` to a backup, or delete the tape. [tape.unused]",
            '1 error, 1 warning in 3 files.',
            ''
        ].join('\n'));
    });

    test('plurals in the summary', async () => {
        expect((await runCli(['check', 'warn.backplan', 'valid.backplan'], { cwd: dir })).stdout).toMatch(/\n0 errors, 1 warning in 2 files\.\n$/);
    });

    test('a clean check says so', async () => {
        expect((await runCli(['check', 'valid.backplan'], { cwd: dir })).stdout).toBe('No problems in 1 file.\n');
    });
});

describe('colour', () => {
    test('none when stdout is not a terminal', async () => {
        expect((await runCli(['check', '.'], { cwd: dir })).stdout).not.toContain(ESC);
    });

    test('on a terminal: red errors, yellow warnings', async () => {
        const out = await onTerminal(['check', '.']);
        expect(out).toContain(`${ESC}31merror${ESC}0m`);
        expect(out).toContain(`${ESC}33mwarning${ESC}0m`);
        expect(out).toContain(`${ESC}1mbad.backplan:1:8${ESC}0m`);
    });

    test('NO_COLOR on a terminal: none', async () => {
        const out = await onTerminal(['check', '.'], { NO_COLOR: '1' });
        expect(out).toContain('bad.backplan:1:8: error:');
        expect(out).not.toContain(ESC);
    });

    test('FORCE_COLOR colours a pipe, and NO_COLOR still wins', async () => {
        expect((await runCli(['check', '.'], { cwd: dir, env: { FORCE_COLOR: '1' } })).stdout).toContain(`${ESC}31merror`);
        expect((await runCli(['check', '.'], { cwd: dir, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout).not.toContain(ESC);
    });

    test('other formats are never coloured', async () => {
        for (const format of ['json', 'sarif', 'github']) {
            expect(await onTerminal(['check', '--format', format, path.join(dir, 'bad.backplan')])).not.toContain(ESC);
        }
    });
});
