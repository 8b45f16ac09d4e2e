/**
 * The language server the VS Code extension bundles (dist/server.js): the language
 * package's server plus the engine's pictures for `backplan/picture`. It lives here, where
 * language and engine already meet (packages depend downwards only: the language package
 * knows nothing of the engine, the engine nothing of the protocol).
 */
import { paintPicture } from '@backplan/engine';
import { registerPictureRequest, startBackplanServer } from '@backplan/language/server';

startBackplanServer(shared => registerPictureRequest(shared, paintPicture));
