/**
 * Backplan: Show Plan — the `--dry-run` plan of a backup, restore or recover in a
 * read-only editor. Restore and Recover show it before asking for confirmation.
 */
import * as vscode from 'vscode';
import { displayCommand, runCli, type CliInvocation } from '../cli/cli-invocation';
import { refuseUntrusted, type Refused } from '../trust';
import type { CommandContext } from './command-context';
import { pickRunbook, type RunbookTarget } from './runbook-picker';

export type PlanVerb = 'backup' | 'restore' | 'recover';

export interface PlanResult {
    exitCode: number | null;
    text: string;
    document: vscode.TextDocument;
}

/** Runs the dry run and opens its output beside the runbook. */
export async function showPlanFor(ctx: CommandContext, target: RunbookTarget, verb: PlanVerb, args: string[], title: string): Promise<PlanResult> {
    const invocation: CliInvocation = { verb, targets: [target.relative], args: [...args, '--dry-run'], cwd: target.folder.uri.fsPath };
    const run = await vscode.window.withProgress({
        location: vscode.ProgressLocation.Notification,
        title: `Backplan: planning ${title}…`,
        cancellable: true
    }, (_progress, token) => runCli(invocation, target.folder.uri, token));
    const header = `# ${displayCommand(invocation, target.folder.uri)}\n# exit ${run.exitCode ?? '–'} · nothing was run: this is the plan\n\n`;
    const body = run.stdout + (run.stderr && run.exitCode !== 0 ? `\n${run.stderr}` : '');
    const text = header + body;
    const uri = ctx.plans.add(`${target.label} — ${title} plan`, text);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
    return { exitCode: run.exitCode, text, document };
}

export interface ShowPlanOptions {
    verb?: PlanVerb;
    policy?: string;
    servers?: string[];
    server?: string;
    from?: 'tape' | 'replica';
    lost?: string[];
}

/** The command: `backplan.showPlan(runbookUri?, options?)`. */
export async function showPlan(ctx: CommandContext, uri?: unknown, options: ShowPlanOptions = {}): Promise<PlanResult | Refused | undefined> {
    const refused = refuseUntrusted('Show Plan');
    if (refused) return refused;
    const target = await pickRunbook(ctx.coverage, uri, 'plan');
    if (!target) return undefined;
    let verb = options.verb;
    if (!verb) {
        const picked = await vscode.window.showQuickPick([
            { label: 'Backup', description: 'every backup block, in file order', verb: 'backup' as const },
            { label: 'Restore a server', description: 'from its newest verified archive or from replicas', verb: 'restore' as const },
            { label: 'Recover lost servers', description: 'several servers lost at once', verb: 'recover' as const }
        ], { placeHolder: 'Plan of…' });
        if (!picked) return undefined;
        verb = picked.verb;
    }
    const args: string[] = [];
    let title: string = verb;
    if (verb === 'backup') {
        if (options.policy) { args.push('--policy', options.policy); title = `backup ${options.policy}`; }
        for (const server of options.servers ?? []) args.push('--server', server);
    } else if (verb === 'restore') {
        const server = options.server ?? (await vscode.window.showQuickPick(target.runbook.servers.map(s => s.name), { placeHolder: 'Server to restore' }));
        if (!server) return undefined;
        args.push('--server', server);
        if (options.from) args.push('--from', options.from);
        title = `restore ${server}`;
    } else {
        const lost = options.lost ?? (await vscode.window.showQuickPick(target.runbook.servers.map(s => s.name), { placeHolder: 'Servers lost', canPickMany: true }));
        if (!lost || lost.length === 0) return undefined;
        args.push('--lost', lost.join(','));
        title = `recover ${lost.join(', ')}`;
    }
    return showPlanFor(ctx, target, verb, args, title);
}
