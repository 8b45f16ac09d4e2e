/**
 * `mkdir -p` that fails instead of spinning. Node 20's recursive `fs.mkdir` loops for
 * ever (at full CPU) where mkdir(2) answers ENOENT although the parent exists — under
 * /proc and /sys — so a tape or state folder there hung the run. This walks up to the
 * deepest existing ancestor, then creates each missing folder once; any refusal is an
 * error naming the folder.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** Creates `dir` and its missing parents (like `mkdir -p`); resolves when it is a folder. */
export async function makeDirs(dir: string, mode?: number): Promise<void> {
    const missing: string[] = [];
    for (let p = path.resolve(dir); ; p = path.dirname(p)) {
        try {
            if (!(await fs.stat(p)).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a folder: ${p}`), { code: 'ENOTDIR', path: p });
            break;
        } catch (err) {
            if (code(err) !== 'ENOENT' || path.dirname(p) === p) throw err;
            missing.push(p);
        }
    }
    for (const d of missing.reverse()) {
        try {
            await fs.mkdir(d, mode === undefined ? undefined : { mode });
        } catch (err) {
            // Made meanwhile by someone else (a concurrent run): fine if it is a folder.
            if (code(err) !== 'EEXIST' || !(await fs.stat(d)).isDirectory()) throw err;
        }
    }
}
