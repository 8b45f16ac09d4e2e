// Bundles the CLI into one ESM file: a cold `backplan check` must start in a fraction of a
// second, and resolving hundreds of unbundled modules costs most of that. Code loaded with
// `import()` goes into dist/chunks/ (ELK, 1.7 MB, only for `backplan graph` SVG), so that
// every other command starts without parsing it: copy dist/ whole, not backplan.mjs alone.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8'));

rmSync(here + 'dist/chunks', { recursive: true, force: true });
await build({
    entryPoints: { backplan: here + 'src/main.ts' },
    outdir: here + 'dist',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    minifyWhitespace: true,
    define: { BACKPLAN_VERSION: JSON.stringify(version) },
    // Some dependencies are CommonJS and call require(): give the ESM bundle one.
    banner: { js: "import { createRequire as __bpCreateRequire } from 'node:module'; const require = __bpCreateRequire(import.meta.url);" },
    logLevel: 'warning'
});
