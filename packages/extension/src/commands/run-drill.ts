/**
 * Backplan: Run Drill… — runs `backplan drill` for every drill block of a runbook or one
 * (`--policy`) in a task terminal: archives restored into scratch, checked, tested. No
 * confirmation: a drill never stops anything or touches live data.
 */
import * as vscode from 'vscode';
import { runBackplanTask } from '../tasks/backplan-task-provider';
import type { RunResult } from '../tasks/cli-pseudoterminal';
import { refuseUntrusted, type Refused } from '../trust';
import type { CommandContext } from './command-context';
import { pickRunbook } from './runbook-picker';

export interface DrillOptions {
    /** A drill block's name. */
    policy?: string;
    /** Keep the restored copies (`--keep`). */
    keep?: boolean;
}

export async function runDrill(ctx: CommandContext, uri?: unknown, options?: DrillOptions): Promise<RunResult | Refused | undefined> {
    const refused = refuseUntrusted('Run Drill');
    if (refused) return refused;
    const target = await pickRunbook(ctx.coverage, uri, 'drill');
    if (!target) return undefined;
    const drills = target.runbook.drills ?? [];
    if (drills.length === 0 && !options) {
        void vscode.window.showInformationMessage(`Backplan: ${target.label} has no drill block. Add one, such as \`drill Weekly { from TAPE }\`, to restore its archives into scratch and test them.`);
        return undefined;
    }
    let chosen = options;
    if (!chosen) {
        const picked = await vscode.window.showQuickPick([
            { label: 'All drills', description: drills.map(d => d.name).join(', '), detail: 'every drill block, in file order', options: {} as DrillOptions },
            ...drills.map(d => ({
                label: d.name,
                description: `${d.servers.join(', ') || 'no servers'} ← ${d.tape ?? 'no tape'}, ${d.pick}`,
                detail: d.schedule ? `scheduled: ${d.schedule}` : undefined,
                options: { policy: d.name } as DrillOptions
            }))
        ], { placeHolder: `Drill ${target.label}: restore into scratch, check every file, run the test` });
        if (!picked) return undefined;
        chosen = picked.options;
    }
    const args: string[] = [];
    if (chosen.policy) args.push('--policy', chosen.policy);
    if (chosen.keep) args.push('--keep');
    const what = chosen.policy ? `drill ${chosen.policy}` : 'drills';
    return runBackplanTask({ type: 'backplan', command: 'drill', runbook: target.relative, args }, target.folder, `${what} of ${target.label}`);
}
