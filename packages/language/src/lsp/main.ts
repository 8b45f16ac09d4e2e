/**
 * Entry point of the Backplan language server (stdio or Node IPC, as the client chooses),
 * without the engine's pictures (the extension bundles packages/cli/src/server/language-server.ts).
 */
import { startBackplanServer } from './start-server.js';

startBackplanServer();
