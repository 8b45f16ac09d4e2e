/** Restricted Mode: language features work, every run command is refused with a reason. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, examples, open, waitFor, waitForCodes } from './helpers';

export function registerRestrictedTests(): void {
    describe('Restricted Mode', () => {
        before(async () => {
            await activate();
        });

        it('opens the folder untrusted', () => {
            assert.equal(vscode.workspace.isTrusted, false);
        });

        it('still checks runbooks as you type', async () => {
            await waitForCodes(examples('broken', 'coverage-single-copy.backplan'), ['coverage.single-copy']);
            await waitForCodes(examples('broken', 'backup-no-stop.backplan'), ['backup.no-stop']);
        });

        const runCommands: Array<[string, unknown[]]> = [
            ['backplan.showPlan', [{ verb: 'backup' }]],
            ['backplan.backup', [{}]],
            ['backplan.restore', [{ server: 'Mail1' }]],
            ['backplan.recover', [{ lost: ['Cat1'] }]],
            ['backplan.drill', [{}]],
            ['backplan.verify', [{ tape: null }]],
            ['backplan.archives', [{ tape: null }]]
        ];
        for (const [command, options] of runCommands) {
            it(`refuses ${command} and says why`, async () => {
                const runbook = examples('small-master-offsite', 'acme.backplan');
                const result = await vscode.commands.executeCommand<{ refused?: boolean; reason?: string }>(command, runbook, ...options);
                assert.equal(result?.refused, true, JSON.stringify(result));
                assert.match(result!.reason!, /Restricted Mode/);
                assert.match(result!.reason!, /trust/i);
            });
        }

        it('disables every run command in the palette (enablement: isWorkspaceTrusted)', async () => {
            const { extension } = await activate();
            const declared = (extension.packageJSON.contributes.commands as Array<{ command: string; enablement?: string }>);
            for (const [command] of runCommands) {
                assert.equal(declared.find(c => c.command === command)?.enablement, 'isWorkspaceTrusted', command);
            }
            assert.equal(declared.find(c => c.command === 'backplan.checkWorkspace')?.enablement, undefined);
        });

        it('shows no run CodeLens', async () => {
            const uri = examples('small-master-offsite', 'acme.backplan');
            await open(uri);
            await waitForCodes(uri, []);
            const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri) ?? [];
            assert.deepEqual(lenses.map(l => l.command?.title), []);
        });

        it('Check Workspace still works (it only reads)', async () => {
            const results = await vscode.commands.executeCommand<Array<{ exitCode: number; output: string }>>('backplan.checkWorkspace');
            assert.equal(results[0].exitCode, 1);
            await waitFor('codes in the check output', () => /\[coverage\.single-copy\]/.test(results[0].output));
        });
    });
}
