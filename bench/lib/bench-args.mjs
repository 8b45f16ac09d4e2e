/**
 * What every throughput benchmark starts with: the repository root, the built CLI bundle,
 * and its `--name value` options.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository, the CLI bundle, the argument list and an option reader. */
export function benchSetup() {
    const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    const args = process.argv.slice(2);
    const arg = (name, def) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : def; };
    return { repo, cli: path.join(repo, 'packages/cli/dist/backplan.mjs'), args, arg };
}
