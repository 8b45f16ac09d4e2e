/**
 * Coverage data from the language server (`backplan/coverage`), refreshed whenever the
 * server re-validates documents, so that the view, the status bar and the CodeLens follow
 * edits as they are typed.
 */
import * as vscode from 'vscode';
import type { BackplanClient } from '../language-client';
import { isIgnoredPath } from '../ignore-paths';
import { CoverageRequest, type CoverageResult, type RunbookCoverageInfo } from './coverage-protocol';

export class CoverageService implements vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    /** Fires (debounced) after the server re-validated documents. */
    readonly onDidChange = this.changed.event;
    private timer: NodeJS.Timeout | undefined;
    private readonly disposables: vscode.Disposable[] = [];

    constructor(private readonly lsp: BackplanClient) {
        this.disposables.push(
            lsp.onCoverageChanged(() => this.schedule()),
            vscode.workspace.onDidChangeConfiguration(e => {
                if (e.affectsConfiguration('backplan.validation.ignorePaths')) this.schedule();
            })
        );
    }

    /** Every runbook of the workspace (ignored roots left out), sorted by root path. */
    async all(): Promise<RunbookCoverageInfo[]> {
        const result = await this.request({});
        return result.runbooks
            .filter(r => !isIgnoredPath(vscode.Uri.parse(r.root)))
            .sort((a, b) => a.root.localeCompare(b.root));
    }

    /** The runbooks a document belongs to. */
    async of(uri: vscode.Uri): Promise<RunbookCoverageInfo[]> {
        const result = await this.request({ uri: uri.toString() });
        return result.runbooks;
    }

    /**
     * Asks the server. While the window closes (the client stopping, or stopped) a request
     * in flight fails, or never gets sent: it answers "no runbooks" then, quietly, since
     * nobody is left to show the answer to.
     */
    private async request(params: { uri?: string }): Promise<CoverageResult> {
        const none: CoverageResult = { runbooks: [] };
        if (this.lsp.closing) return none;
        try {
            return await this.lsp.client.sendRequest<CoverageResult>(CoverageRequest, params);
        } catch (err) {
            if (this.lsp.closing || !this.lsp.client.isRunning()) return none;
            throw err;
        }
    }

    private schedule(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.changed.fire(), 150);
    }

    dispose(): void {
        if (this.timer) clearTimeout(this.timer);
        this.changed.dispose();
        this.disposables.forEach(d => d.dispose());
    }
}

/** `2 folders`, `1 mail store`. */
function count(n: number, what: string): string {
    return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * "2 folders, 1 mail store covered · 0 at risk" for one runbook: folders and mail servers'
 * data are counted apart (a mail store is not a folder); a kind the runbook has none of is
 * left out, unless it has neither.
 */
export function coverageSummary(runbook: RunbookCoverageInfo): { covered: number; atRisk: number; text: string } {
    const atRisk = runbook.items.filter(i => i.atRisk).length;
    const covered = runbook.items.filter(i => !i.atRisk);
    const folders = covered.filter(i => i.kind === 'folder').length;
    const mail = covered.length - folders;
    const hasMail = runbook.items.some(i => i.kind === 'mail');
    const hasFolders = runbook.items.some(i => i.kind === 'folder') || !hasMail;
    const parts = [hasFolders ? count(folders, 'folder') : '', hasMail ? count(mail, 'mail store') : ''].filter(Boolean);
    return { covered: covered.length, atRisk, text: `${parts.join(', ')} covered · ${atRisk} at risk` };
}

/** Where a runbook's root file is, relative to its workspace folder. */
export function runbookFile(runbook: RunbookCoverageInfo): string {
    return vscode.workspace.asRelativePath(vscode.Uri.parse(runbook.root), false);
}

/** A runbook's name for people: its title, else its root file's name. */
export function runbookLabel(runbook: RunbookCoverageInfo): string {
    return runbook.title ?? runbookFile(runbook);
}
