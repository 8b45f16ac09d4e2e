/**
 * The server's start-up, in milliseconds since its process started:
 *
 *   loaded (every module evaluated) → initialize → initialized → workspace read (N files,
 *   each parsed as it is read) → first build: linked → validated (the diagnostics go out)
 *
 * With the CPU time used by then (on a busy machine the wall times grow, the CPU time
 * hardly). Logged once to the client (VS Code shows it in the *Backplan Language Server* output
 * channel) and answered to `backplan/startupTimeline`, which bench/vscode-startup reads to
 * say where start-up time goes.
 */
import { DocumentState } from 'langium';
import { performance } from 'node:perf_hooks';
import type { BackplanSharedLspServices } from './backplan-lsp-module.js';
import type { BackplanWorkspaceManager } from './backplan-workspace-manager.js';

/** Request name: no params, result {@link StartupTimeline} (once the first build is done). */
export const StartupTimelineRequest = 'backplan/startupTimeline';

export interface StartupTimeline {
    loaded: number;
    initialize: number;
    initialized: number;
    workspaceRead: number;
    /** Files loaded at start-up (imports from outside the folders included). */
    files: number;
    linked: number;
    validated: number;
    /** CPU time (user + system) the process had used by `validated`: comparable on a busy machine. */
    cpu: number;
    /** CPU time used by each milestone. */
    cpuAt: Partial<Record<Milestone, number>>;
}

type Milestone = 'loaded' | 'initialize' | 'initialized' | 'workspaceRead' | 'linked' | 'validated';

const now = (): number => Math.round(performance.now());
const cpuNow = (): number => {
    const cpu = process.cpuUsage();
    return Math.round((cpu.user + cpu.system) / 1000);
};

/** Records the milestones from now on (call it once the server's modules are loaded). */
export function registerStartupTimeline(shared: BackplanSharedLspServices): void {
    const connection = shared.lsp.Connection;
    if (!connection) return;
    const t: Partial<StartupTimeline> = { cpuAt: {} };
    const mark = (key: Milestone) => {
        if (t[key] !== undefined) return;
        t[key] = now();
        t.cpuAt![key] = cpuNow();
    };
    mark('loaded');
    const server = shared.lsp.LanguageServer;
    server.onInitialize(() => mark('initialize'));
    server.onInitialized(() => mark('initialized'));
    const builder = shared.workspace.DocumentBuilder;
    const linked = builder.onBuildPhase(DocumentState.Linked, () => {
        mark('linked');
        linked.dispose();
    });
    const done = new Promise<StartupTimeline>(resolve => {
        const validated = builder.onBuildPhase(DocumentState.Validated, () => {
            validated.dispose();
            const workspace = shared.workspace.WorkspaceManager as BackplanWorkspaceManager;
            mark('validated');
            t.cpuAt!.workspaceRead = workspace.startup.cpuAt;
            resolve({ ...t, workspaceRead: workspace.startup.readAt, files: workspace.startup.files, cpu: t.cpuAt!.validated } as StartupTimeline);
        });
    });
    connection.onRequest(StartupTimelineRequest, () => done);
    void done.then(s => connection.console.info(`Start-up (ms since the server process started): modules loaded ${s.loaded}, ` +
        `initialize ${s.initialize}, initialized ${s.initialized}, workspace read and parsed ${s.workspaceRead} (${s.files} files), ` +
        `linked ${s.linked}, validated ${s.validated}; ${s.cpu} ms of CPU time by then.`));
}
