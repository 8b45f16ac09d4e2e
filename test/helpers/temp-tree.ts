/**
 * Temporary folder trees for tests that need real files: write a tree from a name → text
 * map, and remove it afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Creates a fresh temporary folder holding the given files (paths relative to it). */
export function tempTree(files: Record<string, string> = {}, prefix = 'backplan-test-'): string {
    const root = mkdtempSync(path.join(tmpdir(), prefix));
    writeTree(root, files);
    return root;
}

/** Writes files below a folder, creating parent folders. */
export function writeTree(root: string, files: Record<string, string>): void {
    for (const [name, text] of Object.entries(files)) {
        const file = path.join(root, name);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
    }
}

/** Removes a temporary tree. */
export function removeTree(root: string): void {
    rmSync(root, { recursive: true, force: true });
}
