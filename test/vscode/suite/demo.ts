/**
 * The runnable demo (examples/demo) inside the VS Code suite: `npm run demo` lays out
 * .scratch (data, runbook, tape, the demo-app wrapper) and proves the CLI on its own; then
 * the three demo servers run again for the editor's runs.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { examples } from './helpers';

export interface Demo {
    scratch: string;
    app: string;
    runbook: vscode.Uri;
    /** Data folder names and roles of the demo servers. */
    servers: Array<[string, string]>;
    /** Whether a demo server's application runs. */
    running(dir: string): boolean;
}

/** Resolves once one of the demo servers has been stopped (its pid file is gone): a run is under way. */
export function whenAServerStops(demo: Demo): Promise<string> {
    const servers = path.join(demo.scratch, 'servers');
    const stopped = () => demo.servers.map(([dir]) => dir).find(dir => !existsSync(path.join(servers, `${dir}.pid`)));
    return new Promise(resolve => {
        const watcher = watch(servers, () => {
            const dir = stopped();
            if (dir) { watcher.close(); resolve(dir); }
        });
        const dir = stopped();
        if (dir) { watcher.close(); resolve(dir); }
    });
}

/**
 * A copy of the demo runbook whose stops never run: Mail1's stop command exits 127 when
 * run, Cat1's names a program that does not exist (pre-flight finds it). Cat2 is as in
 * the demo. Its own tape folder, so the demo tape's archives stay as they were.
 */
export function writeStopsThatNeverRan(demo: Demo): vscode.Uri {
    const text = readFileSync(demo.runbook.fsPath, 'utf8');
    const stops = [...text.matchAll(/stop "[^"]*"/g)];
    assert.equal(stops.length, 3, 'the demo runbook has one stop per server');
    const replaced = text.slice(0, stops[0].index) + 'stop "sh -c \'exit 127\'"'
        + text.slice(stops[0].index! + stops[0][0].length, stops[1].index) + 'stop "no-such-demo-app stop"'
        + text.slice(stops[1].index! + stops[1][0].length);
    const file = path.join(demo.scratch, 'stops-never-ran.backplan');
    writeFileSync(file, replaced.replace(/runbook "[^"]*"/, 'runbook "Demo whose stops never ran"').replace(/\/tape"/, '/tape-stops-never-ran"'));
    return vscode.Uri.file(file);
}

/** Runs a program without blocking the extension host. */
export function runAsync(file: string, args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise(resolve => {
        const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
        child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
        child.on('error', err => resolve({ status: null, stdout, stderr: stderr + String(err) }));
        child.on('close', status => resolve({ status, stdout, stderr }));
    });
}

function demoPaths(): Demo & { dir: string; repo: string } {
    const repo = process.env.BACKPLAN_VSCODE_TEST_REPO ?? path.resolve(examples().fsPath, '..');
    const dir = path.join(repo, 'examples', 'demo');
    const scratch = path.join(dir, '.scratch');
    const app = path.join(scratch, 'bin', 'demo-app');
    return {
        repo, dir, scratch, app,
        runbook: vscode.Uri.file(path.join(scratch, 'demo.backplan')),
        servers: [['mail1', 'mail'], ['cat1', 'catalog'], ['cat2', 'catalog']],
        running: d => spawnSync(app, ['status', '--data', path.join(scratch, 'servers', d)]).status === 0
    };
}

/** Whether this checkout has the demo. */
export function hasDemo(): boolean {
    return existsSync(path.join(demoPaths().dir, 'run-demo.mjs'));
}

/**
 * Prepares the demo, points `backplan.state` at its state folder, starts the servers. The
 * extension host's PATH is left as it is: the runbook names demo-app by its absolute path,
 * as a user's runbook run from the editor must.
 */
export async function startDemo(): Promise<Demo> {
    const demo = demoPaths();
    const prepared = await runAsync(process.execPath, [path.join(demo.dir, 'run-demo.mjs')], demo.repo);
    assert.equal(prepared.status, 0, `npm run demo failed:\n${prepared.stdout}\n${prepared.stderr}`);
    assert.ok(!(process.env.PATH ?? '').split(path.delimiter).includes(path.dirname(demo.app)), 'demo-app is not on the extension host\'s PATH');
    // Runs keep their journal in the demo's state folder: the setting reaches the CLI.
    await vscode.workspace.getConfiguration('backplan').update('state', path.join(demo.scratch, 'state'), vscode.ConfigurationTarget.Global);
    for (const [dir, role] of demo.servers) {
        const started = spawnSync(demo.app, ['start', '--data', path.join(demo.scratch, 'servers', dir), '--role', role], { encoding: 'utf8' });
        assert.equal(started.status, 0, started.stderr);
    }
    return demo;
}

/** Stops the demo servers and restores the settings. */
export async function stopDemo(): Promise<void> {
    const demo = demoPaths();
    for (const [dir, role] of demo.servers) {
        if (existsSync(demo.app)) spawnSync(demo.app, ['stop', '--data', path.join(demo.scratch, 'servers', dir), '--role', role]);
    }
    await vscode.workspace.getConfiguration('backplan').update('state', undefined, vscode.ConfigurationTarget.Global);
}
