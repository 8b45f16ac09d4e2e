/**
 * `backplan prune RUNBOOK [--tape NAME] [--dry-run] [--wait]`: apply each tape's `keep`
 * (restic semantics, per server; the newest verified archive of a server always stays)
 * and remove garbage (archives without manifest, temporary files). Removes manifest
 * first, then the archive. Journalled (engine retention/prune-run.ts): `history` lists it.
 */
import type { Command } from 'commander';
import type { RunbookModel } from '@backplan/language/model';
import {
    folderPruneJob, planPrune, pruneResticTape, resticRemoved, resticTapeStore, runPruneJobs, tapePlaces, TapeLock,
    type Journal, type PruneJob, type PrunePlan, type Reporter, type ResticPrunePlan
} from '@backplan/engine';
import { FailedError } from '../cli-error.js';
import type { CommandContext } from './command-support.js';
import { addRunFlags, chooseResticTapes, chooseTapes, commandLine, loadForRun, resticAccess, withRun, writeJson, type RunFlags } from './run-support.js';

interface PruneFlags extends RunFlags { tape?: string; dryRun?: boolean; wait?: boolean }

/** What a prune of one tape of either kind says: what it keeps (and why), removes, and its garbage. */
interface TapeResult {
    tape: string;
    keep: Array<{ id: string; server: string; reasons: readonly string[] }>;
    remove: Array<{ id: string; server: string }>;
    garbage: string[];
    restic: boolean;
}

function folderResult(p: PrunePlan): TapeResult {
    return {
        tape: p.tape, restic: false, garbage: p.garbage,
        keep: p.decisions.filter(d => d.keep).map(d => ({ id: d.item.id, server: d.item.server, reasons: d.reasons })),
        remove: p.decisions.filter(d => !d.keep).map(d => ({ id: d.item.id, server: d.item.server }))
    };
}

function resticResult(p: ResticPrunePlan): TapeResult {
    return { tape: p.tape, restic: true, keep: p.keep, remove: p.remove, garbage: p.garbage };
}

/** A tape's prune, and what it would do (`--dry-run`: decides, removes nothing, takes no lock). */
type TapeJob = PruneJob<TapeResult> & { dry(): Promise<TapeResult> };

/** The prune of each chosen tape, folder tapes first (restic tapes: engine restic/restic-prune.ts). */
function pruneJobs(model: RunbookModel, flags: PruneFlags, journal: Journal, reporter: Reporter, signal: AbortSignal): TapeJob[] {
    const folder = chooseTapes(model, flags.tape).map(tape => {
        const keep = model.tapes.find(t => t.name === tape.name)!.keep;
        const job = folderPruneJob(tape, keep);
        return {
            tape, dry: async () => folderResult(await planPrune(tape, keep)),
            prune: async () => { const r = await job.prune(); return { plan: folderResult(r.plan), removed: r.removed }; }
        };
    });
    const access = resticAccess(model, flags);
    const restic = chooseResticTapes(model, flags.tape).map(tape => {
        const run = (dryRun: boolean): Promise<ResticPrunePlan> =>
            pruneResticTape(tape, tapePlaces(model, tape, access.hostFor, access.run), { dryRun, journal, notice: m => reporter.notice(`backplan: ${m}`), signal });
        return {
            tape: resticTapeStore(tape, access.stateDir), dry: async () => resticResult(await run(true)),
            prune: async () => { const plan = await run(false); return { plan: resticResult(plan), removed: resticRemoved(plan) }; }
        };
    });
    return [...folder, ...restic];
}

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
            const results: TapeResult[] = await withRun(ctx, flags, async ({ reporter, signal, journal }) => {
                const jobs = pruneJobs(ctx.model, flags, journal, reporter, signal);
                if (flags.dryRun) {
                    const out: TapeResult[] = [];
                    for (const job of jobs) out.push(await job.dry());
                    return out;
                }
                return runPruneJobs({
                    journal, command: commandLine(), runbookPath: ctx.model.root.fsPath, jobs,
                    lock: async tape => {
                        await tape.ensure().catch(() => undefined);
                        return TapeLock.acquire(tape.name, tape.root, { command: commandLine(), wait: flags.wait, notice: m => reporter.notice(`backplan: ${m}`), signal })
                            .catch((err: Error) => { throw new FailedError(err.message); });
                    }
                });
            }, { recover: !flags.dryRun, interrupts: !flags.dryRun });
            if (flags.format === 'json') {
                writeJson({ version: 1, dryRun: flags.dryRun === true, tapes: results.map(({ restic, ...r }) => ({ ...r, kind: restic ? 'restic' : 'folder' })) });
                return 0;
            }
            const verb = flags.dryRun ? 'would remove' : 'removed';
            for (const p of results) {
                process.stdout.write(`tape ${p.tape}:${p.restic ? ' (restic: its own forget decides, per server)' : ''}\n`);
                for (const k of p.keep) process.stdout.write(`  keep          ${k.id} (${k.reasons.join(', ')})\n`);
                for (const r of p.remove) process.stdout.write(`  ${verb.padEnd(13)} ${r.id}\n`);
                for (const g of p.garbage) process.stdout.write(`  ${verb.padEnd(13)} ${g} (no manifest: incomplete)\n`);
                if (p.keep.length === 0 && p.remove.length === 0 && p.garbage.length === 0) process.stdout.write('  nothing on this tape\n');
            }
            return 0;
        }));
}
