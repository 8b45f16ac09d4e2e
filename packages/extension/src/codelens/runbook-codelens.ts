/**
 * CodeLens: "Run backup · Show plan" above each `backup`, "Restore…" above each `server`,
 * "Run drill" above each `drill`.
 * Shown in trusted workspaces only: in Restricted Mode nothing can run.
 */
import * as vscode from 'vscode';
import type { CoverageService } from '../coverage/coverage-service';

export class RunbookCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeCodeLenses = this.changed.event;
    private readonly disposables: vscode.Disposable[];

    constructor(private readonly coverage: CoverageService) {
        this.disposables = [
            coverage.onDidChange(() => this.changed.fire()),
            vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire())
        ];
    }

    async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
        if (!vscode.workspace.isTrusted) return [];
        const runbooks = await this.coverage.of(document.uri);
        const runbook = runbooks[0];
        if (!runbook) return [];
        const here = document.uri.toString();
        const root = vscode.Uri.parse(runbook.root);
        const lenses: vscode.CodeLens[] = [];
        const rangeOf = (r: { start: { line: number; character: number } }) => new vscode.Range(r.start.line, 0, r.start.line, 0);
        for (const backup of runbook.backups.filter(b => b.uri === here)) {
            const range = rangeOf(backup.range);
            lenses.push(
                new vscode.CodeLens(range, { title: '$(play) Run backup', command: 'backplan.backup', arguments: [root, { policy: backup.name }], tooltip: `backplan backup --policy ${backup.name}` }),
                new vscode.CodeLens(range, { title: 'Show plan', command: 'backplan.showPlan', arguments: [root, { verb: 'backup', policy: backup.name }], tooltip: 'the dry run: nothing is stopped or written' })
            );
        }
        for (const drill of (runbook.drills ?? []).filter(d => d.uri === here)) {
            lenses.push(new vscode.CodeLens(rangeOf(drill.range), {
                title: '$(beaker) Run drill', command: 'backplan.drill', arguments: [root, { policy: drill.name }],
                tooltip: `backplan drill --policy ${drill.name}: restores into scratch and tests the copy; nothing live is touched`
            }));
        }
        for (const server of runbook.servers.filter(s => s.uri === here)) {
            lenses.push(new vscode.CodeLens(rangeOf(server.range), {
                title: '$(history) Restore…', command: 'backplan.restore', arguments: [root, { server: server.name }],
                tooltip: `restore ${server.name}: shows the plan and asks before anything runs`
            }));
        }
        return lenses;
    }

    dispose(): void {
        this.changed.dispose();
        this.disposables.forEach(d => d.dispose());
    }
}
