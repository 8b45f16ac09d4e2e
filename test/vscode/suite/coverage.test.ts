/** The coverage view, the status bar and the CodeLens, driven by the language server. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, codeOf, examples, open, revertActive, waitFor, type Api } from './helpers';

type Node = { kind: string; [key: string]: unknown };

async function runbookNode(api: Api, file: vscode.Uri): Promise<Node> {
    return waitFor(`the coverage view to list ${vscode.workspace.asRelativePath(file)}`, async () => {
        const roots = await api.coverageTree.getChildren();
        return roots.find(n => api.coverageTree.getTreeItem(n).id === file.toString());
    });
}

async function labels(api: Api, node: Node): Promise<Array<{ label: string; description: string; atRisk: boolean }>> {
    const children = await api.coverageTree.getChildren(node);
    return children.map(child => {
        const item = api.coverageTree.getTreeItem(child);
        return {
            label: String(typeof item.label === 'object' ? item.label?.label : item.label),
            description: String(item.description ?? ''),
            atRisk: item.contextValue === 'backplan.coverage.atRisk'
        };
    });
}

export function registerCoverageTests(): void {
    describe('coverage view', () => {
        let api: Api;
        before(async () => {
            ({ api } = await activate());
        });

        afterEach(async () => {
            if (vscode.window.activeTextEditor?.document.isDirty) await revertActive();
            await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        });

        it('lists every folder and mail server with its copies', async () => {
            const acme = await runbookNode(api, examples('small-master-offsite', 'acme.backplan'));
            const runbook = api.coverageTree.getTreeItem(acme);
            assert.match(String(runbook.label), /Acme PowerShare/);
            // Its title and its file; mail data counted apart from folders.
            assert.equal(runbook.description, 'small-master-offsite/acme.backplan · 2 folders, 1 mail store covered · 0 at risk');
            const items = await labels(api, acme);
            assert.deepEqual(items.map(i => i.label).sort(), ['Engineering', 'Mail1 (mail data)', 'Sales']);
            assert.ok(items.every(i => !i.atRisk), JSON.stringify(items));
            const sales = (await api.coverageTree.getChildren(acme)).find(n => String(api.coverageTree.getTreeItem(n).label) === 'Sales')!;
            const copies = await labels(api, sales);
            assert.deepEqual(copies.map(c => c.label), ['Cat1', 'Cat2', 'Vault']);
            assert.match(copies[2].description, /off-site/);
            assert.match(copies[2].description, /Nightly/);
        });

        it('marks an under-covered folder', async () => {
            const broken = await runbookNode(api, examples('broken', 'coverage-single-copy.backplan'));
            const items = await labels(api, broken);
            const sales = items.find(i => i.label === 'Sales');
            assert.ok(sales?.atRisk, JSON.stringify(items));
            assert.match(sales.description, /1 copy/);
            assert.ok(items.find(i => i.label === 'Engineering') && !items.find(i => i.label === 'Engineering')!.atRisk);
        });

        it('says "Loading…" until the language server has answered, not "No runbook found"', async () => {
            // A tree not attached to a server yet: what the view shows while the server starts.
            const Tree = api.coverageTree.constructor as new () => Api['coverageTree'];
            const starting = new Tree();
            const roots = await starting.getChildren();
            assert.equal(roots.length, 1);
            assert.equal(starting.getTreeItem(roots[0]).label, 'Loading…');
        });

        it('reveals the declaration when an item is selected', async () => {
            const acme = await runbookNode(api, examples('small-master-offsite', 'acme.backplan'));
            const sales = (await api.coverageTree.getChildren(acme)).find(n => String(api.coverageTree.getTreeItem(n).label) === 'Sales')!;
            const command = api.coverageTree.getTreeItem(sales).command!;
            await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
            const editor = await waitFor('the runbook editor', () => vscode.window.activeTextEditor);
            assert.equal(editor.document.uri.toString(), examples('small-master-offsite', 'acme.backplan').toString());
            assert.equal(editor.document.getText(editor.selection), 'Sales');
        });

        it('follows edits and shows the active runbook in the status bar', async () => {
            await open(examples('small-master-offsite', 'acme.backplan'));
            await waitFor('the status bar of acme.backplan, mail data counted apart', async () => {
                await api.status.update();
                return api.status.text === '2 folders, 1 mail store covered · 0 at risk';
            });
            const uri = examples('single-catalog', 'catalog.backplan');
            const editor = await open(uri);
            const before = await waitFor('the status bar', async () => {
                await api.status.update();
                return /^\d+ folders? covered · \d+ at risk$/.test(api.status.text) && api.status.text;
            });
            const risk = Number(/· (\d+) at risk/.exec(before)![1]);
            const holder = /server\s+(\w+)/.exec(editor.document.getText())![1];
            await editor.edit(b => b.insert(editor.document.lineAt(editor.document.lineCount - 1).range.end, `\nfolder Lonely on ${holder}\n`));
            await waitFor(`the status bar to count Lonely at risk (was "${before}")`, async () => {
                await api.status.update();
                return api.status.text.endsWith(`· ${risk + 1} at risk`);
            });
            const node = await runbookNode(api, uri);
            await waitFor('Lonely in the coverage view', async () => {
                const items = await labels(api, node);
                return items.find(i => i.label === 'Lonely' && i.atRisk);
            });
        });

        it('offers Run backup, Show plan and Restore… as CodeLens', async () => {
            const uri = examples('small-master-offsite', 'acme.backplan');
            await open(uri);
            const lenses = await waitFor('CodeLens', async () => {
                const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
                return found && found.length > 0 && found;
            });
            const titles = lenses.map(l => l.command?.title ?? '');
            assert.ok(titles.some(t => t.includes('Run backup')), titles.join(' | '));
            assert.ok(titles.some(t => t.includes('Show plan')), titles.join(' | '));
            assert.equal(titles.filter(t => t.includes('Restore…')).length, 3, titles.join(' | '));
        });

        it('provides backplan tasks for each runbook', async () => {
            const tasks = await vscode.tasks.fetchTasks({ type: 'backplan' });
            const names = tasks.map(t => t.name);
            assert.ok(names.includes('check .'), names.join(' | '));
            assert.ok(names.some(n => n.startsWith('backup acme.backplan')), names.join(' | '));
            assert.deepEqual(tasks.find(t => t.name === 'check .')!.problemMatchers, ['$backplan']);
        });

        it('the $backplan problem matcher reads the check task\'s findings into Problems', async () => {
            const task = (await vscode.tasks.fetchTasks({ type: 'backplan' })).find(t => t.name === 'check .')!;
            const uri = examples('broken', 'backup-no-stop.backplan');
            const fromServer = vscode.languages.getDiagnostics(uri).filter(d => codeOf(d) === 'backup.no-stop').length;
            assert.ok(fromServer > 0);
            const ended = new Promise<void>(resolve => {
                const sub = vscode.tasks.onDidEndTask(e => { if (e.execution.task.name === 'check .') { sub.dispose(); resolve(); } });
            });
            await vscode.tasks.executeTask(task);
            await ended;
            // The matcher's markers come on top of the language server's, same code, same place.
            const matched = await waitFor('the matcher\'s backup.no-stop', () => {
                const all = vscode.languages.getDiagnostics(uri).filter(d => codeOf(d) === 'backup.no-stop');
                return all.length > fromServer && all;
            });
            assert.equal(new Set(matched.map(d => `${d.range.start.line}:${d.range.start.character}`)).size, 1, 'at the same position');
            await vscode.commands.executeCommand('workbench.action.closePanel');
        });

        it('leaves runbooks of backplan.validation.ignorePaths out of the view', async () => {
            const config = vscode.workspace.getConfiguration('backplan');
            const underBroken = async () => (await api.coverageTree.getChildren())
                .filter(n => String(api.coverageTree.getTreeItem(n).id).includes('/examples/broken/')).length;
            assert.ok(await underBroken() > 0);
            await config.update('validation.ignorePaths', ['broken/**'], vscode.ConfigurationTarget.Global);
            try {
                await waitFor('the broken examples to leave the coverage view', async () => await underBroken() === 0);
                await runbookNode(api, examples('small-master-offsite', 'acme.backplan'));
            } finally {
                await config.update('validation.ignorePaths', undefined, vscode.ConfigurationTarget.Global);
            }
            await waitFor('the broken examples to come back', async () => await underBroken() > 0);
        });
    });
}
