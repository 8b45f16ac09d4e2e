/**
 * Backplan: Recover… — several servers lost at once: pick them, show the dry-run plan (each
 * folder's source and the age of its data), confirm (modal; the focused answer reviews the
 * plan), run `backplan recover`.
 */
import * as vscode from 'vscode';
import { runBackplanTask } from '../tasks/backplan-task-provider';
import type { RunResult } from '../tasks/cli-pseudoterminal';
import { refuseUntrusted, type Refused } from '../trust';
import type { CommandContext } from './command-context';
import { confirmAfterPlan } from './confirm-run';
import { pickRunbook, pickServers } from './runbook-picker';
import { showPlanFor } from './show-plan';

export interface RecoverOptions {
    lost?: string[];
}

export async function recover(ctx: CommandContext, uri?: unknown, options: RecoverOptions = {}): Promise<RunResult | Refused | undefined> {
    const refused = refuseUntrusted('Recover');
    if (refused) return refused;
    const target = await pickRunbook(ctx.coverage, uri, 'recover');
    if (!target) return undefined;
    const lost = await pickServers(target.runbook, options.lost, 'Servers that were lost');
    if (!lost) return undefined;
    const names = lost.map(s => s.name);
    const args = ['--lost', names.join(',')];
    const title = `recover ${names.join(', ')}`;
    const plan = await showPlanFor(ctx, target, 'recover', args, title);
    const buttons = plan.exitCode === 0 ? ['Recover'] : plan.exitCode === 1 ? ['Recover, Accepting Loss'] : [];
    if (buttons.length === 0) {
        void vscode.window.showErrorMessage(`Backplan: the ${title} cannot run: see the plan for why.`);
        return undefined;
    }
    const detail = plan.exitCode === 0
        ? `Restores ${names.join(', ')} from their newest verified archives, then replicates each folder from live replicas. The plan is open beside the runbook.`
        : 'Some folders have no copy left (see the plan). Recovering restores everything that is still covered; the rest is lost.';
    const confirm = await confirmAfterPlan(plan, `Recover ${names.join(', ')} (${target.label})?`, detail, buttons);
    if (!confirm) return undefined;
    if (confirm !== 'Recover') args.push('--allow-loss');
    return runBackplanTask({ type: 'backplan', command: 'recover', runbook: target.relative, args }, target.folder, `${title} (${target.label})`);
}
