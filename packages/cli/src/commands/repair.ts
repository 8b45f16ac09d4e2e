/**
 * `backplan repair RUNBOOK [--command-timeout SECONDS]`: what every command does first
 * (DESIGN §4, §8), alone — start every application an interrupted run stopped and did not
 * start (with the runbook's current start command), finish or roll back its half-done
 * swap, remove its staging, close it in the journal — and say what was done. systemd's
 * `ExecStopPost=` runs it after every scheduled run.
 * Exit 0: nothing was left, or all of it was repaired; 1: something is still left; 2: usage.
 */
import type { Command } from 'commander';
import type { RecoveredRun, RecoveryResult } from '@backplan/engine';
import { painter } from '../terminal.js';
import type { CommandContext } from './command-support.js';
import { addRunFlags, commandTimeoutMs, loadForRepair, withRun, writeJson, type RunFlags, type StoppingFlags } from './run-support.js';

type RepairFlags = RunFlags & Pick<StoppingFlags, 'commandTimeout'>;

/** Registers `repair`. */
export function registerRepair(program: Command, context: CommandContext): void {
    addRunFlags(program.command('repair')
        .description('start every application a killed or failed run left stopped, remove its staging, close the run')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--command-timeout <seconds>', 'kill a start command after this long (default 600, or BACKPLAN_COMMAND_TIMEOUT)'))
        .action(context.action(async (file: string, flags: RepairFlags) => {
            commandTimeoutMs(flags.commandTimeout);
            const ctx = await loadForRepair(file, m => process.stderr.write(`backplan: ${m}\n`));
            const result = await withRun(ctx ?? file, flags, async ({ recovered }) => recovered!, { interrupts: false });
            const ok = result.runs.every(r => r.failed.length === 0);
            if (flags.format === 'json') writeJson({ version: 1, ok, runs: result.runs.map(r => ({ ...r, closed: closed(r) })) });
            else process.stdout.write(renderRepair(result, ok));
            return ok ? 0 : 1;
        }));
}

/** Whether the repair closed the run (a killed run all of whose leftovers were dealt with). */
function closed(r: RecoveredRun): boolean {
    return !r.ended && r.failed.length === 0;
}

function renderRepair(result: RecoveryResult, ok: boolean): string {
    if (result.runs.length === 0) return 'Nothing to repair.\n';
    const paint = painter(process.stdout);
    const lines: string[] = [];
    for (const r of result.runs) {
        const what = r.ended ? 'ended with applications stopped' : 'was killed';
        lines.push(`run ${r.run} ${what}:`);
        for (const s of r.swaps) lines.push(`  ${s.action === 'finished' ? 'finished' : 'rolled back'} the swap of ${s.server} (${s.folders.join(', ')})`);
        for (const s of r.started) lines.push(`  ${paint('green', 'started')} ${s}`);
        for (const p of r.removed) lines.push(`  removed ${p}`);
        for (const f of r.failed) lines.push(`  ${paint('red', 'FAILED')}  ${f.server}: ${f.error}`);
        if (closed(r)) lines.push('  closed in the journal as interrupted');
    }
    lines.push(ok ? 'Repaired.' : 'Not everything could be repaired: fix the cause above and run `backplan repair` again.');
    return lines.join('\n') + '\n';
}
