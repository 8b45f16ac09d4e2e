/**
 * The language client: starts the bundled Langium server over Node IPC, watches every
 * `.backplan` file (imported files too, so editing one re-checks the runbooks that import
 * it) and hides the problems of `backplan.validation.ignorePaths`. The server's links to the
 * docs (a diagnostic's code, hovers) are `backplan.showDocumentation` command links, which
 * open the one section they name in the Markdown preview.
 *
 * Its log, and with `backplan.trace.server` the protocol trace, go to the *Backplan Language
 * Server* output channel, which also records how long start-up took (activation → server
 * up → first diagnostics → whole workspace checked). When the window closes, the client is
 * stopped without a restart and without logging the requests that were still in flight.
 */
import * as vscode from 'vscode';
import {
    CloseAction, ErrorAction, LanguageClient, State, TransportKind,
    type ErrorHandler, type LanguageClientOptions, type ServerOptions
} from 'vscode-languageclient/node';
import { CoverageChangedNotification } from './coverage/coverage-protocol';
import { SHOW_DOCUMENTATION_COMMAND } from './docs/doc-section-provider';
import { isIgnoredPath } from './ignore-paths';

/** Milliseconds from the start of activation to each start-up milestone. */
export interface StartupReport {
    /** When activation began (ms since the epoch). */
    activatedAt: number;
    serverReady: number;
    firstDiagnostics: number;
    /** The first `backplan/coverageChanged`: the server has checked the whole workspace. */
    workspaceChecked: number;
    /** Files whose diagnostics had arrived by then. */
    files: number;
}

/** The running client and what it knows about its own start-up. */
export interface BackplanClient {
    client: LanguageClient;
    output: vscode.OutputChannel;
    startup: Promise<StartupReport>;
    /** Stops the server for good (deactivation): no restart, no errors for requests in flight. */
    close(): Promise<void>;
    /** Whether `close` has begun. */
    readonly closing: boolean;
    /** The server re-validated documents (`backplan/coverageChanged`; a method has one handler, so it is shared here). */
    onCoverageChanged: vscode.Event<void>;
}

/** Restarts a crashed server (as the default does) unless the window is closing. */
function errorHandler(isClosing: () => boolean, fallback: () => ErrorHandler): ErrorHandler {
    return {
        error: (error, message, count) => isClosing()
            ? { action: ErrorAction.Shutdown, handled: true }
            : fallback().error(error, message, count),
        closed: () => isClosing()
            ? { action: CloseAction.DoNotRestart, handled: true }
            : fallback().closed()
    };
}

export async function startLanguageClient(context: vscode.ExtensionContext, activatedAt: number): Promise<BackplanClient> {
    const module = context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc },
        debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } }
    };
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.backplan');
    const output = vscode.window.createOutputChannel('Backplan Language Server');
    context.subscriptions.push(watcher, output);
    let closing = false;
    let fallback: ErrorHandler | undefined;
    const milestones = startupMilestones(activatedAt);
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ scheme: 'file', language: 'backplan' }],
        synchronize: { fileEvents: watcher, configurationSection: 'backplan' },
        outputChannel: output,
        traceOutputChannel: output,
        initializationOptions: { docLinkCommand: SHOW_DOCUMENTATION_COMMAND },
        // Hovers may run that one command (their "Rule …" and reference links), nothing else.
        markdown: { isTrusted: { enabledCommands: [SHOW_DOCUMENTATION_COMMAND] } },
        errorHandler: errorHandler(() => closing, () => fallback ??= client.createDefaultErrorHandler()),
        middleware: {
            handleDiagnostics(uri, diagnostics, next) {
                milestones.diagnostics(uri);
                next(uri, isIgnoredPath(uri) ? [] : diagnostics);
            },
            // A closing window closes its documents while the client stops: nobody needs
            // the server to hear of it, and a notification racing the stop logs an error.
            didOpen: (document, next) => closing ? Promise.resolve() : next(document),
            didChange: (event, next) => closing ? Promise.resolve() : next(event),
            didSave: (document, next) => closing ? Promise.resolve() : next(document),
            didClose: (document, next) => closing ? Promise.resolve() : next(document)
        }
    };
    // `backplan.trace.server` (the client's id + `.trace.server`) turns the protocol trace on.
    const client = new LanguageClient('backplan', 'Backplan Language Server', serverOptions, clientOptions);
    const coverageChanged = new vscode.EventEmitter<void>();
    context.subscriptions.push(coverageChanged, client.onNotification(CoverageChangedNotification, () => {
        milestones.checked();
        coverageChanged.fire();
    }));
    await client.start();
    milestones.ready();
    void milestones.report.then(r => output.appendLine(`[Info  - ${new Date().toLocaleTimeString()}] Start-up: server up ${r.serverReady} ms ` +
        `after activation, first diagnostics ${r.firstDiagnostics} ms, workspace checked ${r.workspaceChecked} ms (${r.files} files).`));
    return {
        client, output, startup: milestones.report, onCoverageChanged: coverageChanged.event,
        get closing() { return closing; },
        async close() {
            closing = true;
            if (client.state === State.Running) await client.stop().catch(() => undefined);
        }
    };
}

/** Records the start-up milestones; `report` settles once the workspace has been checked. */
function startupMilestones(activatedAt: number) {
    const since = () => Math.round(Date.now() - activatedAt);
    const files = new Set<string>();
    let done = false;
    let serverReady = 0;
    let firstDiagnostics = 0;
    let resolve!: (report: StartupReport) => void;
    const report = new Promise<StartupReport>(r => { resolve = r; });
    return {
        report,
        ready() { serverReady = since(); },
        diagnostics(uri: vscode.Uri) {
            if (files.size === 0) firstDiagnostics = since();
            files.add(uri.toString());
        },
        checked() {
            if (done) return;
            done = true;
            resolve({ activatedAt, serverReady, firstDiagnostics: firstDiagnostics || since(), workspaceChecked: since(), files: files.size });
        }
    };
}
