/**
 * One picture webview: a runbook's topology, backup window or history, drawn by the
 * language server (`backplan/picture`) and kept up to date.
 *
 *   schedule  an edit (or a rebuild, a finished run) asks for a redraw in DEBOUNCE_MS;
 *             more asks in that time make one request
 *   update    cancels the request still in flight (its answer would be stale), sends a
 *             new one, posts the SVG to the page; a cancelled answer is dropped
 *   reveal    a click on an element (`reveal` from the page) opens its declaration, in
 *             the editor column beside the picture (the runbook's own when it is visible)
 *
 * The page (picture-html.ts) keeps kind, uri and scroll with setState; the serializer
 * (pictures.ts) gives them back after a reload. Nothing here runs anything: the pictures
 * read the runbook and the journal only, so they work in Restricted Mode.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { DeclarationLocation } from '../coverage/coverage-protocol';
import { stateFolder } from '../cli/cli-invocation';
import { revealDeclaration } from '../commands/show-coverage';
import type { BackplanClient } from '../language-client';
import { PictureRequest, type PictureKind, type PictureResult } from './picture-protocol';
import { pictureHtml } from './picture-html';

/** The webview type of every picture panel (the serializer's key). */
export const PICTURE_VIEW_TYPE = 'backplan.picture';
/** Redraws wait this long after the last edit. */
export const DEBOUNCE_MS = 300;

export const PICTURE_TITLES: Record<PictureKind, string> = { topology: 'Topology', backupWindow: 'Backup Window', history: 'History' };

/** What a panel is, kept by the page and restored after a reload. */
export interface PictureState { kind: PictureKind; uri: string; scrollX?: number; scrollY?: number }

/** What the page shows (the suite's probe): element ids, texts, the status line, the background's fill, the body's theme classes, the state it kept, the directives its policy refused so far. */
export interface PictureProbe { ids: string[]; text: string; status: string; styled: string; theme: string; state: PictureState | null; refused: string[] }

/** What the page could do of what its policy forbids (the suite's CSP check). */
export interface ForbiddenTry { ran: boolean; styled: boolean; fetched: 'fetched' | 'refused' | 'no answer' }

type PageMessage = { type: string; nonce?: string; id?: string; version?: number; [key: string]: unknown };

export class PicturePanel implements vscode.Disposable {
    private timer: NodeJS.Timeout | undefined;
    private inFlight: vscode.CancellationTokenSource | undefined;
    private version = 0;
    private declarations: Record<string, DeclarationLocation> = {};
    private readonly replies = new Map<string, (message: PageMessage) => void>();
    private readonly shown = new vscode.EventEmitter<number>();
    private readonly disposables: vscode.Disposable[] = [];
    /** The version of the last picture the page showed. */
    shownVersion = 0;
    /** Fires with a version when the page shows a picture. */
    readonly onDidShow = this.shown.event;
    readonly onDidDispose: vscode.Event<void>;

    constructor(readonly panel: vscode.WebviewPanel, readonly state: PictureState, private readonly lsp: BackplanClient) {
        this.onDidDispose = panel.onDidDispose;
        panel.webview.options = { enableScripts: true, localResourceRoots: [] };
        panel.title = `${PICTURE_TITLES[state.kind]}: ${vscode.workspace.asRelativePath(vscode.Uri.parse(state.uri), false)}`;
        this.disposables.push(this.shown,
            panel.webview.onDidReceiveMessage((m: PageMessage) => this.receive(m)),
            panel.onDidChangeViewState(e => { if (e.webviewPanel.visible) this.schedule(0); }),
            panel.onDidDispose(() => this.dispose()));
        panel.webview.html = pictureHtml(panel.webview, panel.title, { kind: state.kind, uri: state.uri, scrollX: state.scrollX, scrollY: state.scrollY });
    }

    /** Asks for a redraw after `delay` ms (debounced). */
    schedule(delay = DEBOUNCE_MS): void {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.update(), delay);
    }

    /** Requests the picture now (cancelling the one in flight) and posts it to the page; resolves with its version. */
    async update(): Promise<number | undefined> {
        this.inFlight?.cancel();
        const source = this.inFlight = new vscode.CancellationTokenSource();
        const version = ++this.version;
        const uri = vscode.Uri.parse(this.state.uri);
        let result: PictureResult;
        try {
            result = await this.lsp.client.sendRequest<PictureResult>(PictureRequest, { uri: this.state.uri, kind: this.state.kind, state: stateFolder(uri) }, source.token);
        } catch (err) {
            if (source.token.isCancellationRequested || this.lsp.closing) return undefined;
            result = { message: `The language server could not draw this picture: ${(err as Error).message}`, declarations: {} };
        } finally {
            source.dispose();
            if (this.inFlight === source) this.inFlight = undefined;
        }
        if (source.token.isCancellationRequested) return undefined;
        this.declarations = result.declarations;
        await this.panel.webview.postMessage({ type: 'picture', version, svg: result.svg, message: result.message });
        return version;
    }

    /** What the page shows now. */
    probe(): Promise<PictureProbe> {
        return this.ask({ type: 'probe' }) as unknown as Promise<PictureProbe>;
    }

    /** Makes the page try what its policy forbids; resolves with what got through. */
    async tryForbidden(): Promise<ForbiddenTry> {
        const { ran, styled, fetched } = await this.ask({ type: 'tryForbidden' });
        return { ran, styled, fetched } as ForbiddenTry;
    }

    /** Clicks the element with this data-id in the page, as a user would; resolves with whether it was there. */
    async click(id: string): Promise<boolean> {
        return Boolean((await this.ask({ type: 'click', id })).found);
    }

    private ask(message: object): Promise<PageMessage> {
        const nonce = randomBytes(8).toString('hex');
        return new Promise(resolve => {
            this.replies.set(nonce, resolve);
            void this.panel.webview.postMessage({ ...message, nonce });
        });
    }

    private receive(message: PageMessage): void {
        if (message.nonce && this.replies.has(message.nonce)) {
            this.replies.get(message.nonce)!(message);
            this.replies.delete(message.nonce);
        } else if (message.type === 'ready') {
            this.schedule(0);
        } else if (message.type === 'shown' && typeof message.version === 'number') {
            this.shownVersion = message.version;
            this.shown.fire(message.version);
        } else if (message.type === 'reveal' && typeof message.id === 'string') {
            void this.reveal(message.id);
        }
    }

    /** Opens the declaration of a drawn element: an element's id, or the first declared id of a line (`a>b`, `a>b c>d`). */
    private async reveal(id: string): Promise<void> {
        const found = [id, ...id.split(/[ >]/)].map(i => this.declarations[i]).find(Boolean);
        if (!found) return;
        const editor = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === found.uri);
        const column = editor?.viewColumn ?? (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
        await revealDeclaration(found.uri, found.range, column);
    }

    dispose(): void {
        clearTimeout(this.timer);
        this.inFlight?.cancel();
        for (const d of this.disposables.splice(0)) d.dispose();
        this.panel.dispose();
    }
}
