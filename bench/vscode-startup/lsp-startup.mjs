/**
 * The language server alone, as VS Code starts it but without VS Code: spawn the bundled
 * server (packages/extension/dist/server.js), `initialize` with the workspace folder,
 * `initialized`, then wait for the first `publishDiagnostics` and the first
 * `backplan/coverageChanged` (the whole workspace checked), then ask the server for its own
 * start-up timeline (`backplan/startupTimeline`). Answers `workspace/configuration` as
 * VS Code does (the `backplan` section: no ignored paths).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';

/** Milliseconds from the spawn to each milestone; `files`: files with diagnostics by then. */
export async function lspStartup(server, workspace, nodeArgs = []) {
    const t0 = performance.now();
    const since = () => Math.round(performance.now() - t0);
    const child = spawn(process.execPath, [...nodeArgs, server, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const files = new Set();
    let firstDiagnostics = 0;
    const checked = new Promise(resolve => connection.onNotification('backplan/coverageChanged', () => resolve(since())));
    connection.onNotification('textDocument/publishDiagnostics', p => {
        if (files.size === 0) firstDiagnostics = since();
        files.add(p.uri);
    });
    connection.onRequest('workspace/configuration', p => p.items.map(item => item.section === 'backplan' ? { validation: { ignorePaths: [] } } : null));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();
    const uri = pathToFileURL(workspace).toString();
    try {
        await connection.sendRequest('initialize', {
            processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'workspace' }],
            capabilities: { workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: {} } }
        });
        const serverReady = since();
        await connection.sendNotification('initialized', {});
        const workspaceChecked = await Promise.race([checked, new Promise((_, reject) => setTimeout(() => reject(new Error('no coverageChanged within 60 s')), 60_000))]);
        const timeline = await connection.sendRequest('backplan/startupTimeline');
        return { serverReady, firstDiagnostics, workspaceChecked, files: files.size, timeline };
    } finally {
        // A clean exit, so that `--cpu-prof` (phases.mjs) writes its profile.
        const exited = new Promise(resolve => child.exitCode !== null ? resolve() : child.once('exit', resolve));
        await Promise.race([connection.sendRequest('shutdown').then(() => connection.sendNotification('exit')), new Promise(r => setTimeout(r, 3000))]).catch(() => {});
        const timer = setTimeout(() => child.kill(), 5000);
        await exited;
        clearTimeout(timer);
        connection.dispose();
    }
}
