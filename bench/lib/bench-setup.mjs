/**
 * What every benchmark script starts with: where the repository and the built CLI are,
 * its command-line options, and its git-ignored work folder (bench/.work/NAME).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = path.join(repo, 'packages/cli/dist/backplan.mjs');
export const args = process.argv.slice(2);

/** The value after `--name`, or `def`. */
export function arg(name, def) {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : def;
}

/** A benchmark's work folder. */
export function workDir(name) {
    return path.join(repo, 'bench', '.work', name);
}
