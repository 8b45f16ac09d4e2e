/**
 * A minimal LSP client for tests and benchmarks: spawns the built language server
 * (`packages/language/out/lsp/main.js --stdio`), speaks the real protocol over its stdio,
 * and collects `publishDiagnostics` so a test can wait for the diagnostics of a file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node.js';
import {
    DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, ExitNotification, InitializedNotification,
    InitializeRequest, PublishDiagnosticsNotification, ShutdownRequest,
    type Diagnostic, type InitializeParams, type InitializeResult, type PublishDiagnosticsParams, type TextEdit
} from 'vscode-languageserver-protocol';

/** The repository root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The server entry: the tsc build, or a bundle given in `BACKPLAN_LSP_SERVER` (e.g. the extension's dist/server.js). */
export const SERVER = process.env.BACKPLAN_LSP_SERVER ?? path.join(REPO, 'packages/language/out/lsp/main.js');

/** Copies folders of `examples/` (or any folder) into a fresh temporary folder, without dot-folders (scratch data of running demos). */
export function tempWorkspace(sources: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'backplan-lsp-'));
    for (const [target, source] of Object.entries(sources)) {
        cpSync(path.resolve(REPO, source), path.join(dir, target), { recursive: true, filter: src => !path.basename(src).startsWith('.') });
    }
    return dir;
}

/** `file://` URI of a path. */
export function uriOf(file: string): string {
    return pathToFileURL(file).toString();
}

/** A waiter for diagnostics of one URI that satisfy a predicate. */
interface DiagnosticsWaiter {
    uri: string;
    predicate: (diagnostics: Diagnostic[]) => boolean;
    resolve: (diagnostics: Diagnostic[]) => void;
}

/** A language server process and a JSON-RPC connection to it. */
export class LspClient {
    readonly connection: MessageConnection;
    /** The latest diagnostics per URI. */
    readonly diagnostics = new Map<string, Diagnostic[]>();
    protected readonly waiters: DiagnosticsWaiter[] = [];
    protected readonly versions = new Map<string, number>();
    protected readonly texts = new Map<string, string>();
    protected stderr = '';
    /** Capability registrations the server asked for (`client/registerCapability`). */
    readonly registrations: Array<{ method: string; registerOptions?: unknown }> = [];
    /** The server's answer to `initialize`. */
    initializeResult?: InitializeResult;

    protected constructor(readonly process: ChildProcess, settings: Record<string, unknown> = {}, beforeConfiguration?: () => Promise<unknown>) {
        this.connection = createMessageConnection(
            new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
        process.stderr!.on('data', chunk => { this.stderr += String(chunk); });
        this.connection.onNotification(PublishDiagnosticsNotification.type, (params: PublishDiagnosticsParams) => {
            this.diagnostics.set(params.uri, params.diagnostics);
            for (const waiter of [...this.waiters]) {
                if (waiter.uri === params.uri && waiter.predicate(params.diagnostics)) {
                    this.waiters.splice(this.waiters.indexOf(waiter), 1);
                    waiter.resolve(params.diagnostics);
                }
            }
        });
        // Answer the server's requests the way VS Code does, minimally.
        this.connection.onRequest('workspace/configuration', async (params: { items: Array<{ section?: string }> }) => {
            await beforeConfiguration?.();
            return params.items.map(item => (item.section && settings[item.section]) ?? null);
        });
        this.connection.onRequest('client/registerCapability', (params: { registrations: LspClient['registrations'] }) => {
            this.registrations.push(...params.registrations);
            return null;
        });
        this.connection.onRequest('window/workDoneProgress/create', () => null);
        this.connection.listen();
    }

    /** Spawns the server and runs the initialize handshake with one workspace folder. */
    static async start(workspace: string, options: {
        initializationOptions?: unknown; server?: string; settings?: Record<string, unknown>; nodeArgs?: string[];
        /** Awaited before each `workspace/configuration` answer (a busy editor answers late). */
        beforeConfiguration?: () => Promise<unknown>;
    } = {}): Promise<LspClient> {
        const args = [...options.nodeArgs ?? [], options.server ?? SERVER, '--stdio'];
        const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
        const client = new LspClient(child, options.settings, options.beforeConfiguration);
        const params: InitializeParams = {
            processId: process.pid,
            rootUri: uriOf(workspace),
            workspaceFolders: [{ uri: uriOf(workspace), name: path.basename(workspace) }],
            initializationOptions: options.initializationOptions,
            capabilities: {
                workspace: {
                    configuration: true, workspaceFolders: true, workspaceEdit: { documentChanges: true },
                    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true }
                },
                textDocument: {
                    publishDiagnostics: { relatedInformation: true },
                    completion: { completionItem: { snippetSupport: true } },
                    hover: { contentFormat: ['markdown', 'plaintext'] },
                    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
                    rename: { prepareSupport: true },
                    inlayHint: {},
                    semanticTokens: {
                        requests: { full: true },
                        tokenTypes: [], tokenModifiers: [], formats: ['relative']
                    }
                }
            }
        };
        client.initializeResult = await client.connection.sendRequest(InitializeRequest.type, params);
        await client.connection.sendNotification(InitializedNotification.type, {});
        return client;
    }

    /** Waits until the server publishes diagnostics for `file` that satisfy `predicate`. */
    waitForDiagnostics(file: string, predicate: (d: Diagnostic[]) => boolean = () => true, timeoutMs = 30_000): Promise<Diagnostic[]> {
        const uri = file.startsWith('file:') ? file : uriOf(file);
        const current = this.diagnostics.get(uri);
        if (current && predicate(current)) return Promise.resolve(current);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(this.diagnostics.get(uri))}\n${this.stderr}`)), timeoutMs);
            this.waiters.push({ uri, predicate, resolve: d => { clearTimeout(timer); resolve(d); } });
        });
    }

    /** Forgets the diagnostics seen so far for a file (before an edit). */
    forgetDiagnostics(file: string): void {
        this.diagnostics.delete(uriOf(file));
    }

    /** Opens a file from disk in the server. */
    async open(file: string): Promise<string> {
        const uri = uriOf(file);
        const text = readFileSync(file, 'utf8');
        this.versions.set(uri, 1);
        this.texts.set(uri, text);
        await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
            textDocument: { uri, languageId: 'backplan', version: 1, text }
        });
        return text;
    }

    /** The text the server has for an opened file. */
    text(file: string): string {
        return this.texts.get(uriOf(file)) ?? readFileSync(file, 'utf8');
    }

    /** Replaces the whole text of an opened file (and forgets its diagnostics until the server publishes new ones). */
    async change(file: string, text: string): Promise<void> {
        const uri = uriOf(file);
        this.diagnostics.delete(uri);
        const version = (this.versions.get(uri) ?? 1) + 1;
        this.versions.set(uri, version);
        this.texts.set(uri, text);
        await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri, version }, contentChanges: [{ text }]
        });
    }

    /** Sends a request. */
    request<R>(method: string, params: unknown): Promise<R> {
        return this.connection.sendRequest(method, params) as Promise<R>;
    }

    /** Shuts the server down and waits for it to exit. */
    async stop(): Promise<void> {
        const exited = new Promise<void>(resolve => {
            if (this.process.exitCode !== null) resolve();
            else this.process.once('exit', () => resolve());
        });
        try {
            await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise(r => setTimeout(r, 2000))]);
            await this.connection.sendNotification(ExitNotification.type);
        } catch {
            // already gone
        }
        const timer = setTimeout(() => this.process.kill(), 3000);
        await exited;
        clearTimeout(timer);
        this.connection.dispose();
    }
}

/** Applies LSP text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
    const offset = (p: { line: number; character: number }) =>
        p.line >= lineStarts.length ? text.length : Math.min(lineStarts[p.line] + p.character, text.length);
    const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start) || offset(b.range.end) - offset(a.range.end));
    let result = text;
    for (const edit of sorted) {
        result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
    }
    return result;
}
