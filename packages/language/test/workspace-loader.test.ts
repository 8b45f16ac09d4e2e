/**
 * Proves the node loader the CLI and the engine use: which files a folder yields (dot-folders
 * and node_modules skipped, links to files followed), that imports are loaded wherever they
 * lie, and that paths which cannot be read end in an InputError (exit 2) or an
 * `import.unresolved` — never in a hang: a FIFO named `*.backplan` stands in for an
 * unreadable file, as the tests run as root and `chmod 000` would not stop them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { collectRunbookFiles, InputError, loadRunbook, loadWorkspace } from '@backplan/language/node';
import { removeTree, tempTree } from '../../../test/helpers/temp-tree.js';
import { MAIL_RUNBOOK, rows } from './helpers.js';

const roots: string[] = [];
function tree(files: Record<string, string>): string {
    const root = tempTree(files);
    roots.push(root);
    return root;
}
afterAll(() => roots.forEach(removeTree));

describe('collectRunbookFiles', () => {
    test('finds every .backplan below a folder, sorted, skipping dot-folders and node_modules', async () => {
        const root = tree({
            'b.backplan': '', 'a/z.backplan': '', 'a/notes.txt': '', '.git/x.backplan': '', 'node_modules/p/y.backplan': '', 'a/.hidden/w.backplan': ''
        });
        symlinkSync(path.join(root, 'b.backplan'), path.join(root, 'link.backplan'));
        expect((await collectRunbookFiles([root])).map(f => path.relative(root, f))).toEqual(['a/z.backplan', 'b.backplan', 'link.backplan']);
    });

    test('a missing path, a dangling link, or a path through a file is an InputError', async () => {
        const root = tree({ 'file.backplan': '' });
        symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling.backplan'));
        await expect(collectRunbookFiles([path.join(root, 'missing.backplan')])).rejects.toThrow(/no such file or folder/);
        await expect(collectRunbookFiles([root])).rejects.toThrow(InputError);
        await expect(collectRunbookFiles([root])).rejects.toThrow(/dangling\.backplan: no such file or folder/);
        await expect(collectRunbookFiles([path.join(root, 'file.backplan', 'x.backplan')])).rejects.toThrow(/not a folder/);
    });

    test('a FIFO given as a runbook is an InputError, not a read that never ends', async () => {
        const root = tree({});
        execFileSync('mkfifo', [path.join(root, 'pipe.backplan')]);
        await expect(collectRunbookFiles([path.join(root, 'pipe.backplan')])).rejects.toThrow(/pipe\.backplan: not a regular file/);
        await expect(loadWorkspace([path.join(root, 'pipe.backplan')])).rejects.toThrow(InputError);
        expect(await collectRunbookFiles([root])).toEqual([]);
    }, 10_000);
});

describe('loadWorkspace', () => {
    test('loads imports outside the given folder and reports in each file', async () => {
        const root = tree({
            'site/main.backplan': `import "../lib/servers.backplan"\n${MAIL_RUNBOOK.replace(/server Mail.*\n/, '')}`,
            'lib/servers.backplan': 'server Mail { role mail host local data "/srv/mail" }\n'
        });
        const workspace = await loadWorkspace(await collectRunbookFiles([path.join(root, 'site')]));
        expect(workspace.documents.map(d => path.relative(root, d.uri.fsPath))).toEqual(['site/main.backplan', 'lib/servers.backplan']);
        const [main, lib] = workspace.documents;
        expect(rows(workspace.diagnostics(main))).toEqual([{ code: 'backup.no-stop', severity: 'error', range: [2, 25, 2, 29] }]);
        expect(rows(workspace.diagnostics(lib))).toEqual([]);
    });

    test('an import of a missing file, a folder or a FIFO is import.unresolved on its path', async () => {
        const root = tree({ 'main.backplan': `import "gone.backplan"\nimport "dir.backplan"\nimport "pipe.backplan"\n${MAIL_RUNBOOK}` });
        mkdirSync(path.join(root, 'dir.backplan'));
        execFileSync('mkfifo', [path.join(root, 'pipe.backplan')]);
        const workspace = await loadWorkspace([path.join(root, 'main.backplan')]);
        expect(workspace.documents).toHaveLength(1);
        expect(rows(workspace.diagnostics(workspace.documents[0]))).toEqual([
            { code: 'import.unresolved', severity: 'error', range: [0, 7, 0, 22] },
            { code: 'import.unresolved', severity: 'error', range: [1, 7, 1, 21] },
            { code: 'import.unresolved', severity: 'error', range: [2, 7, 2, 22] }
        ]);
    }, 10_000);

    test('loadRunbook gives the model of the root and refuses a folder', async () => {
        const root = tree({ 'main.backplan': MAIL_RUNBOOK });
        const { model } = await loadRunbook(path.join(root, 'main.backplan'));
        expect(model.servers.map(s => s.name)).toEqual(['Mail']);
        await expect(loadRunbook(root)).rejects.toThrow(/is a folder/);
    });
});
