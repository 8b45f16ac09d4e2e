/**
 * Backplan: Show Status — `backplan status RUNBOOK` (the last runs, results and staleness
 * of every block and server) in a read-only editor; what the schedule CodeLens opens. It
 * reads only, yet it runs the CLI on the runbook (and `status` tells `notify` blocks of a
 * stale episode), so Restricted Mode refuses it as it refuses the run commands.
 */
import * as vscode from 'vscode';
import { displayCommand, runCli, type CliInvocation } from '../cli/cli-invocation';
import { refuseUntrusted, type Refused } from '../trust';
import type { CommandContext } from './command-context';
import { pickRunbook } from './runbook-picker';

export interface StatusResult {
    exitCode: number | null;
    text: string;
    document: vscode.TextDocument;
}

/** The command: `backplan.showStatus(runbookUri?, options?)`; `policy` (the lens's block) names the document. */
export async function showStatus(ctx: CommandContext, uri?: unknown, options: { policy?: string } = {}): Promise<StatusResult | Refused | undefined> {
    const refused = refuseUntrusted('Show Status');
    if (refused) return refused;
    const target = await pickRunbook(ctx.coverage, uri, 'show the status of');
    if (!target) return undefined;
    const invocation: CliInvocation = { verb: 'status', targets: [target.relative], args: [], cwd: target.folder.uri.fsPath };
    const run = await vscode.window.withProgress({
        location: vscode.ProgressLocation.Window,
        title: `Backplan: reading the status of ${target.label}…`
    }, () => runCli(invocation, target.folder.uri));
    const verdict = run.exitCode === 0 ? 'every block fresh, every last run ok' : run.exitCode === 1 ? 'a block is stale or a last run failed' : 'status could not be read';
    const header = `# ${displayCommand(invocation, target.folder.uri)}\n# exit ${run.exitCode ?? '–'} · ${verdict}\n\n`;
    const text = header + run.stdout + (run.stderr ? `\n${run.stderr}` : '');
    const title = `${target.label} — status${options.policy ? ` (${options.policy})` : ''}`;
    const document = await vscode.workspace.openTextDocument(ctx.plans.add(title, text));
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
    return { exitCode: run.exitCode, text, document };
}
