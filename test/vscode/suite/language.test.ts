/** Language features in a real editor: diagnostics with codes, a quick fix, completion. */
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

        it('completes keywords inside a server block', async () => {
            await completeAfter(examples('broken', 'coverage-single-copy.backplan'), '\nserver Cat3 {\n  ',
                'role, host and data', l => ['role', 'host', 'data'].every(k => l.includes(k)));
        });
    });
}
