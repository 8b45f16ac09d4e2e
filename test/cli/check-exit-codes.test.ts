/**
 * Proves `backplan check`'s exit codes end to end (DESIGN §3): 0 without errors, 1 with
 * errors, 1 with --strict on warnings only; 2 with exactly one line on stderr and nothing on
 * stdout for a missing path, an unreadable path, a folder without runbooks; 2 for a bad
 * --format or an unknown flag; 0 for --help and --version. Unreadable paths: the tests run
 * as root, so `chmod 000` would not stop a read; a FIFO named x.backplan (reading it would
 * block for ever) and a dangling symlink named x.backplan stand in for them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { removeTree, tempTree } from '../helpers/temp-tree.js';
import { BIN, hasStackTrace, REPO, runCli } from '../helpers/run-cli.js';
import { ONE_ERROR, VALID, VALID_EXAMPLES, WARNING_ONLY } from './fixtures.js';

const dir = tempTree({ 'valid.backplan': VALID, 'warn.backplan': WARNING_ONLY, 'bad.backplan': ONE_ERROR, 'empty/readme.txt': 'no runbooks here' });
execFileSync('mkfifo', [path.join(dir, 'pipe.backplan')]);
const dangling = tempTree({ 'ok.backplan': VALID });
symlinkSync(path.join(dangling, 'gone'), path.join(dangling, 'link.backplan'));
afterAll(() => { removeTree(dir); removeTree(dangling); });

describe('exit 0 and 1', () => {
    test('0: the valid examples, even with --strict', async () => {
        const result = await runCli(['check', ...VALID_EXAMPLES, '--strict']);
        expect([result.code, result.stderr]).toEqual([0, '']);
    });

    test('1: the broken examples', async () => {
        const result = await runCli(['check', 'examples/broken']);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe('');
    });

    test('warnings only: 0, and 1 with --strict', async () => {
        expect((await runCli(['check', 'warn.backplan'], { cwd: dir })).code).toBe(0);
        expect((await runCli(['check', '--strict', 'warn.backplan'], { cwd: dir })).code).toBe(1);
        expect((await runCli(['check', '--strict', 'valid.backplan'], { cwd: dir })).code).toBe(0);
    });

    test('1: one error among valid files', async () => {
        expect((await runCli(['check', 'valid.backplan', 'bad.backplan'], { cwd: dir })).code).toBe(1);
    });

    test('the default path is the working folder', async () => {
        const result = await runCli(['check', '--format', 'json'], { cwd: dir });
        expect(result.code).toBe(1);
        expect(JSON.parse(result.stdout).files).toBe(3);
    });

    test('a reader that closes stdout early (| head) changes neither the exit code nor stderr', () => {
        // Node meets EPIPE on its next write; the command must still run to its end and exit
        // with its own code (a backup in the same spot must still start what it stopped).
        // More output than a pipe holds (64 KiB), so the writes after `head` left do fail.
        const many = path.join(dir, 'many-broken');
        for (let i = 0; i < 30; i++) cpSync(path.join(REPO, 'examples', 'broken'), path.join(many, `copy-${i}`), { recursive: true });
        const size = spawnSync(process.execPath, [BIN, 'check', many], { cwd: REPO, encoding: 'utf8', maxBuffer: 16 << 20 }).stdout.length;
        expect(size).toBeGreaterThan(128 << 10);
        const err = path.join(dir, 'epipe.err');
        const shell = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" check "${many}" 2>"${err}" | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`],
            { cwd: REPO, encoding: 'utf8' });
        expect(shell.stdout.trim()).toBe('1');
        expect(readFileSync(err, 'utf8')).toBe('');
    });
});

describe('exit 2: one line on stderr, nothing on stdout', () => {
    test.each([
        ['a missing path', ['check', 'missing.backplan'], /^backplan: missing\.backplan: no such file or folder\n$/],
        ['a FIFO named x.backplan (unreadable as a runbook)', ['check', 'pipe.backplan'], /^backplan: pipe\.backplan: not a regular file\n$/],
        ['a path through a file', ['check', 'valid.backplan/x.backplan'], /^backplan: valid\.backplan\/x\.backplan: a part of the path is not a folder\n$/],
        ['a folder without any .backplan', ['check', 'empty'], /^backplan: no \.backplan file found in empty: give a runbook file or a folder that holds one\n$/]
    ])('%s', async (_what, args, stderr) => {
        const result = await runCli(args, { cwd: dir, timeoutMs: 10_000 });
        expect(result).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(stderr) });
    });

    test('a dangling symlink named x.backplan in a checked folder', async () => {
        const result = await runCli(['check', '.'], { cwd: dangling });
        expect(result).toEqual({ code: 2, stdout: '', stderr: 'backplan: link.backplan: no such file or folder\n' });
    });
});

describe('exit 2: bad usage', () => {
    test.each([
        ['a bad --format', ['check', '--format', 'xml', '.'], /argument 'xml' is invalid\. expected one of text, json, sarif, github/],
        ['an unknown flag', ['check', '--bogus', '.'], /unknown option '--bogus'/],
        ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/]
    ])('%s', async (_what, args, stderr) => {
        const result = await runCli(args, { cwd: dir });
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(stderr);
        expect(hasStackTrace(result.stderr)).toBe(false);
    });
});

describe('help and version', () => {
    test('--help exits 0 and lists check', async () => {
        const result = await runCli(['--help']);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/Usage: backplan/);
        expect(result.stdout).toMatch(/check \[options\] \[paths\.\.\.\]/);
    });

    test('check --help exits 0 and names every flag', async () => {
        const result = await runCli(['check', '--help']);
        expect(result.code).toBe(0);
        for (const flag of ['--format <format>', '--strict', 'text, json, sarif, github']) expect(result.stdout).toContain(flag);
    });

    test.each([['--version'], ['-V']])('%s exits 0 and prints the package version', async flag => {
        const { version } = JSON.parse(readFileSync(path.join(REPO, 'packages/cli/package.json'), 'utf8')) as { version: string };
        expect(await runCli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    });
});
