/**
 * What a finished run did to each application, read from the journal rather than guessed
 * from the run's output, so that the terminal and the notification say what really
 * happened. The journal is read through `backplan history RUNBOOK --format json`; the run
 * is the one our process started (its `pid`).
 *
 *   per server of the run, from its steps:
 *     stop whose command never ran (stopped: false)      → never stopped
 *     no stop, but a failed pre-flight                   → never stopped
 *     stop, then a start that succeeded                  → stopped and started again
 *     stop, then a failed start, or no start at all      → NOT running
 *     neither stop nor failed pre-flight                 → not mentioned (a drill, a verify)
 *   no run of our pid in the journal                     → nothing was stopped (a run is
 *                                                          journalled before its first stop)
 *   history unreadable                                   → unknown: nothing is claimed
 */
import type * as vscode from 'vscode';
import { runCli, type CliInvocation, type Verb } from '../cli/cli-invocation';
import { listNames } from '../ui/text';

/** The verbs that stop applications. */
export const STOPPING_VERBS: ReadonlySet<Verb> = new Set(['backup', 'restore', 'recover']);

/** The part of `backplan history --format json` read here (packages/cli/src/commands/history.ts). */
interface HistoryStep { step: string; ok?: boolean; stopped?: boolean; error?: string }
interface HistoryRun { run: string; pid?: number; state: string; servers: Array<{ server: string; steps: HistoryStep[] }> }

export type Fate = 'never-stopped' | 'restarted' | 'down';

export interface ApplicationFate {
    server: string;
    fate: Fate;
    /** Why it was never stopped, or why it is down. */
    error?: string;
}

export interface RunOutcome {
    /** The run's ID; undefined when the journal holds no run of the process (it never began). */
    run?: string;
    fates: ApplicationFate[];
}

/** One server's fate from its steps, or undefined when the run never meant to stop it. */
export function fateOf(server: string, steps: readonly HistoryStep[]): ApplicationFate | undefined {
    const stop = steps.filter(s => s.step === 'stop').at(-1);
    if (!stop) {
        const preflight = steps.find(s => s.step === 'preflight' && s.ok === false);
        return preflight && { server, fate: 'never-stopped', error: preflight.error };
    }
    if (stop.stopped === false) return { server, fate: 'never-stopped', error: stop.error };
    const start = steps.filter(s => s.step === 'start').at(-1);
    if (start?.ok) return { server, fate: 'restarted' };
    return { server, fate: 'down', error: start?.error ?? 'no start was recorded after its stop' };
}

/** Reads the outcome of the run process `pid` started; undefined when the journal cannot be read. */
export async function readRunOutcome(invocation: CliInvocation, scope: vscode.Uri | undefined, pid: number): Promise<RunOutcome | undefined> {
    // The run's own --state (a tasks.json argument) wins over the setting, as it did for the run.
    const state = invocation.args.indexOf('--state');
    const args = ['--format', 'json', ...state >= 0 ? invocation.args.slice(state, state + 2) : []];
    const history = await runCli({ verb: 'history', targets: invocation.targets, args, cwd: invocation.cwd }, scope)
        .catch(() => undefined);
    if (!history || history.exitCode !== 0) return undefined;
    let runs: HistoryRun[];
    try {
        runs = (JSON.parse(history.stdout) as { runs: HistoryRun[] }).runs;
    } catch {
        return undefined;
    }
    const run = runs.filter(r => r.pid === pid).at(-1);
    if (!run) return { fates: [] };
    const fates = run.servers.map(s => fateOf(s.server, s.steps)).filter((f): f is ApplicationFate => f !== undefined);
    return { run: run.run, fates };
}

function names(fates: readonly ApplicationFate[]): string {
    return listNames(fates.map(f => f.server));
}

/** The first reason of a group, short enough for a notification. */
function firstReason(fates: readonly ApplicationFate[]): string {
    const reason = fates.find(f => f.error)?.error;
    if (!reason) return '';
    const text = `${fates.length > 1 ? `${fates.find(f => f.error)!.server}: ` : ''}${reason.split('\n')[0]}`;
    return ` (${text.length > 140 ? `${text.slice(0, 139)}…` : text})`;
}

/**
 * What happened to the applications, in one sentence: those left down first (they need
 * the reader), then those never stopped, then those stopped and started again.
 */
export function describeFates(outcome: RunOutcome, options: { reasons?: boolean } = {}): string {
    const group = (fate: Fate) => outcome.fates.filter(f => f.fate === fate);
    const down = group('down');
    const never = group('never-stopped');
    const restarted = group('restarted');
    const reason = (fates: ApplicationFate[]) => options.reasons ? firstReason(fates) : '';
    const parts: string[] = [];
    if (down.length) parts.push(`${names(down)} ${down.length === 1 ? 'is' : 'are'} NOT running: start ${down.length === 1 ? 'it' : 'them'} by hand${reason(down)}`);
    if (never.length) parts.push(`${names(never)} ${never.length === 1 ? 'was' : 'were'} never stopped${reason(never)}`);
    if (restarted.length) parts.push(`${names(restarted)} ${restarted.length === 1 ? 'was' : 'were'} stopped and started again`);
    if (parts.length === 0) return 'no application was stopped';
    return parts.join('; ');
}

/** Whether the run left an application down. */
export function leftDown(outcome: RunOutcome | undefined): boolean {
    return outcome?.fates.some(f => f.fate === 'down') ?? false;
}
