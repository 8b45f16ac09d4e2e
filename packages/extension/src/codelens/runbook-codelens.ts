/**
 * CodeLens: "Run backup · Show plan" above each `backup`, "Restore…" above each `server`,
 * "Run drill" above each `drill`.
 * In Restricted Mode the same lenses stay, marked with a lock: clicked, the command says
 * that the workspace is untrusted and offers to manage trust (trust.ts), rather than the
 * lenses vanishing without a word.
 */
import * as vscode from 'vscode';
import type { CoverageService } from '../coverage/coverage-service';

const UNTRUSTED = 'Restricted Mode: this workspace is not trusted, so nothing runs. Click to see why and to manage trust.';

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
        const runbooks = await this.coverage.of(document.uri);
        const runbook = runbooks[0];
        if (!runbook) return [];
        const here = document.uri.toString();
        const root = vscode.Uri.parse(runbook.root);
        const trusted = vscode.workspace.isTrusted;
        const lens = (r: { start: { line: number }}, title: string, command: string, args: unknown[], tooltip: string) =>
            new vscode.CodeLens(new vscode.Range(r.start.line, 0, r.start.line, 0), {
                title: trusted ? title : `$(lock) ${title.replace(/^\$\([\w-]+\) /, '')}`,
                command, arguments: args, tooltip: trusted ? tooltip : UNTRUSTED
            });
        const lenses: vscode.CodeLens[] = [];
        for (const backup of runbook.backups.filter(b => b.uri === here)) {
            lenses.push(
                lens(backup.range, '$(play) Run backup', 'backplan.backup', [root, { policy: backup.name }],
                    `backplan backup --policy ${backup.name}: asks first, naming the servers it stops`),
                lens(backup.range, 'Show plan', 'backplan.showPlan', [root, { verb: 'backup', policy: backup.name }],
                    'the dry run: nothing is stopped or written')
            );
        }
        for (const drill of (runbook.drills ?? []).filter(d => d.uri === here)) {
            lenses.push(lens(drill.range, '$(beaker) Run drill', 'backplan.drill', [root, { policy: drill.name }],
                `backplan drill --policy ${drill.name}: restores into scratch and tests the copy; nothing live is touched`));
        }
        for (const server of runbook.servers.filter(s => s.uri === here)) {
            lenses.push(lens(server.range, '$(history) Restore…', 'backplan.restore', [root, { server: server.name }],
                `restore ${server.name}: shows the plan and asks before anything runs`));
        }
        return lenses;
    }

    dispose(): void {
        this.changed.dispose();
        this.disposables.forEach(d => d.dispose());
    }
}
