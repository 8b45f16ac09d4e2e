/**
 * The picture webviews (DESIGN §12): Show Topology, Show Backup Window, Show History. Each
 * opens, and its page's DOM (read back by a message round-trip with the page's own script)
 * shows the runbook's servers, folders and tapes; the topology follows an edit of the
 * runbook; a click on a server in the page opens its declaration; the page's policy
 * refuses what it forbids; the page takes the theme's colours when the theme changes; a
 * closed picture reopened comes back through the serializer. Waits for the page's answers
 * and the editor's selection, never for a fixed time.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hasDemo, startDemo, stopDemo } from './demo';
import { activate, examples, open, revertActive, screenshot, waitFor, type Api } from './helpers';
import { askForReload, canReload } from './reload';

interface Probe { ids: string[]; text: string; status: string; styled: string; theme: string; state: { kind: string; uri: string } | null; refused: string[] }
interface Panel {
    panel: vscode.WebviewPanel;
    state: { kind: string; uri: string };
    shownVersion: number;
    probe(): Promise<Probe>;
    click(id: string): Promise<boolean>;
    tryForbidden(): Promise<{ ran: boolean; styled: boolean; fetched: string }>;
}
type PictureApi = Api & { pictures: { panels: Panel[] } };

const ACME_IDS = ['server:Mail1', 'server:Cat1', 'server:Cat2', 'folder:Engineering', 'folder:Sales', 'tape:Vault'];

/** Relative luminance (0 black … 1 white) of a computed `rgb(r, g, b)`. */
function luminance(color: string): number {
    const [r, g, b] = (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
    assert.ok([r, g, b].every(n => Number.isFinite(n)), `a colour: ${color}`);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/** Opens a picture of a runbook and waits until its page shows the SVG with these element ids. */
export async function showPicture(command: string, runbook: vscode.Uri, ids: string[]): Promise<{ panel: Panel; probe: Probe }> {
    const panel = await vscode.commands.executeCommand<Panel>(command, runbook);
    assert.ok(panel, `${command} opened a panel`);
    let last: Probe | undefined;
    const probe = await waitFor(`${command}'s page to show ${ids.join(', ')}`, async () => {
        const p = last = await panel.probe();
        return ids.every(id => p.ids.includes(id)) && p;
    }, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}; the page shows: ${JSON.stringify({ status: last?.status, ids: last?.ids, visible: panel.panel.visible })}`);
    });
    return { panel, probe };
}

export function registerPictureTests(): void {
    describe('picture webviews', () => {
        let api: PictureApi;
        const acme = () => examples('small-master-offsite', 'acme.backplan');
        before(async () => {
            api = (await activate()).api as PictureApi;
        });

        afterEach(async () => {
            for (const editor of vscode.window.visibleTextEditors) {
                if (editor.document.isDirty) {
                    await vscode.window.showTextDocument(editor.document);
                    await revertActive();
                }
            }
            await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        });

        it('Show Topology draws the servers, folders and tapes of the runbook, in the theme\'s colours', async () => {
            await open(acme());
            const { panel, probe } = await showPicture('backplan.showTopology', acme(), ACME_IDS);
            assert.equal(panel.state.kind, 'topology');
            assert.match(probe.text, /Cat1/);
            assert.match(probe.text, /off-site/);
            assert.ok(probe.styled && probe.styled !== 'none', `the page's style sheet paints the picture: ${probe.styled}`);
            assert.equal(api.pictures.panels.filter(p => p.state.kind === 'topology').length, 1);
            // Asked again, the same panel comes forward.
            assert.equal(await vscode.commands.executeCommand('backplan.showTopology', acme()), panel);
        });

        it('the topology follows an edit of the runbook, and a click reveals the declaration', async () => {
            const editor = await open(acme());
            const { panel } = await showPicture('backplan.showTopology', acme(), ACME_IDS);
            const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
            await editor.edit(b => b.insert(end, '\nserver Cat9 { role catalog host local data "/srv/c9" stop "true" start "true" }\nfolder Archive9 on Cat9\n'));
            const after = await waitFor('the page to show Cat9 and Archive9', async () => {
                const p = await panel.probe();
                return p.ids.includes('server:Cat9') && p.ids.includes('folder:Archive9') && p;
            }, 60_000);
            assert.match(after.text, /only one copy/);

            assert.equal(await panel.click('server:Cat2'), true);
            const selected = await waitFor('the editor to select Cat2\'s declaration', () => {
                const e = vscode.window.activeTextEditor;
                return e && e.document.uri.toString() === acme().toString() && e.document.getText(e.selection) === 'Cat2' && e;
            });
            assert.match(selected.document.lineAt(selected.selection.start.line).text, /^server Cat2 \{/);
        });

        // Acme's backup Nightly sends Mail1 and Cat1 (the master holds every folder).
        it('Show Backup Window draws a lane per server of the backup and per replicated folder', async () => {
            const { probe } = await showPicture('backplan.showBackupWindow', acme(), ['server:Mail1', 'server:Cat1', 'folder:Sales', 'folder:Engineering']);
            assert.match(probe.text, /backup window/i);
            assert.ok(!probe.ids.includes('server:Cat2'), 'Cat2 is in no backup: no lane');
        });

        it('the page\'s Content-Security-Policy refuses an inline script, a style sheet, an image and a fetch it was not given', async () => {
            const { panel } = await showPicture('backplan.showTopology', acme(), ACME_IDS);
            assert.deepEqual(await panel.tryForbidden(), { ran: false, styled: false, fetched: 'refused' });
            const wanted = ['script-src', 'style-src', 'img-src', 'connect-src'];
            const probe = await waitFor(`the page to report its policy's refusals (${wanted.join(', ')})`, async () => {
                const p = await panel.probe();
                return wanted.every(d => p.refused.some(r => r.startsWith(d))) && p;
            });
            assert.ok(ACME_IDS.every(id => probe.ids.includes(id)), 'the picture is still drawn');
        });

        it('the picture takes the theme\'s colours when the theme changes, light and dark', async () => {
            const workbench = () => vscode.workspace.getConfiguration('workbench');
            const original = workbench().inspect<string>('colorTheme')?.globalValue;
            const { panel } = await showPicture('backplan.showTopology', acme(), ACME_IDS);
            const themed = (kind: 'light' | 'dark') => waitFor(`the page to take a ${kind} theme`, async () => {
                const p = await panel.probe();
                return p.theme.split(/\s+/).includes(`vscode-${kind}`) && (kind === 'light' ? luminance(p.styled) > 0.7 : luminance(p.styled) < 0.3) && p;
            });
            try {
                await workbench().update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
                const light = await themed('light');
                await workbench().update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
                const dark = await themed('dark');
                assert.notEqual(light.styled, dark.styled);
                assert.ok(ACME_IDS.every(id => dark.ids.includes(id)), 'the same picture, repainted');
            } finally {
                await workbench().update('colorTheme', original, vscode.ConfigurationTarget.Global);
            }
        });

        it('Show History draws a row per server of the backup', async () => {
            const { probe, panel } = await showPicture('backplan.showHistory', acme(), ['server:Mail1', 'server:Cat1']);
            assert.match(probe.text, /Backup history of runbook "Acme PowerShare"/);
            assert.match(probe.text, /Drills/);
            assert.equal(panel.state.kind, 'history');
        });
    });

    // Last of the trusted run: the picture stays open for the window reload (reload.ts).
    describe('picture webviews before a window reload', () => {
        it('the page keeps what it shows (kind, runbook) for the serializer, and stays open over the reload', async () => {
            const { probe } = await showPicture('backplan.showHistory', examples('small-master-offsite', 'acme.backplan'), ['server:Mail1', 'server:Cat1']);
            const runbook = examples('small-master-offsite', 'acme.backplan').toString();
            assert.deepEqual({ kind: probe.state?.kind, uri: probe.state?.uri }, { kind: 'history', uri: runbook });
            if (canReload()) askForReload({ picture: { kind: 'history', uri: runbook } });
        });
    });
}

/** The second load of the trusted run (reload.ts): what the first left open. */
export function registerPictureReloadTests(what: Record<string, unknown>): void {
    describe('picture webviews after a window reload', () => {
        it('the picture left open comes back through the serializer, from the state its page kept, and is drawn again', async () => {
            const api = (await activate()).api as PictureApi;
            const want = what.picture as { kind: string; uri: string };
            assert.ok(want, 'the first load left a picture open');
            const revived = await waitFor(`the serializer to bring back the ${want.kind} of ${want.uri}`, () =>
                api.pictures.panels.find(p => p.state.kind === want.kind && p.state.uri === want.uri), 60_000);
            assert.match(revived.panel.title, /^History: /);
            const probe = await waitFor('the revived page to draw the history', async () => {
                const p = await revived.probe();
                return ['server:Mail1', 'server:Cat1'].every(id => p.ids.includes(id)) && p;
            }, 60_000);
            assert.match(probe.text, /Backup history of runbook "Acme PowerShare"/);
            assert.equal(api.pictures.panels.length, 1, 'one panel: the one that was open');
        });
    });
}

/**
 * The smoke run (the installed .vsix): each picture of the demo runbook — whose journal
 * holds the demo's backup, restores and drills (`npm run demo`, run by startDemo) — opens,
 * and poses for the README and docs/pictures.md.
 */
export function registerPictureScreenshots(): void {
    describe('picture webviews (screenshots)', () => {
        let runbook: vscode.Uri;
        let api: Api;
        before(async function () {
            if (!hasDemo()) this.skip();
            this.timeout(180_000);
            ({ api } = await activate());
            runbook = (await startDemo()).runbook;
        });
        after(() => stopDemo());
        afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));
        const shots: Array<[string, string, string[]]> = [
            ['backplan.showTopology', 'vscode-topology', ['server:Mail1', 'server:Cat1', 'server:Cat2']],
            ['backplan.showBackupWindow', 'vscode-backup-window', ['server:Mail1', 'server:Cat1', 'server:Cat2']],
            ['backplan.showHistory', 'vscode-history', ['server:Mail1', 'server:Cat1', 'server:Cat2']]
        ];
        for (const [command, name, ids] of shots) {
            it(`screenshot: ${command}`, async () => {
                await open(runbook);
                await waitFor('the demo runbook in the language server', async () => (await api.coverage.of(runbook)).length > 0);
                await vscode.commands.executeCommand('workbench.action.closePanel');
                await vscode.commands.executeCommand('workbench.action.closeSidebar');
                await vscode.commands.executeCommand('notifications.clearAll');
                await showPicture(command, runbook, ids);
                await screenshot(name);
            });
        }
    });
}
