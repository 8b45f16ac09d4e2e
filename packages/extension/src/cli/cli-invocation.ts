/**
 * How the extension runs the `backplan` CLI: the bundle shipped in the .vsix, run by the
 * extension host's own Node (Electron as Node in desktop VS Code; plain Node in
 * code-server and remote hosts), with the options of the user's settings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';

export type Verb = 'check' | 'backup' | 'restore' | 'recover' | 'verify' | 'archives' | 'prune' | 'history' | 'unlock' | 'drill' | 'status';

/** Verbs that take the settings' `--ssh-config`, `--state` (every verb but check). */
const RUN_VERBS: ReadonlySet<Verb> = new Set(['backup', 'restore', 'recover', 'verify', 'archives', 'prune', 'history', 'unlock', 'drill', 'status']);
/** Verbs that take `--wait`. */
const WAIT_VERBS: ReadonlySet<Verb> = new Set(['backup', 'restore', 'recover', 'prune', 'drill']);

export interface CliInvocation {
    verb: Verb;
    /** Runbook file (run verbs) or paths (check), absolute or relative to `cwd`. */
    targets: string[];
    args: string[];
    cwd: string;
}

let extensionRoot = '';

/** Records where the extension is installed (called once on activation). */
export function setExtensionRoot(root: string): void {
    extensionRoot = root;
}

/** The CLI bundle inside the extension. */
export function cliPath(): string {
    return path.join(extensionRoot, 'dist', 'cli', 'backplan.mjs');
}

/** The full argument list for an invocation, settings included. */
export function cliArguments(invocation: CliInvocation, scope?: vscode.Uri): string[] {
    const config = vscode.workspace.getConfiguration('backplan', scope);
    const args = [invocation.verb, ...invocation.targets, ...invocation.args];
    if (RUN_VERBS.has(invocation.verb)) {
        const sshConfig = config.get<string>('sshConfig', '').trim();
        const state = stateFolder(scope);
        if (sshConfig && !args.includes('--ssh-config')) args.push('--ssh-config', expandHome(sshConfig));
        if (state && !args.includes('--state')) args.push('--state', state);
    }
    if (WAIT_VERBS.has(invocation.verb) && config.get<boolean>('wait', false) && !args.includes('--wait')) {
        args.push('--wait');
    }
    return args;
}

/** The `backplan.state` setting with `~/` expanded (empty: the CLI's default state folder); the pictures read the journal there too. */
export function stateFolder(scope?: vscode.Uri): string {
    const state = vscode.workspace.getConfiguration('backplan', scope).get<string>('state', '').trim();
    return state && expandHome(state);
}

/** Starts the CLI. */
export function spawnCli(invocation: CliInvocation, options: { color: boolean; scope?: vscode.Uri }): ChildProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    if (options.color) {
        env.FORCE_COLOR = '1';
        delete env.NO_COLOR;
    } else {
        env.NO_COLOR = '1';
        delete env.FORCE_COLOR;
    }
    return spawn(process.execPath, [cliPath(), ...cliArguments(invocation, options.scope)], {
        cwd: invocation.cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true
    });
}

/** Runs the CLI to completion and collects its output (Show Plan, pickers). */
export function runCli(invocation: CliInvocation, scope?: vscode.Uri, token?: vscode.CancellationToken):
    Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawnCli(invocation, { color: false, scope });
        let stdout = '';
        let stderr = '';
        child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
        child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
        const cancel = token?.onCancellationRequested(() => child.kill('SIGINT'));
        child.on('error', reject);
        child.on('close', code => {
            cancel?.dispose();
            resolve({ exitCode: code, stdout, stderr });
        });
    });
}

/** A command line for people (terminal banner, plan header). */
export function displayCommand(invocation: CliInvocation, scope?: vscode.Uri): string {
    return ['backplan', ...cliArguments(invocation, scope)].map(quoteIfNeeded).join(' ');
}

function quoteIfNeeded(arg: string): string {
    return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function expandHome(p: string): string {
    return p.startsWith('~/') ? path.join(process.env.HOME ?? '', p.slice(2)) : p;
}
