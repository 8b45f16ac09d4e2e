/**
 * `backplan unlock RUNBOOK [--tape NAME]`: remove a tape's lock after the admin has
 * checked that its holder (typically on another host) is really gone. A lock held by a
 * live process on this host is not removed.
 */
import * as os from 'node:os';
import type { Command } from 'commander';
import { describeHolder, processAlive, TapeLock } from '@backplan/engine';
import { FailedError } from '../cli-error.js';
import type { CommandContext } from './command-support.js';
import { addRunFlags, chooseTapes, loadForRun, writeJson, type RunFlags } from './run-support.js';

interface UnlockFlags extends RunFlags { tape?: string }

/** Registers `unlock`. */
export function registerUnlock(program: Command, context: CommandContext): void {
    addRunFlags(program.command('unlock')
        .description('remove a tape lock left by a run on another host')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--tape <name>', 'only this tape'))
        .action(context.action(async (file: string, flags: UnlockFlags) => {
            const ctx = await loadForRun(file, 'unlock', flags);
            const results: Array<{ tape: string; removed: boolean; holder?: unknown; reason?: string }> = [];
            for (const tape of chooseTapes(ctx.model, flags.tape)) {
                const holder = await TapeLock.read(tape.root);
                if (holder === undefined) { results.push({ tape: tape.name, removed: false, reason: 'not locked' }); continue; }
                if (holder !== 'unreadable' && holder.host === os.hostname() && processAlive(holder.pid)) {
                    results.push({ tape: tape.name, removed: false, holder, reason: `held by a running process: ${describeHolder(holder)}` });
                    continue;
                }
                await TapeLock.forceRemove(tape.root);
                results.push({ tape: tape.name, removed: true, holder });
            }
            if (flags.format === 'json') writeJson({ version: 1, tapes: results });
            else {
                for (const r of results) {
                    process.stdout.write(r.removed ? `tape ${r.tape}: removed the lock of ${describeHolder(r.holder === 'unreadable' ? undefined : r.holder as never)}\n` : `tape ${r.tape}: ${r.reason}\n`);
                }
            }
            if (results.some(r => !r.removed && r.holder)) throw new FailedError('a lock is held by a running process on this host; it was left alone');
            return 0;
        }));
}
