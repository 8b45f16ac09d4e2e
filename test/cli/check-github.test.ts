/**
 * Proves `--format github`: one GitHub Actions workflow command per diagnostic
 * (`::error`/`::warning` with file, line, col, endLine, endColumn and title), with the
 * runner's escaping: `%`, CR and LF in the message; also `:` and `,` in properties.
 */
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { removeTree, tempTree } from '../helpers/temp-tree.js';
import { REPO, runCli } from '../helpers/run-cli.js';
import { WARNING_ONLY } from './fixtures.js';

const dir = tempTree({
    'we,ird:name%.backplan': 'server Cat1 { role catalog host local data "/a" }\nserver Cat2 { role catalog host local data "/b" }\nfolder F on Cat1, Cat2 { path "/100%,ok:yes" }\n',
    'warn.backplan': WARNING_ONLY
});
afterAll(() => removeTree(dir));

describe('workflow commands', () => {
    test('errors and warnings, one line each, with every position', async () => {
        const result = await runCli(['check', '--format', 'github', 'examples/broken/tape-rules.backplan'], { cwd: REPO });
        expect(result.code).toBe(1);
        expect(result.stdout).toBe([
            '::warning file=examples/broken/tape-rules.backplan,line=4,col=6,endLine=4,endColumn=11,title=tape.unused::'
            + 'Tape \'Spare\' is not used by any backup: add `to Spare` to a backup, or delete the tape. [tape.unused]',
            '::error file=examples/broken/tape-rules.backplan,line=4,col=17,endLine=4,endColumn=32,title=tape.location-invalid::'
            + 'Location "backups/spare" of tape \'Spare\' is not an absolute path: write an absolute folder such as "/mnt/backup/spare". [tape.location-invalid]',
            ''
        ].join('\n'));
    });

    test('escaping: % in the message; %, : and , in the file property', async () => {
        const result = await runCli(['check', '--format', 'github', 'we,ird:name%.backplan'], { cwd: dir });
        expect(result.stdout).toBe('::error file=we%2Cird%3Aname%25.backplan,line=3,col=31,endLine=3,endColumn=45,title=folder.path-invalid::'
            + 'Path "/100%25,ok:yes" of folder \'F\' is absolute: give a path below the server\'s data folder, e.g. "F". [folder.path-invalid]\n');
    });

    test('a clean check prints nothing; warnings alone exit 0', async () => {
        expect(await runCli(['check', '--format', 'github', path.join(REPO, 'examples/single-mail')])).toEqual({ code: 0, stdout: '', stderr: '' });
        expect((await runCli(['check', '--format', 'github', 'warn.backplan'], { cwd: dir })).stdout).toMatch(/^::warning file=warn\.backplan,line=4,col=6,/);
    });
});

describe('escaping of line breaks', () => {
    test('CR and LF in a message become %0D and %0A, so one diagnostic stays one command', async () => {
        const { formatGithub } = await import('../../packages/cli/out/check/github-format.js');
        const text = formatGithub({
            files: 1, errors: 1, warnings: 0,
            diagnostics: [{ file: 'a\nb.backplan', line: 1, column: 1, endLine: 1, endColumn: 2, severity: 'error', code: 'x.y', message: 'one\r\ntwo 100%' }]
        });
        expect(text).toBe('::error file=a%0Ab.backplan,line=1,col=1,endLine=1,endColumn=2,title=x.y::one%0D%0Atwo 100%25 [x.y]\n');
    });
});
