/**
 * Backplan: Verify Archives and Backplan: Show Archives — `backplan verify` and
 * `backplan archives` for a runbook (every tape, or one), in a task terminal.
 */
import { runBackplanTask } from '../tasks/backplan-task-provider';
import type { RunResult } from '../tasks/cli-pseudoterminal';
import { refuseUntrusted, type Refused } from '../trust';
import type { CommandContext } from './command-context';
import { pickRunbook, pickTape } from './runbook-picker';

export interface ArchivesOptions {
    /** One tape; null: every tape without asking. */
    tape?: string | null;
}

async function runOnTapes(ctx: CommandContext, verb: 'verify' | 'archives', action: string, uri: unknown, options: ArchivesOptions):
    Promise<RunResult | Refused | undefined> {
    const refused = refuseUntrusted(action);
    if (refused) return refused;
    const target = await pickRunbook(ctx.coverage, uri, verb === 'verify' ? 'verify' : 'list archives of');
    if (!target) return undefined;
    const tape = await pickTape(target.runbook, options.tape, verb === 'verify' ? 'Verify the archives on…' : 'Show the archives on…');
    if (!tape) return undefined;
    const args = tape.tape ? ['--tape', tape.tape] : [];
    const title = `${verb === 'verify' ? 'verify' : 'archives'} ${tape.tape ?? 'all tapes'} (${target.label})`;
    return runBackplanTask({ type: 'backplan', command: verb, runbook: target.relative, args }, target.folder, title);
}

export function verifyArchives(ctx: CommandContext, uri?: unknown, options: ArchivesOptions = {}) {
    return runOnTapes(ctx, 'verify', 'Verify Archives', uri, options);
}

export function showArchives(ctx: CommandContext, uri?: unknown, options: ArchivesOptions = {}) {
    return runOnTapes(ctx, 'archives', 'Show Archives', uri, options);
}
