/**
 * `backplan/picture`: a picture of the runbook a document belongs to — its topology, its
 * backup window or its history (DESIGN §12) — as SVG, with where each drawn element is
 * declared, for the VS Code webviews (*Show Topology*, *Show Backup Window*, *Show History*).
 *
 *   request  {uri, kind, state?} → wait for the workspace and the document (linked) →
 *            its runbook's model (the one the document is the root of, else the first
 *            that holds it) → the painter draws it (the engine's pictures, given by the
 *            server's entry point: this package knows nothing of running or journals) →
 *            {svg, declarations: element id → range of its name}
 *   cancel   a request superseded by a newer one (the webview follows edits) is
 *            cancelled by the client; the server checks before and after painting
 *
 * Element ids are the pictures' `data-id`s: `server:Name`, `tape:Name`, `folder:Name`,
 * `mail:Name` (a mail server's data), `backup:Name`, `drill:Name`; a name declared again
 * gets `#2`, `#3`… as in `backplan graph --format json`.
 */
import { DocumentState, URI, type AstNode } from 'langium';
import { ResponseError, type CancellationToken } from 'vscode-languageserver';
import type { BackplanSharedLspServices } from './backplan-lsp-module.js';
import { locate, type DeclarationLocation } from './coverage-request.js';
import type { RunbookModel } from '../model/runbook-model.js';

/** Request name: params {@link PictureParams}, result {@link PictureResult}. */
export const PictureRequest = 'backplan/picture';

export const PICTURE_KINDS = ['topology', 'backupWindow', 'history'] as const;
export type PictureKind = typeof PICTURE_KINDS[number];

export interface PictureParams {
    /** A `.backplan` document: the picture is of its runbook. */
    uri: string;
    kind: PictureKind;
    /** The state folder (`--state`, the `backplan.state` setting) for the journal; empty: the default. */
    state?: string;
}

export interface PictureResult {
    /** URI of the runbook's root file (none: the document belongs to no runbook). */
    root?: string;
    title?: string;
    /** The picture; absent when it cannot be drawn (then `message` says why). */
    svg?: string;
    message?: string;
    declarations: Record<string, DeclarationLocation>;
}

/** Draws a picture of a runbook model (the engine's pictures, plugged in by the server's entry point). */
export type PicturePainter = (model: RunbookModel, kind: PictureKind, options: { runbookPath: string; state?: string }) => Promise<string>;

/** Registers the picture request on the language server. */
export function registerPictureRequest(shared: BackplanSharedLspServices, paint: PicturePainter): void {
    const connection = shared.lsp.Connection;
    if (!connection) return;
    connection.onRequest(PictureRequest, async (params: PictureParams, token: CancellationToken): Promise<PictureResult> => {
        if (!PICTURE_KINDS.includes(params?.kind)) throw new ResponseError(-32602, `unknown picture kind ${String(params?.kind)} (kinds: ${PICTURE_KINDS.join(', ')})`);
        await shared.workspace.WorkspaceManager.ready;
        const uri = URI.parse(params.uri);
        if (!shared.workspace.LangiumDocuments.hasDocument(uri)) return { message: 'This file is not loaded by the Backplan language server (ignored, or outside the workspace).', declarations: {} };
        await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Linked, uri, token);
        const models = shared.workspace.RunbookGraph.modelsOf(uri);
        const model = models.find(m => m.root.toString() === uri.toString()) ?? models[0];
        if (!model) return { message: 'This file belongs to no runbook.', declarations: {} };
        const base = { root: model.root.toString(), title: model.title, declarations: declarationsOf(model) };
        try {
            const svg = await paint(model, params.kind, { runbookPath: model.root.fsPath, state: params.state || undefined });
            if (token.isCancellationRequested) throw new ResponseError(-32800, 'superseded');
            return { ...base, svg };
        } catch (err) {
            if (err instanceof ResponseError) throw err;
            return { ...base, message: (err as Error).message };
        }
    });
}

/** Every declaration a picture can draw, by element id. */
export function declarationsOf(model: RunbookModel): Record<string, DeclarationLocation> {
    const out: Record<string, DeclarationLocation> = {};
    const add = (kind: string, name: string, node: AstNode) => {
        let id = `${kind}:${name}`;
        for (let n = 2; id in out; n++) id = `${kind}:${name}#${n}`;
        out[id] = locate(name, node);
    };
    for (const s of model.servers) add('server', s.name, s.node);
    for (const t of model.tapes) add('tape', t.name, t.node);
    for (const c of model.coverage.values()) add(c.kind, c.subject.name, c.subject.node);
    for (const b of model.backups) add('backup', b.name, b.node);
    for (const d of model.drills) add('drill', d.name, d.node);
    return out;
}
