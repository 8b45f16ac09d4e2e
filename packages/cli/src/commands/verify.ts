/**
 * `backplan verify RUNBOOK [--tape NAME] [--archive ID]`: re-read archives and check the
 * archive hash and every file's hash against the manifest. Exit 1 on any mismatch, a
 * missing or truncated archive, or a manifest without archive.
 */
import type { Command } from 'commander';
import { verifyTapes } from '@backplan/engine';
import { painter } from '../terminal.js';
import type { CommandContext } from './command-support.js';
import { addRunFlags, chooseTapes, loadForRun, withRun, writeJson, type RunFlags } from './run-support.js';

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
            const { outcomes, interrupted } = await withRun(ctx, flags, async ({ reporter, signal, interrupted: by }) => ({
                outcomes: await verifyTapes(tapes, { archiveId: flags.archive, reporter, signal }),
                interrupted: by() !== undefined
            }));
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
