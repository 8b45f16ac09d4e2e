/**
 * Backplan: Check Workspace — `backplan check` over every workspace folder, exactly as CI
 * runs it. In a trusted workspace it runs as a task (terminal, summary); in Restricted Mode
 * (where tasks cannot run) the CLI's report goes to the Backplan output channel. Checking
 * only reads files, so both modes allow it. The language server already puts the same
 * findings in the Problems view, so this task runs without the `$backplan` problem matcher
 * (which `tasks.json` and the provided `check` task use) to avoid listing each one twice.
 */
import * as vscode from 'vscode';
import { runCli } from '../cli/cli-invocation';
import { runBackplanTask } from '../tasks/backplan-task-provider';
import type { RunResult } from '../tasks/cli-pseudoterminal';

let output: vscode.OutputChannel | undefined;

export async function checkWorkspace(): Promise<RunResult[]> {
    const results: RunResult[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
        if (vscode.workspace.isTrusted) {
            results.push(await runBackplanTask({ type: 'backplan', command: 'check', runbook: '.' }, folder, `check ${folder.name}`));
            continue;
        }
        const started = Date.now();
        const run = await runCli({ verb: 'check', targets: ['.'], args: [], cwd: folder.uri.fsPath }, folder.uri);
        output ??= vscode.window.createOutputChannel('Backplan');
        output.appendLine(`$ backplan check .   (in ${folder.uri.fsPath})`);
        output.append(run.stdout + run.stderr);
        output.show(true);
        const lastLine = run.stdout.trim().split('\n').pop() ?? '';
        results.push({ exitCode: run.exitCode ?? undefined, cancelled: false, seconds: (Date.now() - started) / 1000, output: run.stdout, lastLine, terminal: '' });
        void vscode.window.showInformationMessage(`Backplan: check ${folder.name} — ${lastLine}`);
    }
    return results;
}
