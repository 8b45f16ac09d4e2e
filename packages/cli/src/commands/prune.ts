/**
 * `backplan prune RUNBOOK [--tape NAME] [--dry-run] [--wait]`: apply each tape's `keep`
 * (restic semantics, per server; the newest verified archive of a server always stays)
 * and remove garbage (archives without manifest, temporary files). Removes manifest
 * first, then the archive. Journalled (engine retention/prune-run.ts): `history` lists it.
 */
import type { Command } from 'commander';
import { planPrune, runPrune, TapeLock, type PrunePlan } from '@backplan/engine';
import { FailedError } from '../cli-error.js';
import type { CommandContext } from './command-support.js';
import { addRunFlags, chooseTapes, commandLine, loadForRun, withRun, writeJson, type RunFlags } from './run-support.js';

interface PruneFlags extends RunFlags { tape?: string; dryRun?: boolean; wait?: boolean }

/** Registers `prune`. */
export function registerPrune(program: Command, context: CommandContext): void {
    addRunFlags(program.command('prune')
        .description('remove archives that the tapes\' keep rules no longer keep')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--tape <name>', 'only this tape')
        .option('--dry-run', 'list what would be removed and remove nothing')
        .option('--wait', 'wait for a locked tape instead of failing'))
        .action(context.action(async (file: string, flags: PruneFlags) => {
            const ctx = await loadForRun(file, 'prune', flags);
            const tapes = chooseTapes(ctx.model, flags.tape);
            const plans: PrunePlan[] = await withRun(ctx, flags, async ({ reporter, signal, journal }) => {
                const chosen = tapes.map(tape => ({ tape, keep: ctx.model.tapes.find(t => t.name === tape.name)!.keep }));
                if (flags.dryRun) return Promise.all(chosen.map(c => planPrune(c.tape, c.keep)));
                return runPrune({
                    journal, command: commandLine(), runbookPath: ctx.model.root.fsPath, tapes: chosen,
                    lock: tape => TapeLock.acquire(tape.name, tape.root, { command: commandLine(), wait: flags.wait, notice: m => reporter.notice(`backplan: ${m}`), signal })
                        .catch((err: Error) => { throw new FailedError(err.message); })
                });
            }, { recover: !flags.dryRun, interrupts: !flags.dryRun });
            if (flags.format === 'json') {
                writeJson({
                    version: 1, dryRun: flags.dryRun === true,
                    tapes: plans.map(p => ({
                        tape: p.tape,
                        keep: p.decisions.filter(d => d.keep).map(d => ({ id: d.item.id, server: d.item.server, reasons: d.reasons })),
                        remove: p.decisions.filter(d => !d.keep).map(d => ({ id: d.item.id, server: d.item.server })),
                        garbage: p.garbage
                    }))
                });
                return 0;
            }
            const verb = flags.dryRun ? 'would remove' : 'removed';
            for (const p of plans) {
                process.stdout.write(`tape ${p.tape}:\n`);
                for (const d of p.decisions) {
                    process.stdout.write(d.keep ? `  keep          ${d.item.id} (${d.reasons.join(', ')})\n` : `  ${verb.padEnd(13)} ${d.item.id}\n`);
                }
                for (const g of p.garbage) process.stdout.write(`  ${verb.padEnd(13)} ${g} (no manifest: incomplete)\n`);
                if (p.decisions.length === 0 && p.garbage.length === 0) process.stdout.write('  nothing on this tape\n');
            }
            return 0;
        }));
}
