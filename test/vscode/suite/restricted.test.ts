/**
 * Restricted Mode: language features work; every run command stays in the palette, the
 * keybindings, the CodeLens and the title bars, and invoked, says that the workspace is
 * untrusted and offers *Manage Workspace Trust*.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate, examples, open, recordPrompts, waitFor, waitForCodes, type Api } from './helpers';
import { showPicture } from './pictures.test';

const MANAGE_TRUST = 'Manage Workspace Trust';

interface Refusal { refused?: boolean; reason?: string; answered?: Thenable<void> }

export function registerRestrictedTests(): void {
    describe('Restricted Mode', () => {
        let api: Api;
        before(async () => {
            ({ api } = await activate());
        });

        it('opens the folder untrusted', () => {
            assert.equal(vscode.workspace.isTrusted, false);
        });

        it('still checks runbooks as you type', async () => {
            await waitForCodes(examples('broken', 'coverage-single-copy.backplan'), ['coverage.single-copy']);
            await waitForCodes(examples('broken', 'backup-no-stop.backplan'), ['backup.no-stop']);
        });

        it('still draws the pictures (they read, never run): Show Topology and Show History', async () => {
            const runbook = examples('small-master-offsite', 'acme.backplan');
            await showPicture('backplan.showTopology', runbook, ['server:Cat1', 'folder:Sales', 'tape:Vault']);
            await showPicture('backplan.showHistory', runbook, ['server:Cat1']);
            await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        });

        const runCommands: Array<[string, unknown[]]> = [
            ['backplan.showPlan', [{ verb: 'backup' }]],
            ['backplan.backup', [{}]],
            ['backplan.restore', [{ server: 'Mail1' }]],
            ['backplan.recover', [{ lost: ['Cat1'] }]],
            ['backplan.drill', [{}]],
            ['backplan.verify', [{ tape: null }]],
            ['backplan.archives', [{ tape: null }]],
            ['backplan.showStatus', [{}]]
        ];
        for (const [command, options] of runCommands) {
            it(`refuses ${command}: says the workspace is untrusted and offers ${MANAGE_TRUST}`, async () => {
                const prompts = recordPrompts(api);
                try {
                    const runbook = examples('small-master-offsite', 'acme.backplan');
                    const result = await vscode.commands.executeCommand<Refusal>(command, runbook, ...options);
                    assert.equal(result?.refused, true, JSON.stringify(result));
                    assert.match(result!.reason!, /Restricted Mode: this workspace is not trusted/);
                    const [told] = prompts.told;
                    assert.equal(told.message, result!.reason);
                    assert.deepEqual(told.actions, [MANAGE_TRUST]);
                } finally {
                    prompts.dispose();
                }
            });
        }

        it(`${MANAGE_TRUST} opens the Workspace Trust editor`, async () => {
            const prompts = recordPrompts(api, undefined, (_message, actions) => actions.includes(MANAGE_TRUST) ? MANAGE_TRUST : undefined);
            try {
                const result = await vscode.commands.executeCommand<Refusal>('backplan.backup', examples('small-master-offsite', 'acme.backplan'), {});
                await result?.answered;
                await waitFor('the Workspace Trust editor', () => vscode.window.tabGroups.all.some(g => g.tabs.some(t => /Workspace Trust/i.test(t.label))));
            } finally {
                prompts.dispose();
                await vscode.commands.executeCommand('workbench.action.closeAllEditors');
            }
        });

        it('keeps every run command in the palette, the keybindings and the title bars', async () => {
            const { extension } = await activate();
            const contributes = extension.packageJSON.contributes as {
                commands: Array<{ command: string; enablement?: string }>;
                menus: Record<string, Array<{ command: string; when?: string }>>;
            };
            for (const [command] of runCommands) {
                const declared = contributes.commands.find(c => c.command === command);
                assert.ok(declared, command);
                assert.equal(declared.enablement, undefined, `${command} is never disabled: invoked, it explains`);
                const hidden = contributes.menus.commandPalette?.find(m => m.command === command);
                assert.equal(hidden, undefined, `${command} is not hidden from the palette`);
            }
            for (const item of [...contributes.menus['view/title'], ...contributes.menus['editor/title']]) {
                assert.doesNotMatch(item.when ?? '', /isWorkspaceTrusted/, `${item.command} stays in its title bar`);
            }
            const registered = await vscode.commands.getCommands(true);
            for (const [command] of runCommands) assert.ok(registered.includes(command), `${command} is registered`);
        });

        it('shows the run CodeLens with a lock; clicked, it explains instead of running', async () => {
            const uri = examples('small-master-offsite', 'acme.backplan');
            await open(uri);
            await waitForCodes(uri, []);
            const lenses = await waitFor('the CodeLens', async () => {
                const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri) ?? [];
                return found.length > 0 && found;
            });
            const titles = lenses.map(l => l.command?.title ?? '');
            assert.ok(titles.includes('$(lock) Run backup'), titles.join(', '));
            assert.ok(titles.includes('$(lock) Restore…'), titles.join(', '));
            for (const lens of lenses) assert.match(lens.command?.tooltip ?? '', /Restricted Mode/);
            const backup = lenses.find(l => l.command?.title === '$(lock) Run backup')!;
            const prompts = recordPrompts(api);
            try {
                const result = await vscode.commands.executeCommand<Refusal>(backup.command!.command, ...(backup.command!.arguments ?? []));
                assert.equal(result?.refused, true);
                assert.deepEqual(prompts.told[0]?.actions, [MANAGE_TRUST]);
            } finally {
                prompts.dispose();
            }
        });

        it('Check Workspace still works (it only reads)', async () => {
            const results = await vscode.commands.executeCommand<Array<{ exitCode: number; output: string }>>('backplan.checkWorkspace');
            assert.equal(results[0].exitCode, 1);
            await waitFor('codes in the check output', () => /\[coverage\.single-copy\]/.test(results[0].output));
        });
    });
}
