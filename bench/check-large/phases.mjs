// Where a large `backplan check` spends its time, phase by phase, in one process:
//   node bench/check-large/phases.mjs [FILE_OR_FOLDER…]   (default: the generated 10,000-folder runbook)
// Uses the language package's compiled output (`npm run build` first) and the same
// services as the CLI; prints the wall time of reading+parsing and of each Langium build
// phase (indexing, scopes, linking, references index, validation). Diagnostic aid for the
// check-large benchmark, not part of its figures (unbundled, so start-up is slower).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const t0 = performance.now();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { createBackplanCoreServices } = await import(path.join(root, 'packages/language/out/backplan-module.js'));
const { collectRunbookFiles } = await import(path.join(root, 'packages/language/out/node/workspace-loader.js'));
const { DocumentState, URI } = await import('langium');
const { NodeFileSystem } = await import('langium/node');
const tLoaded = performance.now();

const given = process.argv.slice(2);
const inputs = given.length > 0 ? given : [path.join(root, 'bench/check-large/out/single/large.backplan')];
const { shared } = createBackplanCoreServices(NodeFileSystem);
const files = await collectRunbookFiles(inputs);
const tServices = performance.now();

// Read and parse every file and its imports, as the CLI's loader does.
const documents = [];
const queue = files.map(f => URI.file(path.resolve(f)));
while (queue.length > 0) {
    const uri = queue.shift();
    if (shared.workspace.LangiumDocuments.hasDocument(uri)) continue;
    let text;
    try { text = await fs.readFile(uri.fsPath, 'utf8'); } catch { continue; }
    const doc = shared.workspace.LangiumDocumentFactory.fromString(text, uri);
    shared.workspace.LangiumDocuments.addDocument(doc);
    documents.push(doc);
    for (const imp of doc.parseResult.value.imports ?? []) {
        if (typeof imp.path === 'string' && imp.path !== '') queue.push(URI.file(path.resolve(path.dirname(uri.fsPath), imp.path)));
    }
}
const tParsed = performance.now();

const phases = [];
let last = performance.now();
const names = { [DocumentState.IndexedContent]: 'index exported names', [DocumentState.ComputedScopes]: 'local scopes',
    [DocumentState.Linked]: 'linking', [DocumentState.IndexedReferences]: 'reference index', [DocumentState.Validated]: 'validation' };
for (const state of Object.keys(names).map(Number)) {
    shared.workspace.DocumentBuilder.onBuildPhase(state, () => {
        const now = performance.now();
        phases.push([names[state], now - last]);
        last = now;
    });
}
await shared.workspace.DocumentBuilder.build(documents, { validation: true });
const diagnostics = documents.reduce((n, d) => n + (d.diagnostics?.length ?? 0), 0);

const ms = v => `${v.toFixed(0).padStart(6)} ms`;
console.log(`${documents.length} file(s), ${diagnostics} diagnostic(s), heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log(`${ms(tLoaded - t0)}  load modules (unbundled)`);
console.log(`${ms(tServices - tLoaded)}  create services, find files`);
console.log(`${ms(tParsed - tServices)}  read + lex + parse`);
for (const [name, t] of phases) console.log(`${ms(t)}  ${name}`);
console.log(`${ms(performance.now() - t0)}  total`);
