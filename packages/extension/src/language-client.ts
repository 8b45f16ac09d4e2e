/**
 * The language client: starts the bundled Langium server over Node IPC, watches every
 * `.backplan` file (imported files too, so editing one re-checks the runbooks that import
 * it) and hides the problems of `backplan.validation.ignorePaths`. The server's links to the
 * docs (a diagnostic's code, hovers) are `backplan.showDocumentation` command links, which
 * open the one section they name in the Markdown preview.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SHOW_DOCUMENTATION_COMMAND } from './docs/doc-section-provider';
import { isIgnoredPath } from './ignore-paths';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
    const module = context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc },
        debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } }
    };
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.backplan');
    context.subscriptions.push(watcher);
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ scheme: 'file', language: 'backplan' }],
        synchronize: { fileEvents: watcher, configurationSection: 'backplan' },
        outputChannelName: 'Backplan Language Server',
        initializationOptions: { docLinkCommand: SHOW_DOCUMENTATION_COMMAND },
        // Hovers may run that one command (their "Rule …" and reference links), nothing else.
        markdown: { isTrusted: { enabledCommands: [SHOW_DOCUMENTATION_COMMAND] } },
        middleware: {
            handleDiagnostics(uri, diagnostics, next) {
                next(uri, isIgnoredPath(uri) ? [] : diagnostics);
            }
        }
    };
    const client = new LanguageClient('backplan', 'Backplan Language Server', serverOptions, clientOptions);
    await client.start();
    return client;
}
