/**
 * `backplan verify RUNBOOK [--tape NAME] [--archive ID]`: re-read archives and check the
 * archive hash and every file's hash against the manifest; on restic tapes `restic check
 * --read-data` and each snapshot's manifest against restic's listing (engine
 * restic/restic-verify.ts). Exit 1 on any mismatch, a missing or truncated archive, a
 * manifest without archive, or a restic repository that could not be read.
 */
import type { Command } from 'commander';
import { verifyResticTapes, verifyTapes, type VerifyOutcome } from '@backplan/engine';
import { painter } from '../terminal.js';
import type { CommandContext } from './command-support.js';
import { addRunFlags, chooseResticTapes, chooseTapes, loadForRun, resticAccess, withRun, writeJson, type RunFlags } from './run-support.js';

interface VerifyFlags extends RunFlags { tape?: string; archive?: string }

/** Registers `verify`. */
export function registerVerify(program: Command, context: CommandContext): void {
    addRunFlags(program.command('verify')
        .description('re-read archives and check every hash against their manifests')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--tape <name>', 'only this tape')
        .option('--archive <id>', 'only this archive'))
        .action(context.action(async (file: string, flags: VerifyFlags) => {
            const ctx = await loadForRun(file, 'verify', flags);
            const tapes = chooseTapes(ctx.model, flags.tape);
            const resticTapes = chooseResticTapes(ctx.model, flags.tape);
            const { outcomes, interrupted } = await withRun(ctx, flags, async ({ reporter, signal, journal, interrupted: by }) => {
                const restic = resticTapes.length === 0 ? [] : await verifyResticTapes(resticTapes, { ...resticAccess(ctx.model, flags), archiveId: flags.archive, reporter, journal, signal });
                // --archive ID found on a restic tape: the folder tapes would only say they lack it.
                const found = flags.archive !== undefined && restic.some(o => o.id !== 'repository');
                const folder: VerifyOutcome[] = found || (tapes.length === 0 && resticTapes.length > 0 && flags.archive === undefined) ? []
                    : await verifyTapes(tapes, { archiveId: flags.archive, reporter, signal });
                return { outcomes: [...folder, ...restic], interrupted: by() !== undefined };
            });
            const ok = outcomes.every(o => o.ok) && !interrupted;
            if (flags.format === 'json') {
                writeJson({ version: 1, ok, archives: outcomes });
            } else {
                const paint = painter(process.stdout);
                for (const o of outcomes) {
                    process.stdout.write(o.pruned ? `skipped ${o.id} (${o.server}, tape ${o.tape}): pruned while verify ran\n`
                        : o.ok ? `${paint('green', 'ok')}      ${o.id} (${o.server}, tape ${o.tape})\n`
                        : `${paint('red', 'FAILED')}  ${o.id} (${o.server ?? '?'}, tape ${o.tape})\n${o.problems.map(p => `        ${p}\n`).join('')}`);
                }
                const bad = outcomes.filter(o => !o.ok).length;
                const checked = outcomes.filter(o => !o.pruned).length;
                process.stdout.write(outcomes.length === 0 ? 'No archives to verify.\n'
                    : bad ? `${bad} of ${checked} archives FAILED verification.\n` : `${checked} archive${checked === 1 ? '' : 's'} verified.\n`);
            }
            return ok ? 0 : 1;
        }));
}
