/**
 * Backplan: Show Topology, Show Backup Window, Show History — one webview per picture and
 * runbook (showing it again brings it forward), restored after a reload by a
 * WebviewPanelSerializer from the state its page kept.
 *
 * Every panel follows: an edit of a `.backplan` document or a rebuild of the workspace
 * (`backplan/coverageChanged`, e.g. an imported file changed on disk) schedules a redraw
 * (debounced, picture-panel.ts); a finished task (a backup, a drill) redraws the backup
 * window and the history, which read the journal.
 */
import * as vscode from 'vscode';
import type { CoverageService } from '../coverage/coverage-service';
import { pickRunbook } from '../commands/runbook-picker';
import type { BackplanClient } from '../language-client';
import type { PictureKind } from './picture-protocol';
import { PICTURE_TITLES, PICTURE_VIEW_TYPE, PicturePanel, type PictureState } from './picture-panel';

const KINDS = Object.keys(PICTURE_TITLES) as PictureKind[];

export class PictureViews implements vscode.Disposable {
    /** The open panels, newest last. */
    readonly panels: PicturePanel[] = [];
    private readonly disposables: vscode.Disposable[] = [];

    constructor(private readonly lsp: BackplanClient, private readonly coverage: CoverageService) {
        this.disposables.push(
            vscode.window.registerWebviewPanelSerializer(PICTURE_VIEW_TYPE, {
                deserializeWebviewPanel: async (panel, state: unknown) => {
                    if (isPictureState(state)) this.adopt(panel, state);
                    else panel.dispose();
                }
            }),
            vscode.workspace.onDidChangeTextDocument(e => {
                if (e.document.languageId === 'backplan' && e.contentChanges.length) for (const p of this.panels) p.schedule();
            }),
            lsp.onCoverageChanged(() => { for (const p of this.panels) p.schedule(); }),
            vscode.tasks.onDidEndTaskProcess(() => { for (const p of this.panels) if (p.state.kind !== 'topology') p.schedule(); })
        );
    }

    /** The commands, by id. */
    commands(): Array<[string, (uri?: unknown) => Promise<PicturePanel | undefined>]> {
        return KINDS.map(kind => [`backplan.show${kind[0].toUpperCase()}${kind.slice(1)}`, (uri?: unknown) => this.show(kind, uri)]);
    }

    /** Opens (or brings forward) the picture of the runbook of `uri` (else the active editor's, else one picked). */
    async show(kind: PictureKind, uri?: unknown): Promise<PicturePanel | undefined> {
        const target = await pickRunbook(this.coverage, uri, `draw its ${PICTURE_TITLES[kind].toLowerCase()}`);
        if (!target) return undefined;
        const key = target.uri.toString();
        const open = this.panels.find(p => p.state.kind === kind && p.state.uri === key);
        if (open) {
            open.panel.reveal(undefined, true);
            open.schedule(0);
            return open;
        }
        const panel = vscode.window.createWebviewPanel(PICTURE_VIEW_TYPE, PICTURE_TITLES[kind],
            { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [], retainContextWhenHidden: false });
        return this.adopt(panel, { kind, uri: key });
    }

    private adopt(panel: vscode.WebviewPanel, state: PictureState): PicturePanel {
        const picture = new PicturePanel(panel, state, this.lsp);
        this.panels.push(picture);
        picture.onDidDispose(() => {
            const at = this.panels.indexOf(picture);
            if (at >= 0) this.panels.splice(at, 1);
        });
        return picture;
    }

    dispose(): void {
        for (const p of this.panels.splice(0)) p.dispose();
        for (const d of this.disposables.splice(0)) d.dispose();
    }
}

function isPictureState(state: unknown): state is PictureState {
    const s = state as PictureState | undefined;
    return typeof s?.uri === 'string' && KINDS.includes(s.kind);
}
