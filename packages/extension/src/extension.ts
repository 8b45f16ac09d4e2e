/**
 * The Backplan extension: language client, run commands, coverage view and status bar.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { setExtensionRoot } from './cli/cli-invocation';
import { RunbookCodeLensProvider } from './codelens/runbook-codelens';
import { SHOW_STATUS_COMMAND, ScheduleCodeLensProvider } from './codelens/schedule-codelens';
import { showArchives, verifyArchives } from './commands/archives';
import { backUp } from './commands/back-up';
import { checkWorkspace } from './commands/check-workspace';
import type { CommandContext } from './commands/command-context';
import { recover } from './commands/recover';
import { runDrill } from './commands/run-drill';
import { restoreServer } from './commands/restore-server';
import { revealDeclaration, showCoverage } from './commands/show-coverage';
import { showPlan } from './commands/show-plan';
import { showStatus } from './commands/show-status';
import { CoverageService } from './coverage/coverage-service';
import { CoverageTreeProvider, type CoverageNode } from './coverage/coverage-tree';
import { DOC_SCHEME, DocSectionProvider, SHOW_DOCUMENTATION_COMMAND } from './docs/doc-section-provider';
import { startLanguageClient, type BackplanClient, type StartupReport } from './language-client';
import { PictureViews } from './pictures/picture-views';
import { PLAN_SCHEME, PlanDocumentProvider } from './plan/plan-document-provider';
import { CoverageStatus } from './status/coverage-status';
import { RunStatusService } from './status/run-status-service';
import { BackplanTaskProvider, TASK_TYPE } from './tasks/backplan-task-provider';
import { setPrompter, type Prompter } from './ui/prompter';

/** What `activate` returns: used by the VS Code test suite to read views and state. */
export interface BackplanApi {
    client: LanguageClient;
    coverage: CoverageService;
    coverageTree: CoverageTreeProvider;
    coverageView: vscode.TreeView<CoverageNode>;
    status: CoverageStatus;
    /** The picture webviews (Show Topology, Show Backup Window, Show History). */
    pictures: PictureViews;
    /** Milliseconds from activation to the server's start-up milestones (bench/vscode-startup). */
    startup: Promise<StartupReport>;
    /**
     * Puts another prompter in the place of VS Code's dialogs and notifications (undefined:
     * VS Code's again). The VS Code suite answers questions this way: test profiles refuse
     * modal dialogs.
     */
    setPrompter(prompter: Prompter | undefined): void;
}

let lsp: BackplanClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<BackplanApi> {
    const activatedAt = Date.now();
    setExtensionRoot(context.extensionPath);
    // The view first, so that it says "Loading…" while the language server starts.
    const tree = new CoverageTreeProvider();
    const view = vscode.window.createTreeView('backplan.coverage', { treeDataProvider: tree, showCollapseAll: true });
    const docs = new DocSectionProvider(context.asAbsolutePath('dist'));
    context.subscriptions.push(tree, view,
        vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, docs),
        vscode.commands.registerCommand(SHOW_DOCUMENTATION_COMMAND, (doc?: unknown, anchor?: unknown) => docs.show(doc, anchor)));
    void vscode.commands.executeCommand('setContext', 'backplan.active', true);
    lsp = await startLanguageClient(context, activatedAt);
    const { client, output } = lsp;

    const coverage = new CoverageService(lsp);
    tree.attach(coverage);
    const plans = new PlanDocumentProvider();
    const status = new CoverageStatus(coverage);
    const codeLens = new RunbookCodeLensProvider(coverage);
    const ctx: CommandContext = { coverage, plans, tree, view };
    const runStatus = new RunStatusService();
    const scheduleLens = new ScheduleCodeLensProvider(coverage, runStatus);
    context.subscriptions.push(runStatus, scheduleLens,
        vscode.languages.registerCodeLensProvider({ language: 'backplan', scheme: 'file' }, scheduleLens),
        vscode.commands.registerCommand(SHOW_STATUS_COMMAND, (uri?: unknown, options?: object) => showStatus(ctx, uri, options)));
    const pictures = new PictureViews(lsp, coverage);
    context.subscriptions.push(pictures, ...pictures.commands().map(([id, show]) => vscode.commands.registerCommand(id, show)));

    context.subscriptions.push(
        coverage, plans, status, codeLens,
        vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans),
        vscode.languages.registerCodeLensProvider({ language: 'backplan', scheme: 'file' }, codeLens),
        vscode.tasks.registerTaskProvider(TASK_TYPE, new BackplanTaskProvider(coverage)),
        vscode.window.onDidChangeActiveTextEditor(() => tree.refresh()),
        vscode.commands.registerCommand('backplan.checkWorkspace', () => checkWorkspace()),
        vscode.commands.registerCommand('backplan.showPlan', (uri?: unknown, options?: object) => showPlan(ctx, uri, options)),
        vscode.commands.registerCommand('backplan.backup', (uri?: unknown, options?: object) => backUp(ctx, uri, options)),
        vscode.commands.registerCommand('backplan.restore', (uri?: unknown, options?: object) => restoreServer(ctx, uri, options)),
        vscode.commands.registerCommand('backplan.recover', (uri?: unknown, options?: object) => recover(ctx, uri, options)),
        vscode.commands.registerCommand('backplan.drill', (uri?: unknown, options?: object) => runDrill(ctx, uri, options)),
        vscode.commands.registerCommand('backplan.verify', (uri?: unknown, options?: object) => verifyArchives(ctx, uri, options)),
        vscode.commands.registerCommand('backplan.archives', (uri?: unknown, options?: object) => showArchives(ctx, uri, options)),
        vscode.commands.registerCommand('backplan.showCoverage', (uri?: vscode.Uri) => showCoverage(ctx, uri)),
        vscode.commands.registerCommand('backplan.refreshCoverage', () => tree.refresh()),
        vscode.commands.registerCommand('backplan.revealDeclaration', revealDeclaration),
        vscode.commands.registerCommand('backplan.showServerOutput', () => output.show(true))
    );
    return { client, coverage, coverageTree: tree, coverageView: view, status, pictures, startup: lsp.startup, setPrompter };
}

export async function deactivate(): Promise<void> {
    await lsp?.close();
    lsp = undefined;
}
