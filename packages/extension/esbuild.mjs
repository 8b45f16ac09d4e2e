// Builds the self-contained extension into dist/: the client (CommonJS, as VS Code loads
// extensions), the Langium language server bundled from ESM into one CommonJS file, the
// `backplan` CLI bundle the run commands spawn, and the TextMate grammar.
import { build } from 'esbuild';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const watch = process.argv.includes('--watch');
const production = !watch;

const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // VS Code 1.82's extension host runs Node 18.
    target: 'node18',
    sourcemap: true,
    minify: production,
    keepNames: true,
    logLevel: 'warning',
    // Langium and its dependencies are ESM; nothing of them reads import.meta.url today,
    // but give CommonJS a real value in case a dependency starts to.
    define: { 'import.meta.url': '__bpImportMetaUrl' },
    banner: { js: "const __bpImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" }
};

mkdirSync(here + 'dist/syntaxes', { recursive: true });
mkdirSync(here + 'dist/cli', { recursive: true });

await Promise.all([
    build({ ...common, entryPoints: [here + 'src/extension.ts'], outfile: here + 'dist/extension.js', external: ['vscode'] }),
    // The server with the pictures (packages/cli/src/server/language-server.ts): ELK is bundled in.
    build({ ...common, entryPoints: [root + 'packages/cli/src/server/language-server.ts'], outfile: here + 'dist/server.js' })
]);

// The CLI is an ESM bundle of its own; rebuild it so the .vsix never ships a stale one.
execFileSync(process.execPath, [root + 'packages/cli/esbuild.mjs'], { stdio: 'inherit' });
copyFileSync(root + 'packages/cli/dist/backplan.mjs', here + 'dist/cli/backplan.mjs');
// Its dynamically imported chunks (ELK for `backplan graph`) sit beside it.
rmSync(here + 'dist/cli/chunks', { recursive: true, force: true });
cpSync(root + 'packages/cli/dist/chunks', here + 'dist/cli/chunks', { recursive: true, filter: f => !f.endsWith('.map') });
copyFileSync(root + 'syntaxes/backplan.tmLanguage.json', here + 'dist/syntaxes/backplan.tmLanguage.json');
// The server reads rule explanations (rules.md) and keyword docs (language.md) for hovers and
// completion beside its bundle; the extension previews their sections from there.
copyFileSync(root + 'docs/rules.md', here + 'dist/rules.md');
copyFileSync(root + 'docs/language.md', here + 'dist/language.md');

const { version } = JSON.parse(readFileSync(here + 'package.json', 'utf8'));
console.log(`backplan extension ${version} built into dist/`);
