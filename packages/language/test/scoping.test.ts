/**
 * Proves scoping and runbooks (DESIGN §1 "What a runbook is"): names resolve within a file
 * and what it imports, transitively and through cycles, never backwards along an import nor
 * across unrelated runbooks in one folder; runbook-wide rules run per runbook and report
 * each finding once, in the file that holds its node.
 */
import { AstUtils } from 'langium';
import { describe, expect, test } from 'vitest';
import { isFolder, type Folder } from '@backplan/language';
import { checkFiles, marked, MAIL_RUNBOOK, rows, WORKSPACE, type Checked } from './helpers.js';

function allRows(result: Checked): Record<string, ReturnType<typeof rows>> {
    return Object.fromEntries([...result.documents.keys()].map(name => [name, rows(result.diagnostics(name))]));
}

const CAT = (name: string) => `server ${name} { role catalog host local data "/srv/${name.toLowerCase()}" stop "a" start "b" }\n`;

describe('names across imports', () => {
    test('resolve transitively, with paths relative to the importing file', async () => {
        const result = await checkFiles({
            'main.backplan': 'import "lib/a.backplan"\nfolder People on Cat1, Cat2\nbackup Nightly { servers Cat1 to Shelf }\n',
            'lib/a.backplan': `import "../shared/b.backplan"\n${CAT('Cat1')}`,
            'shared/b.backplan': `${CAT('Cat2')}tape Shelf { at "/var/backups/shelf" }\n`
        });
        expect(allRows(result)).toEqual({ 'main.backplan': [], 'lib/a.backplan': [], 'shared/b.backplan': [] });
        const folder = result.documents.get('main.backplan')!.parseResult.value.declarations.find(isFolder) as Folder;
        expect(folder.servers.map(s => AstUtils.getDocument(s.ref!).uri.toString())).toEqual([WORKSPACE + 'lib/a.backplan', WORKSPACE + 'shared/b.backplan']);
    });

    test('resolve through an import cycle; its runbook-wide findings are reported once', async () => {
        const b = marked(`import "a.backplan"\n${CAT('Cat2')}folder B on Cat2, Cat1\nfolder ⟦Lonely⟧ on Cat2\n`);
        const result = await checkFiles({
            'a.backplan': `import "b.backplan"\n${CAT('Cat1')}folder A on Cat1, Cat2\n`,
            'b.backplan': b.text
        });
        expect(allRows(result)).toEqual({
            'a.backplan': [],
            'b.backplan': b.ranges.map(range => ({ code: 'coverage.single-copy', severity: 'error', range }))
        });
        expect(result.services.workspace.RunbookGraph.roots()).toHaveLength(1);
    });

    test('a cycle imported from outside belongs to that root only', async () => {
        const result = await checkFiles({
            'root.backplan': 'import "x.backplan"\n',
            'x.backplan': `import "y.backplan"\n${CAT('Cat1')}`,
            'y.backplan': `import "x.backplan"\n${CAT('Cat2')}folder F on Cat1, Cat2\n`
        });
        const graph = result.services.workspace.RunbookGraph;
        expect(graph.roots()).toEqual([WORKSPACE + 'root.backplan']);
        expect(graph.runbooksOf(WORKSPACE + 'y.backplan')).toEqual([WORKSPACE + 'root.backplan']);
        expect(Object.values(allRows(result)).flat()).toEqual([]);
    });

    test('never resolve backwards: an imported file does not see its importer', async () => {
        const lib = marked('folder People on Cat1, ⟦Cat2⟧\n');
        const result = await checkFiles({ 'main.backplan': `import "lib.backplan"\n${CAT('Cat2')}`, 'lib.backplan': `${CAT('Cat1')}${lib.text}` });
        const shifted = lib.ranges.map(([l0, c0, l1, c1]) => [l0 + 1, c0, l1 + 1, c1]);
        expect(rows(result.diagnostics('lib.backplan'), 'linking-error').map(r => r.range)).toEqual(shifted);
    });
});

describe('unrelated runbooks in one folder', () => {
    test('twenty runbooks that all declare `server Mail` on local with /srv/mail: no name.duplicate, no server.data-overlap', async () => {
        const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`site-${i}.backplan`, `runbook "Site ${i}"\n${MAIL_RUNBOOK}`]));
        const result = await checkFiles(files);
        expect(Object.values(allRows(result)).flat()).toEqual([]);
        expect(result.services.workspace.RunbookGraph.roots()).toHaveLength(20);
    });

    test('the same declarations in one runbook do give both codes (the isolation is what differs)', async () => {
        const result = await checkFiles({ 'one.backplan': MAIL_RUNBOOK, 'two.backplan': `import "one.backplan"\n${MAIL_RUNBOOK.replace(/tape.*\n/, '').replace('Nightly', 'Second')}` });
        const codes = Object.values(allRows(result)).flat().map(r => r.code);
        expect(codes).toContain('name.duplicate');
        expect(codes).toContain('server.data-overlap');
    });

    test('a name declared only in an unrelated file is a linking-error', async () => {
        const two = marked(`tape Shelf { at "/var/backups/shelf" }\nbackup Nightly { servers ⟦Cat9⟧ to Shelf }\n`);
        const result = await checkFiles({ 'one.backplan': `${CAT('Cat9')}${CAT('Cat8')}folder F on Cat9, Cat8\n`, 'two.backplan': two.text });
        expect(rows(result.diagnostics('two.backplan'))).toEqual(two.ranges.map(range => ({ code: 'linking-error', severity: 'error', range })));
        expect(rows(result.diagnostics('one.backplan'))).toEqual([]);
    });
});

describe('runbook-wide findings', () => {
    test('are reported in the file that holds the node, not in the root', async () => {
        const folders = marked('import "servers.backplan"\nfolder Staff on Dir1, Dir2\nfolder ⟦Printers⟧ on Dir2\n');
        const result = await checkFiles({
            'main.backplan': 'import "servers.backplan"\nimport "folders.backplan"\ntape Nas { at "/mnt/nas" }\nbackup Nightly { servers Dir1 to Nas }\n',
            'servers.backplan': `${CAT('Dir1')}${CAT('Dir2')}`,
            'folders.backplan': folders.text
        });
        expect(allRows(result)).toEqual({
            'main.backplan': [],
            'servers.backplan': [],
            'folders.backplan': folders.ranges.map(range => ({ code: 'coverage.single-copy', severity: 'error', range }))
        });
    });

    test('a duplicate across files is reported once, on one of the two declarations', async () => {
        const result = await checkFiles({ 'main.backplan': `import "servers.backplan"\n${CAT('Dir1')}`, 'servers.backplan': CAT('Dir1').replace('/srv/dir1', '/srv/other') });
        const found = Object.entries(allRows(result)).flatMap(([file, list]) => list.map(r => ({ file, ...r })));
        expect(found).toHaveLength(1);
        expect(found[0]).toMatchObject({ code: 'name.duplicate', range: [found[0].file === 'main.backplan' ? 1 : 0, 7, found[0].file === 'main.backplan' ? 1 : 0, 11] });
    });

    test('a duplicate across folders names the other file by its path from the reporting file', async () => {
        const result = await checkFiles({
            'site/main.backplan': `import "../shared/servers.backplan"\nimport "servers.backplan"\n`,
            'site/servers.backplan': CAT('Dir1'),
            'shared/servers.backplan': CAT('Dir1').replace('/srv/dir1', '/srv/other')
        });
        const messages = [...result.documents.keys()].flatMap(f => result.diagnostics(f)).filter(d => d.code === 'name.duplicate').map(d => d.message);
        expect(messages).toHaveLength(1);
        expect(messages[0]).toMatch(/already declared at (\.\.\/shared\/servers\.backplan|\.\.\/site\/servers\.backplan):1: rename one of them/);
    });

    test('a file imported by two runbooks gets each finding once', async () => {
        const lib = marked(`${CAT('Cat1')}folder ⟦Shared⟧ on Cat1\n`);
        const result = await checkFiles({
            'lib.backplan': lib.text,
            'r1.backplan': 'import "lib.backplan"\nrunbook "One"\n',
            'r2.backplan': 'import "lib.backplan"\nrunbook "Two"\n'
        });
        expect(result.services.workspace.RunbookGraph.roots()).toEqual([WORKSPACE + 'r1.backplan', WORKSPACE + 'r2.backplan']);
        expect(allRows(result)).toEqual({
            'lib.backplan': lib.ranges.map(range => ({ code: 'coverage.single-copy', severity: 'error', range })),
            'r1.backplan': [],
            'r2.backplan': []
        });
    });

    test('a shared file is judged in each runbook: covered in one, uncovered in the other', async () => {
        const lib = marked(`${CAT('Cat1')}folder ⟦Shared⟧ on Cat1\n`);
        const result = await checkFiles({
            'lib.backplan': lib.text,
            'covered.backplan': 'import "lib.backplan"\ntape T { at "/t" }\nbackup B { servers Cat1 to T }\n',
            'uncovered.backplan': 'import "lib.backplan"\n'
        });
        expect(rows(result.diagnostics('lib.backplan'))).toEqual(lib.ranges.map(range => ({ code: 'coverage.single-copy', severity: 'error', range })));
        expect(rows(result.diagnostics('covered.backplan'))).toEqual([]);
    });
});

describe('one finding never hides another', () => {
    test('two same-named folders, each on one server: a single-copy finding on each', async () => {
        const main = marked(`${CAT('Cat1')}folder ⟦People⟧ on Cat1\nfolder ⟦People⟧ on Cat1\n`);
        const result = await checkFiles({ 'main.backplan': main.text });
        expect(rows(result.diagnostics('main.backplan'), 'coverage.single-copy').map(r => r.range)).toEqual(main.ranges);
        expect(rows(result.diagnostics('main.backplan'), 'name.duplicate').map(r => r.range)).toEqual([main.ranges[1]]);
    });

    test('a file that imports itself is one runbook, checked once', async () => {
        const main = marked(`import "main.backplan"\n${CAT('Cat1')}folder ⟦People⟧ on Cat1\n`);
        const result = await checkFiles({ 'main.backplan': main.text });
        expect(result.services.workspace.RunbookGraph.roots()).toEqual([WORKSPACE + 'main.backplan']);
        expect(rows(result.diagnostics('main.backplan'))).toEqual(main.ranges.map(range => ({ code: 'coverage.single-copy', severity: 'error', range })));
    });
});
