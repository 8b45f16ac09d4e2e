/**
 * Tasks of type `backplan`: every run the extension starts is one (live output in a
 * terminal, cancellable, visible in the task list), and `tasks.json` can declare its own:
 *
 *   { "type": "backplan", "command": "backup", "runbook": "acme.backplan", "args": ["--policy", "Nightly"] }
 *
 * The `$backplan` problem matcher reads the CLI's `file:line:col: severity: message [code]`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Verb } from '../cli/cli-invocation';
import type { CoverageService } from '../coverage/coverage-service';
import { restrictedModeMessage } from '../trust';
import { prompter } from '../ui/prompter';
import { capitalize } from '../ui/text';
import { CliPseudoterminal, type RunResult } from './cli-pseudoterminal';
import { describeFates, leftDown } from './run-outcome';

export const TASK_TYPE = 'backplan';

export interface BackplanTaskDefinition extends vscode.TaskDefinition {
    type: typeof TASK_TYPE;
    command: Verb;
    /** Runbook file (relative to the workspace folder, or absolute); for check, a path (default "."). */
    runbook?: string;
    args?: string[];
}

/** Verbs that only read: no stop/start, nothing written. */
const READ_ONLY: ReadonlySet<Verb> = new Set(['check', 'archives', 'history']);

/** Creates a task; `onTerminal` receives the pseudoterminal when the task starts. */
export function createBackplanTask(definition: BackplanTaskDefinition, folder: vscode.WorkspaceFolder,
    onTerminal?: (pty: CliPseudoterminal) => void, problemMatchers: string[] = ['$backplan']): vscode.Task {
    const execution = new vscode.CustomExecution(async resolved => {
        const def = resolved as BackplanTaskDefinition;
        const runbook = def.runbook ?? (def.command === 'check' ? '.' : undefined);
        const refusal = def.command !== 'check' && !vscode.workspace.isTrusted
            ? restrictedModeMessage(`backplan ${def.command}`)
            : runbook === undefined ? `A backplan ${def.command} task needs a "runbook".` : undefined;
        const pty = new CliPseudoterminal({
            verb: def.command,
            targets: runbook === undefined ? [] : [runbook],
            args: def.args ?? [],
            cwd: folder.uri.fsPath
        }, folder.uri, refusal);
        onTerminal?.(pty);
        return pty;
    });
    const name = [definition.command, definition.runbook ? path.basename(definition.runbook) : '', ...(definition.args ?? [])]
        .filter(Boolean).join(' ');
    const task = new vscode.Task(definition, folder, name, 'backplan', execution, problemMatchers);
    task.group = definition.command === 'check' ? vscode.TaskGroup.Test : undefined;
    task.presentationOptions = {
        reveal: vscode.TaskRevealKind.Always,
        panel: vscode.TaskPanelKind.Dedicated,
        clear: true,
        showReuseMessage: false,
        focus: false
    };
    task.detail = READ_ONLY.has(definition.command) ? 'reads only' : 'stops and starts applications as the runbook says';
    return task;
}

/**
 * Runs a task to its end, with a cancellable progress notification and a summary message.
 * No problem matcher by default: the language server already lists every finding that a
 * run prints as a warning, and the matcher would list it twice.
 */
export async function runBackplanTask(definition: BackplanTaskDefinition, folder: vscode.WorkspaceFolder, title: string,
    problemMatchers: string[] = []): Promise<RunResult> {
    let onTerminal!: (pty: CliPseudoterminal) => void;
    const started = new Promise<CliPseudoterminal>(resolve => { onTerminal = resolve; });
    const task = createBackplanTask(definition, folder, pty => onTerminal(pty), problemMatchers);
    await vscode.tasks.executeTask(task);
    const pty = await Promise.race([started, new Promise<undefined>(resolve => setTimeout(() => resolve(undefined), 60_000))]);
    if (!pty) {
        const message = `Backplan: the ${title} task did not start (is another run of it still active?).`;
        void prompter().tell('error', message);
        return { exitCode: undefined, cancelled: false, seconds: 0, output: message, lastLine: message, terminal: '' };
    }
    const result = await vscode.window.withProgress({
        location: vscode.ProgressLocation.Notification,
        title: `Backplan: ${title}`,
        cancellable: true
    }, async (progress, token) => {
        const cancel = token.onCancellationRequested(() => {
            progress.report({ message: 'stopping gracefully: every application this run stopped is started again first…' });
            pty.interrupt();
        });
        const lines = pty.onDidPrintLine(line => progress.report({ message: line.slice(0, 120) }));
        try {
            return await pty.result;
        } finally {
            cancel.dispose();
            lines.dispose();
        }
    });
    const { severity, text } = runSummary(title, result);
    void prompter().tell(severity, text);
    return result;
}

/**
 * The notification after a run: the verdict, then what became of the applications (from
 * the journal) where the verb stops any, after the engine's last line unless the run
 * failed having touched servers; for other verbs the engine's last line. An application
 * left down makes it an error whatever the exit code.
 */
export function runSummary(title: string, result: RunResult): { severity: 'info' | 'warning' | 'error'; text: string } {
    const verdict = result.cancelled ? 'was cancelled' : result.exitCode === 0 ? 'succeeded' : 'failed';
    // The engine's last line says why a run failed only when nothing ran (a refusal); once
    // servers were touched, what became of them is the news.
    const engine = result.applications?.fates.length && (result.exitCode !== 0 || result.cancelled) ? '' : result.lastLine;
    const what = result.applications
        ? [engine, `${capitalize(describeFates(result.applications, { reasons: true }))}.`].filter(Boolean).join(' ')
        : result.lastLine;
    const text = `Backplan: ${title} ${verdict} in ${result.seconds.toFixed(1)} s${what ? ` — ${what}` : ''}`;
    const severity = leftDown(result.applications) ? 'error'
        : result.cancelled ? 'warning' : result.exitCode === 0 ? 'info' : 'error';
    return { severity, text };
}

/** Offers check, backup, verify and archives tasks for every runbook of the workspace. */
export class BackplanTaskProvider implements vscode.TaskProvider {
    constructor(private readonly coverage: CoverageService) {}

    async provideTasks(): Promise<vscode.Task[]> {
        const tasks: vscode.Task[] = [];
        for (const folder of vscode.workspace.workspaceFolders ?? []) {
            tasks.push(createBackplanTask({ type: TASK_TYPE, command: 'check', runbook: '.' }, folder));
        }
        let runbooks: Awaited<ReturnType<CoverageService['all']>> = [];
        try {
            runbooks = await this.coverage.all();
        } catch {
            return tasks;
        }
        for (const runbook of runbooks) {
            const uri = vscode.Uri.parse(runbook.root);
            const folder = vscode.workspace.getWorkspaceFolder(uri);
            if (!folder) continue;
            const relative = path.relative(folder.uri.fsPath, uri.fsPath);
            for (const command of ['backup', 'verify', 'archives'] as const) {
                tasks.push(createBackplanTask({ type: TASK_TYPE, command, runbook: relative }, folder));
            }
        }
        return tasks;
    }

    resolveTask(task: vscode.Task): vscode.Task | undefined {
        const definition = task.definition as BackplanTaskDefinition;
        if (definition.type !== TASK_TYPE || !definition.command) return undefined;
        const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
        return folder ? createBackplanTask(definition, folder) : undefined;
    }
}
