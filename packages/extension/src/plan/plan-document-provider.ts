/**
 * Read-only virtual documents (`backplan-plan:`) holding the `--dry-run` output of a
 * backup, restore or recover: the ordered plan, shown before anything runs.
 */
import * as vscode from 'vscode';

export const PLAN_SCHEME = 'backplan-plan';

export class PlanDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly contents = new Map<string, string>();
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    private counter = 0;

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.contents.get(uri.toString()) ?? '';
    }

    /** Stores a plan and returns the URI of its document. */
    add(title: string, text: string): vscode.Uri {
        const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${title.replace(/[/\\]/g, '-')}.txt`, query: String(++this.counter) });
        this.contents.set(uri.toString(), text);
        this.changed.fire(uri);
        return uri;
    }

    dispose(): void {
        this.changed.dispose();
        this.contents.clear();
    }
}
