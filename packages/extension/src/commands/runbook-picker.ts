/**
 * Which runbook, server, backup or tape a command acts on: taken from the arguments
 * (CodeLens, tests, keybindings), else from the active editor, else asked.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunbookCoverageInfo, ServerInfo } from '../coverage/coverage-protocol';
import { runbookLabel, type CoverageService } from '../coverage/coverage-service';

export interface RunbookTarget {
    runbook: RunbookCoverageInfo;
    uri: vscode.Uri;
    folder: vscode.WorkspaceFolder;
    /** The root file relative to the workspace folder (what the terminal shows). */
    relative: string;
    label: string;
}

function toUri(arg: unknown): vscode.Uri | undefined {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string') return arg.includes('://') || arg.startsWith('file:') ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
    return undefined;
}

function target(runbook: RunbookCoverageInfo): RunbookTarget | undefined {
    const uri = vscode.Uri.parse(runbook.root);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) {
        void vscode.window.showErrorMessage(`Backplan: ${uri.fsPath} is outside the workspace folders.`);
        return undefined;
    }
    return { runbook, uri, folder, relative: path.relative(folder.uri.fsPath, uri.fsPath), label: runbookLabel(runbook) };
}

async function choose(runbooks: RunbookCoverageInfo[], placeHolder: string): Promise<RunbookCoverageInfo | undefined> {
    if (runbooks.length <= 1) return runbooks[0];
    const picked = await vscode.window.showQuickPick(runbooks.map(runbook => ({
        label: runbookLabel(runbook),
        description: vscode.workspace.asRelativePath(vscode.Uri.parse(runbook.root), false),
        runbook
    })), { placeHolder });
    return picked?.runbook;
}

/** The runbook a command acts on, or undefined when the user cancelled or none exists. */
export async function pickRunbook(coverage: CoverageService, arg: unknown, action: string): Promise<RunbookTarget | undefined> {
    const uri = toUri(arg) ?? (vscode.window.activeTextEditor?.document.languageId === 'backplan'
        ? vscode.window.activeTextEditor.document.uri : undefined);
    let runbooks: RunbookCoverageInfo[];
    if (uri) {
        runbooks = await coverage.of(uri);
        const exact = runbooks.find(r => r.root === uri.toString());
        if (exact) return target(exact);
    } else {
        runbooks = await coverage.all();
    }
    if (runbooks.length === 0) {
        void vscode.window.showWarningMessage('Backplan: no runbook found. Open a .backplan file or a folder that holds one.');
        return undefined;
    }
    const runbook = await choose(runbooks, `Runbook to ${action}`);
    return runbook && target(runbook);
}

/** A server of the runbook, by name or picked. */
export async function pickServer(runbook: RunbookCoverageInfo, name: unknown, placeHolder: string): Promise<ServerInfo | undefined> {
    if (typeof name === 'string') {
        const server = runbook.servers.find(s => s.name === name);
        if (!server) void vscode.window.showErrorMessage(`Backplan: the runbook has no server ${name}.`);
        return server;
    }
    const picked = await vscode.window.showQuickPick(runbook.servers.map(server => ({
        label: server.name,
        description: [server.role, server.master ? 'master' : '', server.host].filter(Boolean).join(' · '),
        server
    })), { placeHolder });
    return picked?.server;
}

/** Several servers (recover's lost servers), by names or picked. */
export async function pickServers(runbook: RunbookCoverageInfo, names: unknown, placeHolder: string): Promise<ServerInfo[] | undefined> {
    if (Array.isArray(names)) {
        const servers = runbook.servers.filter(s => names.includes(s.name));
        return servers.length > 0 ? servers : undefined;
    }
    const picked = await vscode.window.showQuickPick(runbook.servers.map(server => ({
        label: server.name,
        description: [server.role, server.master ? 'master' : '', server.host].filter(Boolean).join(' · '),
        server
    })), { placeHolder, canPickMany: true });
    return picked && picked.length > 0 ? picked.map(p => p.server) : undefined;
}

/** A tape of the runbook, or every tape. Undefined: cancelled. */
export async function pickTape(runbook: RunbookCoverageInfo, name: unknown, placeHolder: string): Promise<{ tape?: string } | undefined> {
    if (typeof name === 'string') return { tape: name };
    if (name === null || runbook.tapes.length <= 1) return {};
    const picked = await vscode.window.showQuickPick([
        { label: 'All tapes', tape: undefined as string | undefined },
        ...runbook.tapes.map(t => ({ label: t.name, description: t.offsite ? 'off-site' : '', tape: t.name as string | undefined }))
    ], { placeHolder });
    return picked && { tape: picked.tape };
}
