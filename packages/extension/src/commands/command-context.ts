/** What the command handlers share. */
import type * as vscode from 'vscode';
import type { CoverageService } from '../coverage/coverage-service';
import type { CoverageNode, CoverageTreeProvider } from '../coverage/coverage-tree';
import type { PlanDocumentProvider } from '../plan/plan-document-provider';

export interface CommandContext {
    coverage: CoverageService;
    plans: PlanDocumentProvider;
    tree: CoverageTreeProvider;
    view: vscode.TreeView<CoverageNode>;
}
