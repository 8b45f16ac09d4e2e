/**
 * `backplan history RUNBOOK [--format text|json|svg]`: the runbook's journal as a table of
 * runs (or JSON), or as the picture *Show History* draws (svg: per server of the backup
 * blocks, archive size, duration and stop window over the last runs, and the drills). A run
 * that was killed shows as `interrupted` (or `unfinished` while its process lives); each
 * server says how long its application was down (its stop window). A drill run lists
 * each server's drill: passed or failed, the archive, the recovery time.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { buildHistory, deliveryWarning, HISTORY_RUNS, processAlive, renderHistorySvg, type JournalRecord, type NotifyRecord } from '@backplan/engine';
import { UsageError } from '../cli-error.js';
import type { CommandContext } from './command-support.js';
import { addRunFlags, loadForRun, planOrFail, RUN_FORMATS, table, withRun, writeJson, type RunFlags } from './run-support.js';

const FORMATS = [...RUN_FORMATS, 'svg'] as const;

type HistoryFlags = Omit<RunFlags, 'format'> & { format: typeof FORMATS[number]; policy?: string; limit?: string };

interface RunSummary {
    run: string;
    verb: string;
    command: string;
    /** The process that ran it (an editor finds the run it started by this). */
    pid: number;
    started: string;
    ended?: string;
    state: 'ok' | 'failed' | 'interrupted' | 'running' | 'unfinished';
    error?: string;
    /** Per server: its steps (a stop's `stopped` is false when its command never ran, exit 126/127: no start was owed), and how long its application was down (stop begun → up again), in seconds. */
    servers: Array<{ server: string; stopWindow?: number; steps: Array<{ step: string; ok?: boolean; stopped?: boolean; error?: string; time: string }> }>;
    recovered: Array<{ server: string; ok: boolean; time: string; by: string }>;
    /** Prune: per tape, what it removed. */
    tapes: Array<{ tape: string; ok?: boolean; removed: string[]; error?: string }>;
    /** Swaps a later command finished or rolled back for this (killed) run. */
    swaps: Array<{ server: string; action: 'finished' | 'rolled-back'; ok: boolean; by?: string; error?: string }>;
    /** Set-aside copies the run left after its swap: open while on the host, removed once recovery removed them. */
    leftovers: Array<{ server: string; host: string; path: string; state: 'open' | 'removed'; error?: string }>;
    /** The run's notifications (`notify` blocks), delivered or not. */
    notifications: Array<Pick<NotifyRecord, 'notify' | 'target' | 'event' | 'policy' | 'ok' | 'error'>>;
    /** Drill runs: each server's drill (the `drill` records). */
    drills: Array<{ drill: string; server: string; ok: boolean; archive?: string; recoverySeconds?: number; test?: boolean; error?: string }>;
}

/** Registers `history`. */
export function registerHistory(program: Command, context: CommandContext): void {
    addRunFlags(program.command('history')
        .description('show the runs of a runbook from its journal (svg: as a picture)')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--policy <name>', 'svg: this backup block only (default: every backup block)')
        .option('--limit <runs>', `svg: the last N backup runs (default ${HISTORY_RUNS})`), FORMATS)
        .action(context.action(async (file: string, flags: HistoryFlags) => {
            const runFlags: RunFlags = { ...flags, format: flags.format === 'json' ? 'json' : 'text' };
            const { model } = await loadForRun(file, 'history', runFlags);
            const limit = flags.limit === undefined ? undefined : runLimit(flags.limit);
            const { journal, records } = await withRun(file, runFlags, async ({ journal }) => ({ journal, records: await journal.read() }), { interrupts: false });
            if (flags.format === 'svg') {
                process.stdout.write(renderHistorySvg(planOrFail(() => buildHistory(model, records, { policy: flags.policy, limit })), path.basename(file)));
                return 0;
            }
            const runs = summarize(records);
            if (flags.format === 'json') {
                writeJson({ version: 1, journal: journal.file, runs });
                return 0;
            }
            writeTable(runs);
            return 0;
        }));
}

function writeTable(runs: readonly RunSummary[]): void {
    if (runs.length === 0) {
        process.stdout.write('No runs yet.\n');
        return;
    }
    process.stdout.write(table(['RUN', 'VERB', 'STARTED', 'ENDED', 'RESULT', 'SERVERS'], runs.map(r => [
        r.run, r.verb, r.started, r.ended ?? '-', r.state,
        r.servers.map(serverCell).join(', ') || '-'
    ])));
    for (const r of runs.filter(r => r.error)) process.stdout.write(`${r.run}: ${r.error}\n`);
    for (const r of runs) for (const s of r.swaps) process.stdout.write(`${r.run}: the swap of ${s.server} was ${s.action === 'finished' ? 'finished' : 'rolled back'} by a later command${s.ok ? '' : ` (FAILED: ${s.error})`}\n`);
    for (const r of runs) for (const l of r.leftovers.filter(x => x.state === 'open')) process.stdout.write(`${r.run}: leftover ${l.host}:${l.path} of ${l.server} (open${l.error ? `: ${l.error}` : ''})\n`);
    for (const r of runs) for (const t of r.tapes) process.stdout.write(`${r.run}: tape ${t.tape}: removed ${t.removed.join(', ') || 'nothing'}\n`);
    for (const r of runs) for (const n of r.notifications.filter(x => !x.ok)) process.stdout.write(`${r.run}: ${deliveryWarning(n)}\n`);
    for (const r of runs) for (const d of r.drills) process.stdout.write(`${r.run}: ${drillLine(d)}\n`);
}

/** `--limit N`: a whole number ≥ 1 (a usage error otherwise). */
function runLimit(text: string): number {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1) throw new UsageError(`--limit takes a whole number of runs ≥ 1, not "${text}"`);
    return n;
}

/** `Mail1 (down 0.8 s)`, `Cat2 (failed)`. */
function serverCell(s: RunSummary['servers'][number]): string {
    const notes = [s.stopWindow !== undefined ? `down ${s.stopWindow.toFixed(1)} s` : undefined, s.steps.some(st => st.ok === false) ? 'failed' : undefined].filter(Boolean);
    return `${s.server}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

function summarize(records: readonly JournalRecord[]): RunSummary[] {
    const runs = new Map<string, RunSummary>();
    for (const rec of records) {
        if (rec.type === 'run' && rec.event === 'begin') {
            const alive = rec.host === os.hostname() && processAlive(rec.pid);
            runs.set(rec.run, { run: rec.run, verb: rec.verb, command: rec.command, pid: rec.pid, started: rec.time, state: alive ? 'running' : 'unfinished', servers: [], recovered: [], tapes: [], swaps: [], leftovers: [], notifications: [], drills: [] });
            continue;
        }
        const run = runs.get(rec.run);
        if (!run) continue;
        if (rec.type === 'run') {
            run.ended = rec.time;
            run.state = rec.interrupted ? 'interrupted' : rec.ok ? 'ok' : 'failed';
            run.error = rec.error;
        } else if (rec.type === 'drill') {
            run.drills.push({ drill: rec.drill, server: rec.server, ok: rec.ok, archive: rec.archive, recoverySeconds: rec.recoverySeconds, test: rec.test?.ok, error: rec.error });
        } else if (rec.type === 'recover') {
            run.recovered.push({ server: rec.server, ok: rec.ok, time: rec.time, by: rec.by });
        } else if (rec.type === 'swap' && (rec.event === 'finished' || rec.event === 'rolled-back')) {
            run.swaps.push({ server: rec.server, action: rec.event, ok: rec.ok === true, by: rec.by, error: rec.error });
        } else if (rec.type === 'leftover') {
            // The latest word on each path wins: open, then removed by a later command.
            run.leftovers = [...run.leftovers.filter(l => l.path !== rec.path), { server: rec.server, host: rec.host, path: rec.path, state: rec.state, error: rec.error }];
        } else if (rec.type === 'notify') {
            run.notifications.push({ notify: rec.notify, target: rec.target, event: rec.event, policy: rec.policy, ok: rec.ok, error: rec.error });
        } else if (rec.type === 'step' && rec.step === 'prune' && rec.tape && rec.event === 'end') {
            run.tapes.push({ tape: rec.tape, ok: rec.ok, removed: rec.removed ?? [], error: rec.error });
        } else if (rec.type === 'step' && rec.server && rec.event === 'end') {
            let s = run.servers.find(x => x.server === rec.server);
            if (!s) run.servers.push(s = { server: rec.server, steps: [] });
            s.steps.push({ step: rec.step, ok: rec.ok, stopped: rec.step === 'stop' ? rec.stopped : undefined, error: rec.error, time: rec.time });
            if (rec.step === 'start' && rec.window !== undefined) s.stopWindow = (s.stopWindow ?? 0) + rec.window;
        } else if (rec.type === 'step' && rec.server && !run.servers.some(x => x.server === rec.server)) {
            run.servers.push({ server: rec.server, steps: [] });
        }
    }
    return [...runs.values()];
}

/** `drill Weekly Mail1 passed: archive X, verified copy in 3.2 s, test passed` */
function drillLine(d: RunSummary['drills'][number]): string {
    const copy = d.recoverySeconds !== undefined ? `, verified copy in ${d.recoverySeconds.toFixed(1)} s` : '';
    const test = d.test === undefined ? '' : d.test ? ', test passed' : ', test FAILED';
    return `drill ${d.drill} ${d.server} ${d.ok ? 'passed' : 'FAILED'}: archive ${d.archive ?? 'none'}${copy}${test}${d.ok || !d.error ? '' : ` (${d.error})`}`;
}
