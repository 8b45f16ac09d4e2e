/**
 * Backplan: Back Up… — runs `backplan backup` for every backup block of a runbook, one
 * block (`--policy`) or some servers, in a task terminal. Picked from the quick pick, the
 * backup runs at once (the pick shows its servers); invoked with a backup already chosen
 * (the *Run backup* CodeLens, a keybinding: one click or key) it first asks, naming the
 * servers it will stop.
 */
import * as vscode from 'vscode';
import type { RunbookCoverageInfo } from '../coverage/coverage-protocol';
import { runBackplanTask } from '../tasks/backplan-task-provider';
import type { RunResult } from '../tasks/cli-pseudoterminal';
import { refuseUntrusted, type Refused } from '../trust';
import { prompter } from '../ui/prompter';
import { listNames } from '../ui/text';
import type { CommandContext } from './command-context';
import { pickRunbook, type RunbookTarget } from './runbook-picker';
import { showPlan } from './show-plan';

export interface BackUpOptions {
    /** A backup block's name. */
    policy?: string;
    /** Servers to back up (with `policy`, only these of it). */
    servers?: string[];
}

const BACK_UP = 'Back Up';
const SHOW_PLAN = 'Show Plan';

export async function backUp(ctx: CommandContext, uri?: unknown, options?: BackUpOptions): Promise<RunResult | Refused | undefined> {
    const refused = refuseUntrusted('Back Up');
    if (refused) return refused;
    const target = await pickRunbook(ctx.coverage, uri, 'back up');
    if (!target) return undefined;
    const chosen = options ?? await pickBackup(target);
    if (!chosen) return undefined;
    if (options) {
        const answer = await askBeforeStopping(target, chosen);
        if (answer === SHOW_PLAN) await showPlan(ctx, target.uri, { verb: 'backup', ...chosen });
        if (answer !== BACK_UP) return undefined;
    }
    const args: string[] = [];
    if (chosen.policy) args.push('--policy', chosen.policy);
    for (const server of chosen.servers ?? []) args.push('--server', server);
    const what = chosen.policy ? `backup ${chosen.policy}` : chosen.servers?.length ? `backup of ${chosen.servers.join(', ')}` : 'backup';
    return runBackplanTask({ type: 'backplan', command: 'backup', runbook: target.relative, args }, target.folder, `${what} of ${target.label}`);
}

async function pickBackup(target: RunbookTarget): Promise<BackUpOptions | undefined> {
    const backups = target.runbook.backups;
    const picked = await vscode.window.showQuickPick([
        { label: 'All backups', description: backups.map(b => b.name).join(', '), detail: 'every backup block, in file order', options: {} as BackUpOptions },
        ...backups.map(b => ({
            label: b.name,
            description: `${b.servers.join(', ')} → ${b.tape ?? 'no tape'}`,
            options: { policy: b.name } as BackUpOptions
        }))
    ], { placeHolder: `Back up ${target.label}` });
    return picked?.options;
}

/** The servers a backup stops, in the runbook's order, and the tapes it writes to. */
export function backupScope(runbook: RunbookCoverageInfo, options: BackUpOptions): { servers: string[]; tapes: string[] } {
    const blocks = runbook.backups.filter(b => !options.policy || b.name === options.policy)
        .filter(b => !options.servers?.length || b.servers.some(s => options.servers!.includes(s)));
    const servers = [...new Set(blocks.flatMap(b => b.servers))].filter(s => !options.servers?.length || options.servers.includes(s));
    const tapes = [...new Set(blocks.map(b => b.tape).filter((t): t is string => t !== undefined))];
    return { servers, tapes };
}

function askBeforeStopping(target: RunbookTarget, options: BackUpOptions): Thenable<string | undefined> {
    const { servers, tapes } = backupScope(target.runbook, options);
    const what = options.policy ? `Back up ${options.policy}` : 'Run every backup';
    return prompter().ask({
        message: `${what} of ${target.label}? This stops ${servers.length ? listNames(servers) : 'no server'}.`,
        detail: `Each application is stopped while its data is archived${tapes.length ? ` to ${listNames(tapes)}` : ''} and started again ` +
            'right after, also when the archive fails or the run is cancelled. Show Plan lists every step without running anything.',
        buttons: [BACK_UP, SHOW_PLAN]
    });
}
