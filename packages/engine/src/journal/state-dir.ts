/**
 * The state folder: `--state DIR`, else `$XDG_STATE_HOME/backplan`, else
 * `~/.local/state/backplan`. It holds, per runbook (NAME = the runbook's file name and 8
 * hex of its absolute path), and for all of them:
 *   STATE/journals/NAME.jsonl                the journal
 *   STATE/journals/NAME.jsonl.recovery-lock  held while a recovery runs (journal/recovery-lock.ts)
 *   STATE/notify/NAME.stale.json             the stale episodes `status` has told about
 *   STATE/guardian.log                       the guardians' log (kernel/guardian.ts)
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';

/** Resolves the state folder. */
export function resolveStateDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
    if (option) return path.resolve(option);
    if (env.XDG_STATE_HOME) return path.join(env.XDG_STATE_HOME, 'backplan');
    return path.join(os.homedir(), '.local', 'state', 'backplan');
}

/** A runbook's name in the state folder: its file name and 8 hex of its absolute path. */
export function runbookStateName(runbookPath: string): string {
    const abs = path.resolve(runbookPath);
    const key = createHash('sha256').update(abs).digest('hex').slice(0, 8);
    const base = path.basename(abs).replace(/\.backplan$/, '').replace(/[^\w.-]+/g, '_');
    return `${base}-${key}`;
}

/** The journal file of a runbook (keyed by the root file's absolute path). */
export function journalFile(stateDir: string, runbookPath: string): string {
    return path.join(stateDir, 'journals', `${runbookStateName(runbookPath)}.jsonl`);
}

/** The stale-episode file of a runbook (notify/stale-episodes.ts). */
export function staleStateFile(stateDir: string, runbookPath: string): string {
    return path.join(stateDir, 'notify', `${runbookStateName(runbookPath)}.stale.json`);
}
