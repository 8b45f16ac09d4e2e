/**
 * Backplan: Restore Server… — picks the server and the source, shows the dry-run plan,
 * asks for confirmation (modal; the focused answer reviews the plan), then runs
 * `backplan restore` in a task terminal.
 */
import * as vscode from 'vscode';
import { runBackplanTask } from '../tasks/backplan-task-provider';
import type { RunResult } from '../tasks/cli-pseudoterminal';
import { refuseUntrusted, type Refused } from '../trust';
import type { CommandContext } from './command-context';
import { confirmAfterPlan } from './confirm-run';
import { pickRunbook, pickServer } from './runbook-picker';
import { showPlanFor } from './show-plan';

export interface RestoreOptions {
    server?: string;
    from?: 'tape' | 'replica';
    /** Restore into this empty folder instead of the server (a drill; no stop, no start). */
    target?: string;
}

export async function restoreServer(ctx: CommandContext, uri?: unknown, options: RestoreOptions = {}): Promise<RunResult | Refused | undefined> {
    const refused = refuseUntrusted('Restore Server');
    if (refused) return refused;
    const target = await pickRunbook(ctx.coverage, uri, 'restore from');
    if (!target) return undefined;
    const server = await pickServer(target.runbook, options.server, 'Server to restore');
    if (!server) return undefined;
    let from = options.from;
    const holdsFolders = target.runbook.items.some(i => i.kind === 'folder' && i.servers.some(s => s.name === server.name));
    if (!from && holdsFolders) {
        const picked = await vscode.window.showQuickPick([
            { label: 'From tape', description: 'the newest verified archive', from: 'tape' as const },
            { label: 'From replicas', description: 'copy each folder from another server that holds it', from: 'replica' as const }
        ], { placeHolder: `Restore ${server.name} from…` });
        if (!picked) return undefined;
        from = picked.from;
    }
    const args = ['--server', server.name];
    if (from) args.push('--from', from);
    if (options.target) args.push('--target', options.target);
    const title = `restore ${server.name}${from ? ` from ${from}` : ''}`;
    const plan = await showPlanFor(ctx, target, 'restore', args, title);
    if (plan.exitCode !== 0) {
        void vscode.window.showErrorMessage(`Backplan: the ${title} cannot run: see the plan for why.`);
        return undefined;
    }
    const detail = options.target
        ? `Restores ${server.name}'s data into ${options.target}; the server itself is not touched.`
        : `This stops ${server.name}'s application, moves its data folder aside, ${from === 'replica'
            ? 'copies each folder from another server that holds it (stopping that server briefly for a consistent copy, one at a time)'
            : 'extracts and verifies the copy'}, swaps it into place and starts the application again. The plan is open beside the runbook.`;
    const run = `Restore ${server.name}`;
    if (await confirmAfterPlan(plan, `Restore ${server.name} (${target.label})?`, detail, [run]) !== run) return undefined;
    return runBackplanTask({ type: 'backplan', command: 'restore', runbook: target.relative, args }, target.folder, `${title} (${target.label})`);
}
