// Bundles the CLI into one ESM file: a cold `backplan check` must start in a fraction of a
// second, and resolving hundreds of unbundled modules costs most of that.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8'));

await build({
    entryPoints: [here + 'src/main.ts'],
    outfile: here + 'dist/backplan.mjs',
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
