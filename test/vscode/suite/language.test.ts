/**
 * Language features in a real editor: diagnostics with codes, a quick fix, completion, the
 * keyword hover, Fix all, and a diagnostic's code opening its rule in the Markdown preview.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, codeOf, codesOf, examples, open, revertActive, waitFor, waitForCodes } from './helpers';

/** Types `text` at the end of a file (unsaved) and waits for a completion list that passes `accept`. */
async function completeAfter(uri: vscode.Uri, text: string, what: string, accept: (labels: string[]) => boolean): Promise<string[]> {
    const editor = await open(uri);
    await editor.edit(b => b.insert(editor.document.lineAt(editor.document.lineCount - 1).range.end, text));
    const position = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    return waitFor(`${what} in the completion list`, async () => {
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
        const labels = list.items.map(i => typeof i.label === 'string' ? i.label : i.label.label);
        return accept(labels) && labels;
    });
}

export function registerLanguageTests(): void {
    describe('language features', () => {
        before(async () => {
            await activate();
        });

        afterEach(async () => {
            if (vscode.window.activeTextEditor?.document.isDirty) await revertActive();
            await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        });

        it('reports each rule of examples/broken with its code, without opening the files', async () => {
            const expected: Record<string, string[]> = {
                'coverage-single-copy.backplan': ['coverage.single-copy'],
                'coverage-no-offsite.backplan': ['coverage.no-offsite'],
                'backup-no-stop.backplan': ['backup.no-stop'],
                'backup-no-tape.backplan': ['backup.no-tape'],
                'backup-parallel-invalid.backplan': ['backup.parallel-invalid'],
                'backup-all-copies-down.backplan': ['backup.all-copies-down'],
                'backup-all-catalogs-down.backplan': ['backup.all-catalogs-down'],
                'folder-rules.backplan': ['folder.duplicate-server', 'folder.on-mail-server', 'folder.path-invalid'],
                'master-rules.backplan': ['master.multiple', 'master.not-catalog', 'master.incomplete'],
                'server-rules.backplan': ['server.incomplete', 'server.data-relative', 'server.data-overlap', 'host.invalid'],
                'schedule-retention.backplan': ['retention.invalid', 'schedule.invalid'],
                'tape-rules.backplan': ['tape.unused', 'tape.location-invalid'],
                'names-attributes.backplan': ['attribute.duplicate', 'name.duplicate'],
                'import-unresolved.backplan': ['import.unresolved', 'linking-error'],
                'syntax-error.backplan': ['parsing-error']
            };
            for (const [file, codes] of Object.entries(expected)) {
                await waitForCodes(examples('broken', file), codes);
            }
            const warning = vscode.languages.getDiagnostics(examples('broken', 'tape-rules.backplan')).find(d => codeOf(d) === 'tape.unused');
            assert.equal(warning?.severity, vscode.DiagnosticSeverity.Warning);
        });

        it('finds no error in the valid examples', async () => {
            await waitForCodes(examples('broken', 'coverage-single-copy.backplan'), ['coverage.single-copy']);
            const valid = await vscode.workspace.findFiles('**/*.backplan', '{broken/**,**/.scratch/**}');
            assert.ok(valid.length >= 5, `valid examples found: ${valid.length}`);
            for (const uri of valid) {
                const errors = vscode.languages.getDiagnostics(uri).filter(d => d.severity === vscode.DiagnosticSeverity.Error);
                assert.deepEqual(errors.map(d => `${codeOf(d)}: ${d.message}`), [], vscode.workspace.asRelativePath(uri));
            }
        });

        it('fixes coverage.single-copy with a quick fix, and the error goes away', async () => {
            const uri = examples('broken', 'coverage-single-copy.backplan');
            await open(uri);
            const [diagnostic] = await waitFor('coverage.single-copy', () => {
                const found = vscode.languages.getDiagnostics(uri).filter(d => codeOf(d) === 'coverage.single-copy');
                return found.length > 0 && found;
            });
            const subject = vscode.window.activeTextEditor!.document.getText(diagnostic.range);
            const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
                'vscode.executeCodeActionProvider', uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
            // Asked on the diagnostic's range (VS Code passes the markers there as the context);
            // the API command does not hand back an action's `diagnostics`, so accept either.
            const fixes = (actions ?? []).filter(a => a.edit && ((a.diagnostics ?? []).length === 0
                || a.diagnostics!.some(d => codeOf(d) === 'coverage.single-copy')));
            assert.ok(fixes.length > 0, `a quick fix for coverage.single-copy; got: ${JSON.stringify((actions ?? []).map(a =>
                ({ title: a.title, kind: a.kind?.value, edit: !!a.edit, command: a.command?.command, diagnostics: (a.diagnostics ?? []).map(codeOf) })))}`);
            assert.ok(await vscode.workspace.applyEdit(fixes[0].edit!), `applied "${fixes[0].title}"`);
            await waitFor(`coverage.single-copy on ${subject} to go away after "${fixes[0].title}"`, () => {
                const left = vscode.languages.getDiagnostics(uri).filter(d => codeOf(d) === 'coverage.single-copy'
                    && vscode.window.activeTextEditor!.document.getText(d.range) === subject);
                return left.length === 0;
            });
            assert.ok(!codesOf(uri).includes('parsing-error'), 'the fix leaves valid syntax');
        });

        it('completes server names after `on`', async () => {
            const labels = await completeAfter(examples('broken', 'coverage-single-copy.backplan'), '\nfolder Extra on ',
                'server names', l => l.includes('Cat1') && l.includes('Cat2'));
            assert.ok(!labels.includes('Shelf'), 'a tape is not offered where a server is expected');
        });

        it('completes keywords inside a server block, without the declaration snippets', async () => {
            const labels = await completeAfter(examples('broken', 'coverage-single-copy.backplan'), '\nserver Cat3 {\n  ',
                'role, host and data', l => ['role', 'host', 'data'].every(k => l.includes(k)));
            assert.ok(!labels.includes('tape') && !labels.includes('folder'), labels.join(' '));
        });

        it('opens completion on a space after `on`, and offers nothing on a space elsewhere', async () => {
            const uri = examples('broken', 'coverage-single-copy.backplan');
            const editor = await open(uri);
            await editor.edit(b => b.insert(editor.document.lineAt(editor.document.lineCount - 1).range.end, '\nfolder Extra on \ntape Spare { '));
            const at = (line: number) => editor.document.lineAt(line).range.end;
            const complete = async (position: vscode.Position) => (await vscode.commands.executeCommand<vscode.CompletionList>(
                'vscode.executeCompletionItemProvider', uri, position, ' ')).items.filter(i => i.kind !== vscode.CompletionItemKind.Text);
            const last = editor.document.lineCount - 1;
            await waitFor('server names after `on `', async () => (await complete(at(last - 1))).some(i => i.label === 'Cat1'));
            const elsewhere = await complete(at(last));
            assert.deepEqual(elsewhere.map(i => i.label), []);
        });

        it('hover on a keyword explains it from the language reference', async () => {
            const uri = examples('small-master-offsite', 'acme.backplan');
            const editor = await open(uri);
            const text = editor.document.getText();
            const rolling = editor.document.positionAt(text.indexOf('rolling') + 2);
            const hover = await waitFor('a hover on `rolling`', async () => {
                const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, rolling);
                const value = hovers.flatMap(h => h.contents).map(c => typeof c === 'string' ? c : c.value).join('\n');
                return value.includes('One server at a time') && value;
            });
            assert.match(hover, /`rolling` · \*default\*/);
            assert.match(hover, /command:backplan\.showDocumentation\?/, 'the link opens the section of the bundled language.md');
        });

        it('Fix all Backplan problems (source.fixAll.backplan) leaves the file without problems', async () => {
            const uri = examples('broken', 'backup-no-stop.backplan');
            const editor = await open(uri);
            await editor.edit(b => b.insert(editor.document.lineAt(editor.document.lineCount - 1).range.end, [
                '',
                'server Cat1 { role catalog master host local data "/srv/cat1" stop "true" start "true" }',
                'server Cat2 { role catalog host local data "/srv/cat2" }',
                'folder People on Cat2',
                'backup Weekly { servers Cat1, Cat2 to Shelf parallel 2 }',
                ''
            ].join('\n')));
            await waitForCodes(uri, ['backup.no-stop', 'master.incomplete', 'backup.all-catalogs-down']);
            const whole = new vscode.Range(0, 0, editor.document.lineCount, 0);
            const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, whole, 'source.fixAll.backplan');
            const fixAll = actions.find(a => a.kind?.value === 'source.fixAll.backplan');
            assert.ok(fixAll?.edit, JSON.stringify(actions.map(a => a.title)));
            assert.equal(fixAll.title, 'Fix all Backplan problems');
            assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
            await waitFor(`no problem left after Fix all (now: ${codesOf(uri).join(', ')})`, () => codesOf(uri).length === 0);
            assert.match(editor.document.getText(), /folder People on Cat2, Cat1/);
        });

        it('a diagnostic\'s code opens its rule, alone, in the Markdown preview', async () => {
            const uri = examples('broken', 'coverage-single-copy.backplan');
            const [diagnostic] = await waitFor('coverage.single-copy', () => {
                const found = vscode.languages.getDiagnostics(uri).filter(d => codeOf(d) === 'coverage.single-copy');
                return found.length > 0 && found;
            });
            const code = diagnostic.code as { value: string; target: vscode.Uri };
            assert.equal(code.target.scheme, 'command', code.target.toString());
            // What VS Code does when the code in the problem's hover is clicked.
            const args = JSON.parse(code.target.query) as unknown[];
            await vscode.commands.executeCommand(code.target.path, ...args);
            const tab = await waitFor('the Markdown preview of the rule', () => vscode.window.tabGroups.all.flatMap(g => g.tabs)
                .find(t => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('markdown.preview')));
            assert.match(tab.label, /coverage-single-copy/);
            const shown = vscode.Uri.from({ scheme: 'backplan-doc', path: '/rules.md/coverage-single-copy.md' });
            const section = (await vscode.workspace.openTextDocument(shown)).getText();
            assert.match(section, /^## `coverage\.single-copy`/);
            assert.ok(section.includes('Fails:'), 'with its examples');
            assert.ok(!section.includes('## `coverage.no-offsite`'), 'and no other rule');
        });
    });
}
