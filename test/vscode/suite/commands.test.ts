/**
 * Run commands in a trusted workspace: Check Workspace, Show Plan, and the demo end to end
 * (npm run demo's workspace, nothing else set up): back up, verify, restore, the questions
 * before them, truthful summaries, cancellation.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hasDemo, startDemo, stopDemo, whenAServerStops, writeStopsThatNeverRan, type Demo } from './demo';
import { activate, examples, open, recordPrompts, waitFor, type Api, type Prompts, type Question } from './helpers';

interface RunResult {
    exitCode: number | undefined; cancelled: boolean; output: string; lastLine: string; terminal: string;
    applications?: { fates: Array<{ server: string; fate: 'never-stopped' | 'restarted' | 'down' }> };
}
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

        it('has an output channel for the language server, with its start-up, and a backplan.trace.server setting', async () => {
            const { extension } = await activate();
            const setting = extension.packageJSON.contributes.configuration.properties['backplan.trace.server'];
            assert.deepEqual(setting?.enum, ['off', 'messages', 'verbose']);
            assert.equal(setting.default, 'off');
            assert.equal(api.client.outputChannel.name, 'Backplan Language Server');
            assert.equal(api.client.traceOutputChannel, api.client.outputChannel, 'the protocol trace goes to the same channel');
            const startup = await api.startup;
            assert.ok(startup.files >= 20, `the workspace's files were checked at start-up: ${JSON.stringify(startup)}`);
            assert.ok(startup.firstDiagnostics <= startup.workspaceChecked, JSON.stringify(startup));
            await vscode.commands.executeCommand('backplan.showServerOutput');
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

        describe('the demo, run from the palette: back up, verify, restore', () => {
            let demo: Demo;
            let prompts: Prompts | undefined;

            before(async function () {
                if (!hasDemo()) this.skip();
                this.timeout(180_000);
                demo = await startDemo();
                // The scratch folder is a dot-folder the workspace scan skips: open the runbook.
                await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(demo.runbook));
                await waitFor('the demo runbook in the language server', async () => (await api.coverage.of(demo.runbook)).length > 0);
            });

            afterEach(() => { prompts?.dispose(); prompts = undefined; });
            after(() => stopDemo());

            const runbook = () => demo.runbook;
            const runs = (command: string) => (q: Question) => q.buttons.includes(command) ? command : undefined;

            /** Runs a command that shows a plan and then asks; the real modal is refused by test profiles. */
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

            /** The schedule CodeLens titles of the demo runbook, once one matches `want` (and its tooltip `tooltip`). */
            function scheduleLens(want: RegExp, tooltip: (text: string) => boolean = () => true): Promise<string[]> {
                return waitFor(`a schedule CodeLens matching ${want}`, async () => {
                    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', runbook(), 100);
                    const shown = lenses.filter(l => l.command?.command === 'backplan.showStatus').map(l => l.command!);
                    return shown.some(c => want.test(c.title) && tooltip(c.tooltip ?? '')) && shown.map(c => c.title);
                }, 60_000);
            }
            /** When the palette's backup began (the lens must then show a run from after it). */
            let paletteBackupBegan = '';

            it('the schedule CodeLens says when each block runs next and how it last went, read from the state folder', async function () {
                this.timeout(120_000);
                const settings = () => vscode.workspace.getConfiguration('backplan');
                const demoState = settings().get<string>('state');
                const empty = mkdtempSync(path.join(os.tmpdir(), 'backplan-empty-state-'));
                try {
                    // A state folder without a journal: nothing ever ran.
                    await settings().update('state', empty, vscode.ConfigurationTarget.Global);
                    const fresh = await scheduleLens(/^next: .* · never run/);
                    assert.ok(fresh.length >= 2 && fresh.every(t => /never run/.test(t)), `a lens on each schedule line (backup and drill): ${fresh.join(' | ')}`);
                } finally {
                    await settings().update('state', demoState, vscode.ConfigurationTarget.Global);
                    rmSync(empty, { recursive: true, force: true });
                }
                // The demo's own state: npm run demo backed up and drilled.
                await scheduleLens(/^next: .* · last: ok /);
            });

            it('Run backup asks first, naming the servers it stops; then backs them up in a task terminal', async function () {
                this.timeout(180_000);
                const tape = path.join(demo.scratch, 'tape');
                const before = new Set(filesBelow(tape).map(f => f.file));
                const terminalOpened = new Promise<vscode.Terminal>(resolve => {
                    const sub = vscode.window.onDidOpenTerminal(t => { sub.dispose(); resolve(t); });
                });
                prompts = recordPrompts(api, runs('Back Up'));
                paletteBackupBegan = new Date().toISOString();
                // As the *Run backup* CodeLens invokes it: the backup already chosen.
                const result = await vscode.commands.executeCommand<RunResult>('backplan.backup', runbook(), { policy: 'Nightly' });
                assert.equal(prompts.questions.length, 1, 'one question before anything stops');
                const [question] = prompts.questions;
                assert.match(question.message, /Back up Nightly of .*\? This stops Mail1, Cat1 and Cat2\./);
                assert.deepEqual(question.buttons, ['Back Up', 'Show Plan']);
                assert.equal(result.cancelled, false);
                assert.equal(result.exitCode, 0, result.output);
                assert.ok(await terminalOpened, 'the run had a terminal');
                const added = filesBelow(tape).map(f => f.file).filter(f => !before.has(f));
                const archives = added.filter(f => /\.tar\.zst$/.test(f));
                const manifests = added.filter(f => /\.manifest\.json$/.test(f));
                assert.equal(archives.length, 3, `one new archive per demo server on the tape: ${added.join(', ')}`);
                assert.equal(manifests.length, 3, `one manifest per archive: ${added.join(', ')}`);
                for (const [dir] of demo.servers) assert.ok(demo.running(dir), `${dir} runs again after its backup`);
                assert.deepEqual(Object.fromEntries(result.applications?.fates.map(f => [f.server, f.fate]) ?? []), { Mail1: 'restarted', Cat1: 'restarted', Cat2: 'restarted' });
                assert.match(result.terminal, /Applications: Mail1, Cat1 and Cat2 were stopped and started again\./, 'the terminal says what became of them');
                const told = await prompts.toldMatching(/backup Nightly/);
                assert.equal(told.severity, 'info', told.message);
                assert.match(told.message, /succeeded in .* Mail1, Cat1 and Cat2 were stopped and started again\.$/);
                const listing = await vscode.commands.executeCommand<RunResult>('backplan.archives', runbook(), { tape: null });
                assert.equal(listing.exitCode, 0, listing.output);
                for (const archive of archives) {
                    const id = path.basename(archive).replace(/\.tar\.zst$/, '');
                    assert.ok(listing.output.includes(id), `${id} is listed:\n${listing.output}`);
                }
            });


            it('after the backup, the schedule CodeLens says the last run was ok', async function () {
                this.timeout(90_000);
                // Read again when the task ended, not on the 5-minute refresh: the last run the
                // tooltip names is the palette's (it began after the backup was asked for).
                assert.ok(paletteBackupBegan, 'the palette backup ran');
                await scheduleLens(/^next: .* · last: ok just now/, tip => {
                    const time = /Last run: ok at (\S+)\.$/m.exec(tip)?.[1];
                    return time !== undefined && time >= paletteBackupBegan;
                });
            });
            it('Verify Archives verifies the demo tape', async () => {
                prompts = recordPrompts(api);
                const result = await vscode.commands.executeCommand<RunResult>('backplan.verify', runbook(), { tape: null });
                assert.equal(result.exitCode, 0, result.output);
                assert.match(result.output, /DemoTape|Cat1|Mail1/);
                assert.equal(prompts.questions.length, 0, 'verifying stops nothing: no question');
                assert.equal((await prompts.toldMatching(/verify/)).severity, 'info');
            });

            it('Restore Server… restores Mail1 from the tape: plan, a question whose focused answer is safe, the run', async function () {
                this.timeout(180_000);
                const inbox = path.join(demo.scratch, 'servers', 'mail1', 'Inbox');
                const seeded = path.join(inbox, 'msg-0001.eml');
                prompts = recordPrompts(api, runs('Restore Mail1'));
                // The crash: Mail1's first message is gone; the restore brings back the archive.
                rmSync(seeded, { force: true });
                const result = await vscode.commands.executeCommand<RunResult>('backplan.restore', runbook(), { server: 'Mail1', from: 'tape' });
                const [question] = prompts.questions;
                assert.match(question.message, /^Restore Mail1 \(/);
                assert.equal(question.buttons[0], 'Review the Plan', 'the answer with the focus (Enter) replaces nothing');
                assert.ok(question.buttons.includes('Restore Mail1'));
                assert.equal(result.exitCode, 0, result.output);
                assert.ok(existsSync(seeded), 'the archived message is back');
                assert.ok(demo.running('mail1'), 'Mail1 runs again');
                assert.deepEqual(result.applications?.fates.map(f => [f.server, f.fate]), [['Mail1', 'restarted']]);
                const told = await prompts.toldMatching(/restore Mail1/);
                assert.equal(told.severity, 'info', told.message);
                assert.match(told.message, /Mail1 was stopped and started again\.$/);
            });

            it('Restore Server… asks in a modal dialog before it runs anything', async () => {
                await planThenAsk('backplan.restore', { server: 'Cat1', from: 'replica' }, /restore Cat1/, /Restore Cat1 \(/);
            });

            it('Recover…: Review the Plan brings the plan to the front and runs nothing', async () => {
                let started = 0;
                const sub = vscode.tasks.onDidStartTask(() => { started++; });
                prompts = recordPrompts(api, () => 'Review the Plan');
                try {
                    const result = await vscode.commands.executeCommand('backplan.recover', runbook(), { lost: ['Cat1'] });
                    assert.equal(result, undefined);
                } finally {
                    sub.dispose();
                }
                assert.equal(started, 0, 'no task started');
                assert.match(prompts.questions[0].message, /^Recover Cat1 \(/);
                assert.equal(vscode.window.activeTextEditor?.document.uri.scheme, 'backplan-plan', 'the plan has the focus');
                assert.match(vscode.window.activeTextEditor!.document.getText(), /Where each folder comes from/);
            });

            it('says truthfully which servers were never stopped (a stop that exits 127, a stop not found)', async function () {
                this.timeout(180_000);
                const failing = writeStopsThatNeverRan(demo);
                await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(failing));
                await waitFor('the runbook in the language server', async () => (await api.coverage.of(failing)).length > 0);
                prompts = recordPrompts(api, runs('Back Up'));
                const result = await vscode.commands.executeCommand<RunResult>('backplan.backup', failing, { policy: 'Nightly' });
                assert.equal(result.exitCode, 1, result.output);
                const fates = Object.fromEntries(result.applications?.fates.map(f => [f.server, f.fate]) ?? []);
                assert.deepEqual(fates, { Mail1: 'never-stopped', Cat1: 'never-stopped', Cat2: 'restarted' }, result.output);
                for (const [dir] of demo.servers) assert.ok(demo.running(dir), `${dir} runs`);
                const told = await prompts.toldMatching(/backup Nightly/);
                assert.equal(told.severity, 'error');
                assert.match(told.message, /failed in .* (Mail1 and Cat1|Cat1 and Mail1) were never stopped/);
                assert.match(told.message, /Cat2 was stopped and started again\.$/);
                assert.doesNotMatch(told.message, /NOT running/);
                assert.doesNotMatch(result.terminal, /NOT running/, 'nor does the terminal');
                assert.match(result.terminal, /Applications: .*never stopped.*; Cat2 was stopped and started again\./);
            });

            it('cancelling a backup stops it gracefully: every demo server runs again', async function () {
                this.timeout(180_000);
                prompts = recordPrompts(api, runs('Back Up'));
                const sub = vscode.tasks.onDidStartTask(event => {
                    if (event.execution.task.definition.type !== 'backplan') return;
                    sub.dispose();
                    // Terminate Task, as from the terminal's trash can, once the run has stopped a
                    // demo server: the pseudoterminal closes and the runner gets SIGINT.
                    void whenAServerStops(demo).then(() => event.execution.terminate());
                });
                const result = await vscode.commands.executeCommand<RunResult>('backplan.backup', runbook(), {});
                sub.dispose();
                assert.equal(result.cancelled, true, result.output);
                for (const [dir] of demo.servers) assert.ok(demo.running(dir), `${dir} runs after the cancelled backup:\n${result.output}`);
                assert.ok(result.applications?.fates.every(f => f.fate !== 'down'), JSON.stringify(result.applications));
                const told = await prompts.toldMatching(/was cancelled/);
                assert.equal(told.severity, 'warning');
                assert.doesNotMatch(told.message, /NOT running/);
                if (result.exitCode === 0) {
                    // Seen now and then when SIGINT lands while an archive streams: the CLI
                    // restarts everything but exits 0. Reported to the runner; not this suite's
                    // subject, which is that the run was cancelled and every application runs.
                    console.log(`note: the interrupted backup exited 0:\n${result.output}`);
                }
            });
        });

        describe('closing the window', () => {
            it('leaves requests in flight as the suite ends (the launcher then finds no client errors in the logs)', async () => {
                const uri = examples('small-master-offsite', 'acme.backplan');
                await open(uri);
                // Not awaited: the window closes, and the client stops, while they run.
                for (let i = 0; i < 10; i++) {
                    void vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri).then(undefined, () => undefined);
                    void vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(0, 1)).then(undefined, () => undefined);
                    void api.coverage.of(uri).then(undefined, () => undefined);
                }
            });
        });
    });
}
