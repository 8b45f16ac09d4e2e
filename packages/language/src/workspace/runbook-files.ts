/**
 * Which files are runbooks: only names ending in `.backplan`. The document factory finds a
 * file's language by its extension and throws for any other, so every loader asks here first.
 */
import { BackplanLanguageMetaData } from '../generated/module.js';

/** The extension of runbook files, with its dot. */
export const RUNBOOK_EXTENSION: string = BackplanLanguageMetaData.fileExtensions[0];

/** Whether a path or URI path names a runbook file (ends in `.backplan`). */
export function isRunbookPath(filePath: string): boolean {
    return BackplanLanguageMetaData.fileExtensions.some(ext => filePath.endsWith(ext));
}
