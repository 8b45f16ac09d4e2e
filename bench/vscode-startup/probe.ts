/**
 * The start-up probe: loaded by code-server's extension host in place of a test suite
 * (bench/vscode-startup/run.mjs). It waits for the Backplan extension's start-up report
 * (activation → server up → first diagnostics → workspace checked, measured by the
 * extension itself: language-client.ts) and writes it, with the server's own timeline
 * (`backplan/startupTimeline`) and the extension host's start time, to
 * $BACKPLAN_STARTUP_OUT.
 */
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';

interface StartupReport { activatedAt: number; serverReady: number; firstDiagnostics: number; workspaceChecked: number; files: number }

export async function run(): Promise<void> {
    const out = process.env.BACKPLAN_STARTUP_OUT;
    if (!out) throw new Error('BACKPLAN_STARTUP_OUT is not set');
    const extension = vscode.extensions.getExtension<{ startup: Promise<StartupReport>; client: { sendRequest(method: string): Promise<unknown> } }>('backplan.backplan');
    if (!extension) throw new Error('the Backplan extension is not installed');
    const api = await extension.activate();
    const report = await Promise.race([api.startup, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no start-up report within 120 s')), 120_000))]);
    // The server's own view (ms since its process started), and the extension host's start,
    // to see how long VS Code took to activate the extension.
    const timeline = await api.client.sendRequest('backplan/startupTimeline');
    const hostStartedAt = Date.now() - process.uptime() * 1000;
    writeFileSync(out, JSON.stringify({ ...report, hostStartedAt, timeline }));
}
