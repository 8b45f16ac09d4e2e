/**
 * The status bar item for the active runbook: "2 folders, 1 mail store covered · 0 at risk".
 */
import * as vscode from 'vscode';
import { coverageSummary, runbookLabel, type CoverageService } from '../coverage/coverage-service';

export class CoverageStatus implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('backplan.coverage', vscode.StatusBarAlignment.Left, 50);
    private readonly disposables: vscode.Disposable[] = [];
    private generation = 0;
    /** The text last shown (for tests and screenshots). */
    text = '';

    constructor(private readonly coverage: CoverageService) {
        this.item.name = 'Backplan Coverage';
        this.item.command = 'backplan.showCoverage';
        this.disposables.push(
            vscode.window.onDidChangeActiveTextEditor(() => void this.update()),
            coverage.onDidChange(() => void this.update())
        );
        void this.update();
    }

    async update(): Promise<void> {
        const generation = ++this.generation;
        const document = vscode.window.activeTextEditor?.document;
        if (!document || document.languageId !== 'backplan') {
            this.item.hide();
            return;
        }
        let runbooks;
        try {
            runbooks = await this.coverage.of(document.uri);
        } catch {
            return;
        }
        if (generation !== this.generation) return;
        const runbook = runbooks[0];
        if (!runbook) {
            this.item.hide();
            return;
        }
        const summary = coverageSummary(runbook);
        this.text = summary.text;
        this.item.text = `${summary.atRisk > 0 ? '$(warning)' : '$(shield)'} ${summary.text}`;
        this.item.tooltip = `Backplan coverage of ${runbookLabel(runbook)}` +
            (runbooks.length > 1 ? ` (this file belongs to ${runbooks.length} runbooks)` : '') + ': click to show the coverage view';
        this.item.backgroundColor = summary.atRisk > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
        this.item.show();
    }

    dispose(): void {
        this.item.dispose();
        this.disposables.forEach(d => d.dispose());
    }
}
