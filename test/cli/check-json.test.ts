/**
 * Proves `--format json` (DESIGN §3): exactly one JSON object of the documented shape;
 * 1-based lines and columns in UTF-16 code units with `endColumn` exclusive; `file` relative
 * to the working folder when the file lies below it (imported files too), else absolute;
 * imported files outside the checked folder are checked and reported; a folder of several
 * runbooks is checked runbook by runbook.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { removeTree, tempTree } from '../helpers/temp-tree.js';
import { runCli } from '../helpers/run-cli.js';
import { VALID } from './fixtures.js';

const KEYS = ['version', 'files', 'errors', 'warnings', 'diagnostics'];
const DIAGNOSTIC_KEYS = ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message'];

const UNICODE_PREFIX = '/* 😀 Bürodaten */ server ';
const dir = tempTree({
    'unicode.backplan': `${VALID}${UNICODE_PREFIX}Cat { role catalog }\n`,
    'site/main.backplan': `import "../lib/servers.backplan"\n${VALID.replace(/server Mail.*\n/, '')}`,
    'lib/servers.backplan': 'server Mail { role mail host local data "/srv/mail" }\n',
    'many/one.backplan': VALID,
    'many/two.backplan': VALID.replace('Nightly', 'Daily'),
    'many/three.backplan': `${VALID}folder People on Cat1, Cat2\n`,
    'work/.keep': ''
});
afterAll(() => removeTree(dir));

async function json(args: string[], cwd = dir) {
    const result = await runCli(['check', '--format', 'json', ...args], { cwd });
    expect(result.stderr).toBe('');
    expect(result.stdout.endsWith('}\n')).toBe(true);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    return { code: result.code, report: JSON.parse(result.stdout) };
}

describe('shape', () => {
    test('exactly the documented object, for a broken example', async () => {
        const { code, report } = await json(['examples/broken/backup-no-tape.backplan'], path.resolve(__dirname, '../..'));
        expect(code).toBe(1);
        expect(report).toEqual({
            version: 1, files: 1, errors: 1, warnings: 0,
            diagnostics: [{
                file: 'examples/broken/backup-no-tape.backplan', line: 5, column: 8, endLine: 5, endColumn: 15,
                severity: 'error', code: 'backup.no-tape', message: "Backup 'Nightly' has no `to`: add `to TAPE` naming the tape its archives go to."
            }]
        });
        expect(Object.keys(report)).toEqual(KEYS);
        expect(Object.keys(report.diagnostics[0])).toEqual(DIAGNOSTIC_KEYS);
    });

    test('every diagnostic of the broken examples has the eight fields, typed', async () => {
        const { report } = await json(['examples/broken'], path.resolve(__dirname, '../..'));
        expect(report.files).toBe(readdirSync(path.resolve(__dirname, '../../examples/broken')).filter(f => f.endsWith('.backplan')).length);
        expect(report.errors).toBe(report.diagnostics.filter((d: { severity: string }) => d.severity === 'error').length);
        expect(report.warnings).toBe(report.diagnostics.filter((d: { severity: string }) => d.severity === 'warning').length);
        for (const d of report.diagnostics) {
            expect(Object.keys(d)).toEqual(DIAGNOSTIC_KEYS);
            expect(d).toEqual({
                file: expect.stringMatching(/^examples\/broken\/[a-z-]+\.backplan$/),
                line: expect.any(Number), column: expect.any(Number), endLine: expect.any(Number), endColumn: expect.any(Number),
                severity: expect.stringMatching(/^(error|warning|info|hint)$/), code: expect.any(String), message: expect.any(String)
            });
            expect(Math.min(d.line, d.column, d.endLine, d.endColumn)).toBeGreaterThanOrEqual(1);
            expect(d.endLine > d.line || (d.endLine === d.line && d.endColumn >= d.column)).toBe(true);
        }
    });
});

describe('positions', () => {
    test('columns count UTF-16 code units, 1-based, end exclusive', async () => {
        const { report } = await json(['unicode.backplan']);
        const utf16 = UNICODE_PREFIX.length + 1;
        // Discriminating: bytes and code points would both give other columns.
        expect(new Set([utf16, Buffer.byteLength(UNICODE_PREFIX) + 1, [...UNICODE_PREFIX].length + 1]).size).toBe(3);
        expect(report.diagnostics).toEqual([expect.objectContaining({
            file: 'unicode.backplan', line: 4, column: utf16, endLine: 4, endColumn: utf16 + 'Cat'.length, code: 'server.incomplete'
        })]);
    });
});

describe('line ends and byte order marks', () => {
    test('CRLF lines and a UTF-8 BOM count as an editor shows them', async () => {
        const bom = tempTree({});
        try {
            writeFileSync(path.join(bom, 'bom.backplan'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('server Cat { role catalog }\r\nserver Dog { role catalog }\r\n')]));
            const { report } = await json(['bom.backplan'], bom);
            expect(report.diagnostics.map((d: { line: number; column: number; endColumn: number }) => [d.line, d.column, d.endColumn])).toEqual([[1, 8, 11], [2, 8, 11]]);
        } finally {
            removeTree(bom);
        }
    });
});

describe('files', () => {
    test('relative below the working folder, imported files outside the checked folder included', async () => {
        const { code, report } = await json(['site']);
        expect(code).toBe(1);
        expect(report.files).toBe(2);
        expect(report.diagnostics.map((d: { file: string; code: string }) => `${d.file} ${d.code}`)).toEqual(['site/main.backplan backup.no-stop']);
        const absolute = await json([path.join(dir, 'site', 'main.backplan')]);
        expect(absolute.report).toEqual(report);
    });

    test('an error in an imported file outside the checked folder is reported in that file', async () => {
        const broken = tempTree({ 'app/main.backplan': 'import "../shared/s.backplan"\nfolder F on Cat1, Cat2\n', 'shared/s.backplan': 'server Cat1 { role catalog host local data "/a" }\nserver Cat2 { role catalog host local data "relative" }\n' });
        try {
            const result = await json(['app'], broken);
            expect(result.report.diagnostics.map((d: { file: string; line: number; code: string }) => `${d.file}:${d.line} ${d.code}`)).toEqual(['shared/s.backplan:2 server.data-relative']);
        } finally {
            removeTree(broken);
        }
    });

    test('absolute when the file lies outside the working folder', async () => {
        const { report } = await json(['../site'], path.join(dir, 'work'));
        expect(report.diagnostics.map((d: { file: string }) => d.file)).toEqual([path.join(dir, 'site', 'main.backplan')]);
    });
});

describe('a folder of several runbooks', () => {
    test('each runbook on its own: identical servers in three runbooks clash nowhere; a name from another runbook does not resolve', async () => {
        const { code, report } = await json(['many']);
        expect(code).toBe(1);
        expect(report.files).toBe(3);
        expect(report.diagnostics.map((d: { file: string; line: number; column: number; code: string }) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
            'many/three.backplan:4:8 coverage.single-copy',
            'many/three.backplan:4:18 linking-error',
            'many/three.backplan:4:24 linking-error'
        ]);
    });
});
