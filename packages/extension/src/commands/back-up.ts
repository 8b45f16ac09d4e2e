/**
 * Backplan: Back Up… — runs `backplan backup` for every backup block of a runbook, one
 * block (`--policy`) or some servers, in a task terminal.
 */
import * as vscode from 'vscode';
import { runBackplanTask } from '../tasks/backplan-task-provider';
import type { RunResult } from '../tasks/cli-pseudoterminal';
import { refuseUntrusted, type Refused } from '../trust';
import type { CommandContext } from './command-context';
import { pickRunbook } from './runbook-picker';

export interface BackUpOptions {
    /** A backup block's name. */
    policy?: string;
    /** Servers to back up (with `policy`, only these of it). */
    servers?: string[];
}

export async function backUp(ctx: CommandContext, uri?: unknown, options?: BackUpOptions): Promise<RunResult | Refused | undefined> {
    const refused = refuseUntrusted('Back Up');
    if (refused) return refused;
    const target = await pickRunbook(ctx.coverage, uri, 'back up');
    if (!target) return undefined;
    let chosen = options;
    if (!chosen) {
        const backups = target.runbook.backups;
        const picked = await vscode.window.showQuickPick([
            { label: 'All backups', description: backups.map(b => b.name).join(', '), detail: 'every backup block, in file order', options: {} as BackUpOptions },
            ...backups.map(b => ({
                label: b.name,
                description: `${b.servers.join(', ')} → ${b.tape ?? 'no tape'}`,
                options: { policy: b.name } as BackUpOptions
            }))
        ], { placeHolder: `Back up ${target.label}` });
        if (!picked) return undefined;
        chosen = picked.options;
    }
    const args: string[] = [];
    if (chosen.policy) args.push('--policy', chosen.policy);
    for (const server of chosen.servers ?? []) args.push('--server', server);
    const what = chosen.policy ? `backup ${chosen.policy}` : chosen.servers?.length ? `backup of ${chosen.servers.join(', ')}` : 'backup';
    return runBackplanTask({ type: 'backplan', command: 'backup', runbook: target.relative, args }, target.folder, `${what} of ${target.label}`);
}
