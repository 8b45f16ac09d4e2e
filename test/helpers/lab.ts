/**
 * The one test lab the end-to-end suites build on: a temporary folder holding a runbook,
 * a tape folder, a state folder and the servers' data folders, and the built CLI run on
 * that runbook as a child process (run-cli.ts: BACKPLAN_TEST_CLI or the bin). The suites'
 * own labs (test/engine, test/restore, test/stop-window, test/status) extend it with their
 * fixtures — an application, a misbehaving tar — and none has a CLI runner or journal
 * reader of its own.
 *
 *   cli(VERB, ARGS…, ENV)       backplan VERB RUNBOOK --state STATE EXTRA… ARGS…, to its end
 *   spawnCli(VERB, ARGS…, ENV)  the same, as a running child (to signal it mid-run)
 *   journal()                   the runbook's journal records (a torn last line skipped)
 *   manifests()                 the tape's manifests, oldest first
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnCli, type CliResult, type RunningCli, type SpawnOptions } from './run-cli.js';
import { removeTree } from './temp-tree.js';

/** Environment of one run: a value of undefined removes the variable. */
export type LabEnv = Record<string, string | undefined>;

/** The shared lab: ROOT/lab.backplan, ROOT/tape, ROOT/state, ROOT/servers/NAME. */
export class RunbookLab {
    readonly tape: string;
    readonly state: string;
    readonly runbook: string;
    /** Environment of every run of this lab (a run's own env wins). */
    env: LabEnv = {};

    constructor(readonly root: string) {
        this.tape = path.join(root, 'tape');
        this.state = path.join(root, 'state');
        this.runbook = path.join(root, 'lab.backplan');
        fs.mkdirSync(this.tape, { recursive: true });
    }

    /** A server's data folder. */
    data(name: string): string {
        return path.join(this.root, 'servers', name);
    }

    /** Writes the runbook. */
    write(text: string): void {
        fs.writeFileSync(this.runbook, text);
    }

    /** Options every run gets after `--state STATE` (a subclass adds e.g. `--ssh-config`). */
    protected extraArgs(): string[] {
        return [];
    }

    /** The environment of one run: the lab's, then the run's own. */
    protected runEnv(env: LabEnv): LabEnv {
        return { ...this.env, ...env };
    }

    /** Starts `backplan VERB RUNBOOK --state STATE ARGS…` (killed after `timeoutMs`, default 5 min). */
    spawnCli(verb: string, args: readonly string[] = [], env: LabEnv = {}, options: Omit<SpawnOptions, 'env'> = {}): RunningCli {
        return spawnCli([verb, this.runbook, '--state', this.state, ...this.extraArgs(), ...args], {
            ...options, env: this.runEnv(env), timeoutMs: options.timeoutMs ?? 300_000
        });
    }

    /** Runs `backplan VERB RUNBOOK --state STATE ARGS…` to its end. */
    cli(verb: string, args: readonly string[] = [], env: LabEnv = {}, options: Omit<SpawnOptions, 'env'> = {}): Promise<CliResult> {
        return this.spawnCli(verb, args, env, options).result;
    }

    /** Every journal record of the lab's runbook (none before the first run; a torn last line skipped). */
    journal<T = any>(): T[] {
        const dir = path.join(this.state, 'journals');
        if (!fs.existsSync(dir)) return [];
        // Journals only: a recovery's lock file (`….recovery-lock`) may sit beside them.
        const text = fs.readdirSync(dir).filter(f => f.endsWith('.jsonl')).map(f => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
        return text.split('\n').filter(Boolean).flatMap(line => { try { return [JSON.parse(line) as T]; } catch { return []; } });
    }

    /** The manifests on the (folder) tape, oldest first. */
    manifests(): any[] {
        const dir = path.join(this.tape, 'archives');
        if (!fs.existsSync(dir)) return [];
        return fs.readdirSync(dir).filter(f => f.endsWith('.manifest.json')).sort().map(f => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    }

    /** Removes the lab's folder. */
    dispose(): void {
        removeTree(this.root);
    }
}

/** Resolves once `condition()` holds, polling each 20 ms (the test's own timeout bounds it). */
export async function waitFor(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise(r => setTimeout(r, 20));
}

/** Resolves once a file exists (polling; the test's own timeout bounds it). */
export async function waitForFile(file: string): Promise<void> {
    await waitFor(() => fs.existsSync(file));
}
