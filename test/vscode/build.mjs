// Bundles the VS Code test suite into test/vscode/out/suite.js (CommonJS, as the extension
// host loads it); `vscode` and `mocha` stay external (resolved at run time).
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
mkdirSync(here + 'out', { recursive: true });
// The repository root is "type": "module"; this folder's output is CommonJS.
writeFileSync(here + 'out/package.json', '{ "type": "commonjs" }\n');
await build({
    entryPoints: [here + 'suite/index.ts'],
    outfile: here + 'out/suite.js',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning'
});
