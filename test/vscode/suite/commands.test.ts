/** Run commands in a trusted workspace: Check Workspace, Show Plan, a backup of the demo. */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hasDemo, startDemo, stopDemo, type Demo } from './demo';
import { activate, examples, sleep, waitFor, type Api } from './helpers';

interface RunResult { exitCode: number | undefined; cancelled: boolean; output: string; lastLine: string }
interface PlanResult { exitCode: number | null; text: string; document: vscode.TextDocument }

/** Every file below a folder, with its modification time. */
function filesBelow(dir: string): Array<{ file: string; mtime: number }> {
    if (!existsSync(dir)) return [];
    const result: Array<{ file: string; mtime: number }> = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) result.push(...filesBelow(full));
        else if (entry.isFile()) result.push({ file: full, mtime: statSync(full).mtimeMs });
    }
    return result;
}

export function registerCommandTests(): void {
    describe('run commands (trusted workspace)', () => {
        let api: Api;
        before(async () => {
            ({ api } = await activate());
            assert.equal(vscode.workspace.isTrusted, true, 'this run needs a trusted workspace');
        });

        afterEach(async () => {
            await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        });

        it('Check Workspace runs `backplan check` in a task and reports the findings', async () => {
            const [result] = await vscode.commands.executeCommand<RunResult[]>('backplan.checkWorkspace');
            assert.equal(result.exitCode, 1, result.output);
            assert.match(result.output, /broken\/coverage-single-copy\.backplan:\d+:\d+: error: .* \[coverage\.single-copy\]/);
            assert.match(result.lastLine, /\d+ errors?, \d+ warnings? in \d+ files/);
        });

        it('Show Plan opens the backup dry run in a read-only document', async () => {
            const runbook = examples('small-master-offsite', 'acme.backplan');
            const plan = await vscode.commands.executeCommand<PlanResult>('backplan.showPlan', runbook, { verb: 'backup', policy: 'Nightly' });
            assert.equal(plan.document.uri.scheme, 'backplan-plan');
            assert.match(plan.text, /backplan backup small-master-offsite\/acme\.backplan --policy Nightly --dry-run/);
            assert.equal(plan.exitCode, 0, plan.text);
            assert.match(plan.text, /Mail1/);
            assert.match(plan.text, /Cat1/);
            assert.ok(vscode.window.visibleTextEditors.some(e => e.document.uri.scheme === 'backplan-plan'), 'the plan is shown');
        });

        describe('the demo', () => {
            let demo: Demo;

            before(async function () {
                if (!hasDemo()) this.skip();
                this.timeout(180_000);
                demo = await startDemo();
            });

            after(() => stopDemo());

            const runbook = () => demo.runbook;

            /** Runs a command that must show a plan and then ask; the test profile refuses the dialog. */
            async function planThenAsk(command: string, options: object, planned: RegExp, question: RegExp): Promise<void> {
                let started = 0;
                const sub = vscode.tasks.onDidStartTask(() => { started++; });
                try {
                    const result = await vscode.commands.executeCommand(command, runbook(), options);
                    assert.equal(result, undefined, 'nothing runs without a yes');
                } catch (err) {
                    // Test profiles refuse modal dialogs with an error that quotes the question.
                    assert.match(String(err), /refused to show dialog/);
                    assert.match(String(err), question);
                } finally {
                    sub.dispose();
                }
                assert.equal(started, 0, 'no task started');
                const plan = vscode.window.visibleTextEditors.find(e => e.document.uri.scheme === 'backplan-plan');
                assert.ok(plan, 'the plan is shown before the question');
                assert.match(plan.document.getText(), planned);
                assert.match(plan.document.getText(), /dry run: nothing was touched/);
            }

            it('backs up the demo servers in a task terminal, and the archives are on the tape', async function () {
                this.timeout(180_000);
                const runbook = demo.runbook;
                // The scratch folder is a dot-folder the workspace scan skips: open the runbook.
                await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(runbook));
                await waitFor('the demo runbook in the language server', async () => (await api.coverage.of(runbook)).length > 0);
                const tape = path.join(demo.scratch, 'tape');
                const before = new Set(filesBelow(tape).map(f => f.file));
                const terminalOpened = new Promise<vscode.Terminal>(resolve => {
                    const sub = vscode.window.onDidOpenTerminal(t => { sub.dispose(); resolve(t); });
                });
                const result = await vscode.commands.executeCommand<RunResult>('backplan.backup', runbook, {});
                assert.equal(result.cancelled, false);
                assert.equal(result.exitCode, 0, result.output);
                const terminal = await Promise.race([terminalOpened, sleep(5000).then(() => undefined)]);
                assert.ok(terminal, 'the run had a terminal');
                const added = filesBelow(tape).map(f => f.file).filter(f => !before.has(f));
                const archives = added.filter(f => /\.tar\.zst$/.test(f));
                const manifests = added.filter(f => /\.manifest\.json$/.test(f));
                assert.equal(archives.length, 3, `one new archive per demo server on the tape: ${added.join(', ')}`);
                assert.equal(manifests.length, 3, `one manifest per archive: ${added.join(', ')}`);
                for (const [dir] of demo.servers) assert.ok(demo.running(dir), `${dir} runs again after its backup`);
                const listing = await vscode.commands.executeCommand<RunResult>('backplan.archives', runbook, { tape: null });
                assert.equal(listing.exitCode, 0, listing.output);
                for (const archive of archives) {
                    const id = path.basename(archive).replace(/\.tar\.zst$/, '');
                    assert.ok(listing.output.includes(id) || listing.output.includes(path.basename(archive)), `${id} is listed:\n${listing.output}`);
                }
            });

            it('Verify Archives verifies the demo tape', async () => {
                const result = await vscode.commands.executeCommand<RunResult>('backplan.verify', runbook(), { tape: null });
                assert.equal(result.exitCode, 0, result.output);
                assert.match(result.output, /DemoTape|Cat1|Mail1/);
            });

            it('Restore Server… shows the plan, then asks before it runs anything', async () => {
                await planThenAsk('backplan.restore', { server: 'Cat1', from: 'replica' }, /restore Cat1/, /Restore Cat1 \(/);
            });

            it('Recover… shows the plan (each folder\'s source), then asks before it runs anything', async () => {
                await planThenAsk('backplan.recover', { lost: ['Cat1'] }, /Where each folder comes from/, /Recover Cat1 \(/);
            });

            it('cancelling a backup stops it gracefully: every demo server runs again', async function () {
                this.timeout(180_000);
                const runbook = demo.runbook;
                const started = vscode.tasks.onDidStartTask(event => {
                    if (event.execution.task.definition.type !== 'backplan') return;
                    started.dispose();
                    // Terminate Task, as from the terminal's trash can: the pseudoterminal
                    // closes and the runner gets SIGINT.
                    setTimeout(() => event.execution.terminate(), 700);
                });
                const result = await vscode.commands.executeCommand<RunResult>('backplan.backup', runbook, {});
                started.dispose();
                assert.equal(result.cancelled, true, result.output);
                for (const [dir] of demo.servers) assert.ok(demo.running(dir), `${dir} runs after the cancelled backup:\n${result.output}`);
                if (result.exitCode === 0) {
                    // Seen now and then when SIGINT lands while an archive streams: the CLI
                    // restarts everything but exits 0. Reported to the runner; not this suite's
                    // subject, which is that the run was cancelled and every application runs.
                    console.log(`note: the interrupted backup exited 0:\n${result.output}`);
                }
            });
        });
    });
}
