/**
 * The coverage view (Explorer): every runbook (its title and its root file), each folder
 * and mail server's data in it, and its copies — servers, tapes, the off-site mark.
 * Under-covered items are marked; a click reveals the declaration. The tree follows edits
 * through {@link CoverageService}. Until the language server has answered once (start-up),
 * the view shows "Loading…", not the welcome text meant for a workspace without runbooks.
 */
import * as vscode from 'vscode';
import type { CoverageItemInfo, DeclarationLocation, RunbookCoverageInfo, TapeCopyInfo } from './coverage-protocol';
import { coverageSummary, runbookFile, runbookLabel, type CoverageService } from './coverage-service';

export type CoverageNode =
    | { kind: 'loading' }
    | { kind: 'runbook'; runbook: RunbookCoverageInfo }
    | { kind: 'item'; runbook: RunbookCoverageInfo; item: CoverageItemInfo }
    | { kind: 'server'; parent: CoverageNode & { kind: 'item' }; copy: DeclarationLocation }
    | { kind: 'tape'; parent: CoverageNode & { kind: 'item' }; copy: TapeCopyInfo };

export class CoverageTreeProvider implements vscode.TreeDataProvider<CoverageNode>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<CoverageNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private runbooks: Promise<RunbookCoverageInfo[]> | undefined;
    private coverage: CoverageService | undefined;
    /** Whether the server has answered once: until then the root is "Loading…". */
    private loaded = false;
    private subscription: vscode.Disposable | undefined;

    /** Starts showing the coverage of the language server (once its client runs). */
    attach(coverage: CoverageService): void {
        this.coverage = coverage;
        this.subscription = coverage.onDidChange(() => this.refresh());
        void this.runbookNodes().then(() => this.changed.fire(undefined));
    }

    refresh(): void {
        this.runbooks = undefined;
        this.changed.fire(undefined);
    }

    private load(coverage: CoverageService): Promise<RunbookCoverageInfo[]> {
        this.runbooks ??= coverage.all().catch(() => []).finally(() => { this.loaded = true; });
        return this.runbooks;
    }

    /** The runbooks' nodes, once the server has answered (for commands that reveal one). */
    async runbookNodes(): Promise<CoverageNode[]> {
        if (!this.coverage) return [];
        return (await this.load(this.coverage)).map(runbook => ({ kind: 'runbook' as const, runbook }));
    }

    async getChildren(node?: CoverageNode): Promise<CoverageNode[]> {
        if (!node) return this.loaded ? this.runbookNodes() : [{ kind: 'loading' }];
        switch (node.kind) {
            case 'runbook':
                return [...node.runbook.items]
                    .sort((a, b) => Number(b.atRisk) - Number(a.atRisk) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name))
                    .map(item => ({ kind: 'item' as const, runbook: node.runbook, item }));
            case 'item':
                return [
                    ...node.item.servers.map(copy => ({ kind: 'server' as const, parent: node, copy })),
                    ...node.item.tapes.map(copy => ({ kind: 'tape' as const, parent: node, copy }))
                ];
            default:
                return [];
        }
    }

    getParent(node: CoverageNode): CoverageNode | undefined {
        switch (node.kind) {
            case 'loading':
            case 'runbook': return undefined;
            case 'item': return { kind: 'runbook', runbook: node.runbook };
            default: return node.parent;
        }
    }

    getTreeItem(node: CoverageNode): vscode.TreeItem {
        switch (node.kind) {
            case 'loading': {
                const item = new vscode.TreeItem('Loading…', vscode.TreeItemCollapsibleState.None);
                item.id = 'backplan.coverage.loading';
                item.description = 'checking the runbooks of the workspace';
                item.iconPath = new vscode.ThemeIcon('loading~spin');
                return item;
            }
            case 'runbook': return this.runbookItem(node.runbook);
            case 'item': return this.coverageItem(node.runbook, node.item);
            case 'server': {
                const item = new vscode.TreeItem(node.copy.name, vscode.TreeItemCollapsibleState.None);
                item.id = `${node.parent.runbook.root}#${node.parent.item.kind}:${node.parent.item.name}/server:${node.copy.name}`;
                item.description = 'server';
                item.iconPath = new vscode.ThemeIcon('server');
                item.contextValue = 'backplan.copy.server';
                item.command = reveal(node.copy);
                return item;
            }
            case 'tape': {
                const item = new vscode.TreeItem(node.copy.name, vscode.TreeItemCollapsibleState.None);
                item.id = `${node.parent.runbook.root}#${node.parent.item.kind}:${node.parent.item.name}/tape:${node.copy.name}`;
                item.description = `tape${node.copy.offsite ? ' · off-site' : ''} · via ${node.copy.backups.join(', ')}`;
                item.iconPath = new vscode.ThemeIcon(node.copy.offsite ? 'globe' : 'database');
                item.contextValue = 'backplan.copy.tape';
                item.command = reveal(node.copy);
                return item;
            }
        }
    }

    private runbookItem(runbook: RunbookCoverageInfo): vscode.TreeItem {
        const summary = coverageSummary(runbook);
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        const expanded = active !== undefined && runbook.files.includes(active);
        const item = new vscode.TreeItem(runbookLabel(runbook),
            expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = runbook.root;
        // The label is the title when there is one: then the description names the file.
        item.description = runbook.title !== undefined ? `${runbookFile(runbook)} · ${summary.text}` : summary.text;
        item.resourceUri = vscode.Uri.parse(runbook.root);
        item.tooltip = `${runbook.title !== undefined ? `${runbook.title}\n` : ''}${runbookFile(runbook)}\n${summary.text}` +
            (runbook.requireOffsite ? '\nrequires an off-site copy of everything' : '');
        item.iconPath = new vscode.ThemeIcon(summary.atRisk > 0 ? 'warning' : 'shield',
            summary.atRisk > 0 ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
        item.contextValue = 'backplan.runbook';
        return item;
    }

    private coverageItem(runbook: RunbookCoverageInfo, info: CoverageItemInfo): vscode.TreeItem {
        const label = info.kind === 'mail' ? `${info.name} (mail data)` : info.name;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${runbook.root}#${info.kind}:${info.name}`;
        const offsite = info.tapes.filter(t => t.offsite).length;
        item.description = `${info.copies} cop${info.copies === 1 ? 'y' : 'ies'}` +
            (offsite > 0 ? ` · ${offsite} off-site` : '') + (info.atRisk ? ` · at risk: ${info.risks.join(', ')}` : '');
        item.tooltip = new vscode.MarkdownString(
            `**${info.kind === 'mail' ? 'Mail data of' : 'Folder'} ${info.name}**: ${info.copies} copies\n\n` +
            info.servers.map(s => `- server \`${s.name}\``).concat(info.tapes.map(t => `- tape \`${t.name}\`${t.offsite ? ' (off-site)' : ''} via ${t.backups.join(', ')}`)).join('\n') +
            (info.atRisk ? `\n\n$(warning) At risk: ${info.risks.join(', ')}` : ''), true);
        item.iconPath = info.atRisk
            ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsErrorIcon.foreground'))
            : new vscode.ThemeIcon(info.kind === 'mail' ? 'mail' : 'folder', new vscode.ThemeColor('testing.iconPassed'));
        item.contextValue = info.atRisk ? 'backplan.coverage.atRisk' : 'backplan.coverage.covered';
        item.command = reveal(info);
        return item;
    }

    dispose(): void {
        this.subscription?.dispose();
        this.changed.dispose();
    }
}

function reveal(location: DeclarationLocation): vscode.Command {
    return {
        command: 'backplan.revealDeclaration',
        title: 'Reveal Declaration',
        arguments: [location.uri, location.range]
    };
}
