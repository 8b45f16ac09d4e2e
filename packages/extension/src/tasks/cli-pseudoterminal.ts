/**
 * A pseudoterminal that runs one `backplan` invocation: live output, cancellation as the
 * engine's graceful stop (SIGINT: the engine still restarts every application it stopped),
 * and a final summary: for a run that stops applications, what became of each one, read
 * from the journal (run-outcome.ts), then the verdict line.
 */
import type { ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { displayCommand, spawnCli, type CliInvocation } from '../cli/cli-invocation';
import { describeFates, leftDown, readRunOutcome, STOPPING_VERBS, type RunOutcome } from './run-outcome';

export interface RunResult {
    /** The CLI's exit code; undefined when it could not start. */
    exitCode: number | undefined;
    /** Whether the user cancelled the run. */
    cancelled: boolean;
    /** Seconds from start to exit. */
    seconds: number;
    /** Everything the CLI printed (ANSI codes removed). */
    output: string;
    /** The last non-empty line printed: the engine's own summary. */
    lastLine: string;
    /** For backup, restore and recover: what became of each application (undefined: unknown). */
    applications?: RunOutcome;
    /** Everything the terminal showed (ANSI codes removed): the CLI's output and the extension's own lines. */
    terminal: string;
}

export class CliPseudoterminal implements vscode.Pseudoterminal {
    private readonly writeEmitter = new vscode.EventEmitter<string>();
    private readonly closeEmitter = new vscode.EventEmitter<number>();
    private readonly progressEmitter = new vscode.EventEmitter<string>();
    readonly onDidWrite = this.writeEmitter.event;
    readonly onDidClose = this.closeEmitter.event;
    /** Each line the CLI prints, as it comes (for the progress notification). */
    readonly onDidPrintLine = this.progressEmitter.event;
    readonly result: Promise<RunResult>;
    private resolveResult!: (result: RunResult) => void;
    private child: ChildProcess | undefined;
    private cancelled = false;
    private output = '';
    private transcript = '';
    private partial = '';

    constructor(private readonly invocation: CliInvocation, private readonly scope: vscode.Uri | undefined,
        private readonly refusal?: string) {
        this.result = new Promise(resolve => { this.resolveResult = resolve; });
    }

    open(): void {
        if (this.refusal) {
            this.writeLine(`\x1b[31m${this.refusal}\x1b[0m`);
            this.finish(undefined, 0);
            return;
        }
        const started = Date.now();
        this.writeLine(`\x1b[2m$ ${displayCommand(this.invocation, this.scope)}\x1b[0m`);
        try {
            // `check` output feeds the `$backplan` problem matcher: plain text for it.
            this.child = spawnCli(this.invocation, { color: this.invocation.verb !== 'check', scope: this.scope });
        } catch (err) {
            this.writeLine(`\x1b[31mbackplan could not start: ${String(err)}\x1b[0m`);
            this.finish(undefined, started);
            return;
        }
        const onData = (chunk: Buffer) => this.print(chunk.toString('utf8'));
        this.child.stdout!.on('data', onData);
        this.child.stderr!.on('data', onData);
        this.child.on('error', err => {
            this.writeLine(`\x1b[31mbackplan could not start: ${err.message}\x1b[0m`);
            this.finish(undefined, started);
        });
        this.child.on('close', (code, signal) => void this.summarize(code ?? (signal ? 130 : undefined), started));
    }

    /** Reads what became of the applications (stopping verbs), prints it, then finishes. */
    private async summarize(exitCode: number | undefined, started: number): Promise<void> {
        const ended = Date.now();
        const pid = this.child?.pid;
        const applications = STOPPING_VERBS.has(this.invocation.verb) && pid !== undefined && exitCode !== 2
            ? await readRunOutcome(this.invocation, this.scope, pid)
            : undefined;
        if (applications) {
            const color = leftDown(applications) ? 31 : 2;
            this.writeLine(`\r\n\x1b[${color}mApplications: ${describeFates(applications)}.\x1b[0m`);
        }
        this.finish(exitCode, started, applications, ended);
    }

    /** Asks the engine to stop gracefully (it restarts every application it stopped). */
    interrupt(): void {
        if (!this.child || this.child.exitCode !== null || this.cancelled) return;
        this.cancelled = true;
        this.writeLine('\r\n\x1b[33mCancelling: the run stops after it has restarted every application it stopped…\x1b[0m');
        this.child.kill('SIGINT');
    }

    /** The terminal was closed or the task terminated: stop gracefully, never kill. */
    close(): void {
        this.interrupt();
    }

    handleInput(data: string): void {
        if (data === '\x03') this.interrupt();
    }

    private print(text: string): void {
        this.output += text;
        this.show(text);
        const lines = (this.partial + text).split(/\r?\n/);
        this.partial = lines.pop() ?? '';
        for (const line of lines) {
            const plain = stripAnsi(line).trim();
            if (plain) this.progressEmitter.fire(plain);
        }
    }

    private writeLine(text: string): void {
        this.show(`${text}\n`);
    }

    private show(text: string): void {
        this.transcript += text;
        this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
    }

    private done = false;

    private finish(exitCode: number | undefined, started: number, applications?: RunOutcome, ended = Date.now()): void {
        if (this.done) return;
        this.done = true;
        const seconds = started ? (ended - started) / 1000 : 0;
        const output = stripAnsi(this.output);
        const lastLine = output.split(/\r?\n/).map(l => l.trim()).filter(Boolean).pop() ?? '';
        if (!this.refusal) {
            const verdict = this.cancelled ? 'cancelled' : exitCode === 0 ? 'succeeded' : 'failed';
            const color = exitCode === 0 && !this.cancelled ? 32 : this.cancelled ? 33 : 31;
            this.writeLine(`\r\n\x1b[${color}m── backplan ${this.invocation.verb} ${verdict} (exit ${exitCode ?? '–'}) in ${seconds.toFixed(1)} s ──\x1b[0m`);
        }
        this.resolveResult({ exitCode, cancelled: this.cancelled, seconds, output, lastLine, applications, terminal: stripAnsi(this.transcript) });
        this.closeEmitter.fire(exitCode ?? 1);
    }
}

export function stripAnsi(text: string): string {
    // eslint-disable-next-line no-control-regex
    return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}
