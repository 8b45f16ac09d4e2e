/**
 * Entry point of the Backplan language server (stdio or Node IPC, as the client chooses).
 */
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { createBackplanLspServices } from './backplan-lsp-module.js';
import { registerCoverageRequest } from './coverage-request.js';
import { registerStartupTimeline } from './startup-timeline.js';

const connection = createConnection(ProposedFeatures.all);
const { shared } = createBackplanLspServices({ connection, ...NodeFileSystem });
registerCoverageRequest(shared);
registerStartupTimeline(shared);
startLanguageServer(shared);
