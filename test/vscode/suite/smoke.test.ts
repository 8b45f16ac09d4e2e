/**
 * The shipped artifact: the .vsix installed with --install-extension. It activates from the
 * extensions folder, checks runbooks, runs its bundled CLI, and poses for the screenshots.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hasDemo, startDemo, stopDemo, whenAServerStops } from './demo';
import { activate, examples, open, recordPrompts, screenshot, waitFor, waitForCodes } from './helpers';

export function registerSmokeTests(): void {
    describe('installed .vsix', () => {
        it('is the installed extension, not the one under development', async () => {
            const { extension } = await activate();
            const repo = process.env.BACKPLAN_VSCODE_TEST_REPO ?? '';
            assert.ok(!extension.extensionPath.startsWith(path.join(repo, 'packages')), extension.extensionPath);
            assert.match(path.basename(extension.extensionPath), /^backplan\.backplan-\d+\.\d+\.\d+$/);
            assert.equal(extension.isActive, true);
        });

        it('checks runbooks with the bundled language server', async () => {
            await waitForCodes(examples('broken', 'coverage-single-copy.backplan'), ['coverage.single-copy']);
        });

        it('runs the bundled CLI', async () => {
            const [result] = await vscode.commands.executeCommand<Array<{ exitCode: number; output: string }>>('backplan.checkWorkspace');
            assert.equal(result.exitCode, 1, result.output);
            assert.match(result.output, /\[coverage\.single-copy\]/);
            await vscode.commands.executeCommand('workbench.action.closePanel');
        });

        it('screenshot: the editor with diagnostics', async () => {
            const uri = examples('broken', 'coverage-single-copy.backplan');
            const editor = await open(uri);
            await waitForCodes(uri, ['coverage.single-copy']);
            const diagnostic = vscode.languages.getDiagnostics(uri)[0];
            editor.selection = new vscode.Selection(diagnostic.range.start, diagnostic.range.start);
            await vscode.commands.executeCommand('workbench.actions.view.problems');
            await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
            // The server has the hover ready before the editor is asked to show it.
            await waitFor('the hover of the diagnostic', async () => {
                const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, diagnostic.range.start);
                return (hovers ?? []).length > 0;
            });
            await vscode.commands.executeCommand('editor.action.showHover');
            await screenshot('vscode-diagnostics', { collapse: ['outline', 'timeline'], waitFor: { selector: '.monaco-hover', text: 'coverage.single-copy' } });
        });

        it('screenshot: the coverage view', async () => {
            await vscode.commands.executeCommand('workbench.action.closePanel');
            await vscode.commands.executeCommand('workbench.action.closeAllEditors');
            const uri = examples('small-master-offsite', 'acme.backplan');
            await open(uri);
            await vscode.commands.executeCommand('workbench.files.action.collapseExplorerFolders');
            const { api } = await activate();
            const node = await waitFor('the runbook in the coverage view', () => vscode.commands.executeCommand('backplan.showCoverage', uri));
            for (const item of await api.coverageTree.getChildren(node)) {
                await api.coverageView.reveal(item, { expand: true, select: false, focus: false });
            }
            await vscode.commands.executeCommand('notifications.clearAll');
            await screenshot('vscode-coverage', { collapse: ['examples', 'outline', 'timeline'], waitFor: { selector: '.monaco-list-row', text: 'at risk' } });
        });

        describe('the demo, from the installed extension', () => {
            before(async function () {
                if (!hasDemo()) this.skip();
                this.timeout(180_000);
            });

            after(() => stopDemo());

            it('screenshot: a backup of the demo running in a terminal', async function () {
                this.timeout(180_000);
                const demo = await startDemo();
                await vscode.commands.executeCommand('workbench.action.closeAllEditors');
                await open(demo.runbook);
                const { api } = await activate();
                await waitFor('the demo runbook in the language server', async () => (await api.coverage.of(demo.runbook)).length > 0);
                await vscode.commands.executeCommand('notifications.clearAll');
                // The installed extension asks before it stops the servers: answer Back Up.
                const prompts = recordPrompts(api, q => q.buttons.includes('Back Up') ? 'Back Up' : undefined);
                try {
                    const stopped = whenAServerStops(demo);
                    const running = vscode.commands.executeCommand<{ exitCode?: number; output: string }>('backplan.backup', demo.runbook, {});
                    // The picture: a server is down for its archive, the terminal shows the run.
                    await stopped;
                    await screenshot('vscode-backup', { keepNotifications: true, collapse: ['outline', 'timeline'], waitFor: { selector: '.notification-toast', text: 'Backplan' } });
                    const result = await running;
                    assert.equal(result.exitCode, 0, result.output);
                    assert.match(prompts.questions[0]?.message ?? '', /This stops Mail1, Cat1 and Cat2/);
                } finally {
                    prompts.dispose();
                }
                for (const [dir] of demo.servers) assert.ok(demo.running(dir), `${dir} runs again`);
            });
        });
    });
}
