/**
 * The last results of a runbook's blocks for the schedule CodeLens, read with the bundled
 * CLI: `backplan status RUNBOOK --format json` (the journal and the tapes, read-only).
 *
 *   get(root)     the status read last (undefined until the first read ends), and a read
 *                 started when there is none yet or it is older than MAX_AGE — never waited
 *                 for: the lens shows the next run first and the last result once known
 *   invalidate()  a Backplan task ended, a runbook was saved, the settings changed: every
 *                 runbook read so far is read again, once, DEBOUNCE_MS after the last cause
 *   one read per runbook at a time; a cause during a read reads again after it
 *
 * Restricted Mode: the CLI is never run (the lens says so instead).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runCli } from '../cli/cli-invocation';
import type { StatusDocument } from './status-document';
import { TASK_TYPE } from '../tasks/backplan-task-provider';

const DEBOUNCE_MS = 300;
/** A status older than this is read again when a lens asks (an unattended run may have ended). */
const MAX_AGE_MS = 5 * 60_000;

type Read = { state: 'known'; status: StatusDocument } | { state: 'unreadable'; reason: string };

interface Entry {
    read?: Read;
    readAt: number;
    reading: boolean;
    again: boolean;
}

export class RunStatusService implements vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    /** Fires when a runbook's status was read. */
    readonly onDidChange = this.changed.event;
    private readonly entries = new Map<string, Entry>();
    private timer: NodeJS.Timeout | undefined;
    private readonly disposables: vscode.Disposable[];

    constructor() {
        this.disposables = [
            vscode.tasks.onDidEndTask(e => { if (e.execution.task.definition.type === TASK_TYPE) this.invalidate(); }),
            vscode.workspace.onDidSaveTextDocument(d => { if (d.languageId === 'backplan') this.invalidate(); }),
            vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('backplan')) this.invalidate(); }),
            vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate())
        ];
    }

    /** What is known of runbook `root`'s status now; starts a read when needed. */
    get(root: vscode.Uri): { state: 'pending' } | Read | { state: 'untrusted' } {
        if (!vscode.workspace.isTrusted) return { state: 'untrusted' };
        const key = root.toString();
        let entry = this.entries.get(key);
        if (!entry) this.entries.set(key, entry = { readAt: 0, reading: false, again: false });
        // A read under way answers this ask too (`again` is for causes: a task ended, a save).
        if (!entry.reading && (!entry.read || Date.now() - entry.readAt > MAX_AGE_MS)) void this.read(root, entry);
        return entry.read ?? { state: 'pending' };
    }

    /** Reads every runbook read so far again, debounced. */
    invalidate(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => {
            this.timer = undefined;
            for (const [key, entry] of this.entries) void this.read(vscode.Uri.parse(key), entry);
        }, DEBOUNCE_MS);
    }

    private async read(root: vscode.Uri, entry: Entry): Promise<void> {
        if (!vscode.workspace.isTrusted) return;
        if (entry.reading) { entry.again = true; return; }
        entry.reading = true;
        try {
            do {
                entry.again = false;
                entry.read = await readStatus(root);
                entry.readAt = Date.now();
            } while (entry.again);
        } finally {
            entry.reading = false;
        }
        this.changed.fire();
    }

    dispose(): void {
        if (this.timer) clearTimeout(this.timer);
        this.changed.dispose();
        this.disposables.forEach(d => d.dispose());
    }
}

/** Runs `backplan status RUNBOOK --format json` (exit 1 — stale or failed — still prints the document). */
async function readStatus(root: vscode.Uri): Promise<Read> {
    const folder = vscode.workspace.getWorkspaceFolder(root);
    const cwd = folder?.uri.fsPath ?? path.dirname(root.fsPath);
    try {
        // --no-notify: the editor reads; telling a stale block is the watchdog's job (status.ts).
        const run = await runCli({ verb: 'status', targets: [root.fsPath], args: ['--format', 'json', '--no-notify'], cwd }, folder?.uri ?? root);
        if (run.exitCode === 0 || run.exitCode === 1) return { state: 'known', status: JSON.parse(run.stdout) as StatusDocument };
        return { state: 'unreadable', reason: run.stderr.trim().split('\n')[0] || `backplan status exited ${run.exitCode}` };
    } catch (err) {
        return { state: 'unreadable', reason: (err as Error).message };
    }
}
