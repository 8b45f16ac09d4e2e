/**
 * The state folder: `--state DIR`, else `$XDG_STATE_HOME/backplan`, else
 * `~/.local/state/backplan`. It holds one journal per runbook, the lock of its recovery
 * while one runs (journal/recovery-lock.ts), and the guardians' log (kernel/guardian.ts):
 *   STATE/journals/<runbook file name>-<8 hex of its absolute path>.jsonl
 *   STATE/journals/<the same>.jsonl.recovery-lock
 *   STATE/guardian.log
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

/** The journal file of a runbook (keyed by the root file's absolute path). */
export function journalFile(stateDir: string, runbookPath: string): string {
    const abs = path.resolve(runbookPath);
    const key = createHash('sha256').update(abs).digest('hex').slice(0, 8);
    const base = path.basename(abs).replace(/\.backplan$/, '').replace(/[^\w.-]+/g, '_');
    return path.join(stateDir, 'journals', `${base}-${key}.jsonl`);
}
