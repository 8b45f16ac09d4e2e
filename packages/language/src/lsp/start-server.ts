/**
 * Starts the Backplan language server on a connection (stdio or Node IPC, as the client
 * chooses): the language services, the coverage request, the start-up timeline, and
 * whatever requests the entry point adds (the extension's server adds the pictures, which
 * need the engine: packages/cli/src/server/language-server.ts).
 */
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { createBackplanLspServices, type BackplanSharedLspServices } from './backplan-lsp-module.js';
import { registerCoverageRequest } from './coverage-request.js';
import { registerStartupTimeline } from './startup-timeline.js';

export { registerPictureRequest, PictureRequest, PICTURE_KINDS, type PictureKind, type PictureParams, type PicturePainter, type PictureResult } from './picture-request.js';

/** Creates the services on a new connection, registers Backplan's requests (and `extend`'s), and starts listening. */
export function startBackplanServer(extend?: (shared: BackplanSharedLspServices) => void): void {
    const connection = createConnection(ProposedFeatures.all);
    const { shared } = createBackplanLspServices({ connection, ...NodeFileSystem });
    registerCoverageRequest(shared);
    registerStartupTimeline(shared);
    extend?.(shared);
    startLanguageServer(shared);
}
