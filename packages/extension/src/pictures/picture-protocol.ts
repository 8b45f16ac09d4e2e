/**
 * `backplan/picture`, as the language server defines it (packages/language/src/lsp/picture-request.ts):
 * types are shared, the name repeated here so that the client bundle does not pull in the server's code.
 */
export type { PictureKind, PictureParams, PictureResult } from '../../../language/src/lsp/picture-request.js';

export const PictureRequest = 'backplan/picture';
