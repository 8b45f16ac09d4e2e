/**
 * `backplan unlock RUNBOOK [--tape NAME]`: remove a tape's lock after the admin has
 * checked that its holder (typically on another host) is really gone. A lock held by a
 * live process on this host is not removed. A restic tape: its Backplan lock (in the
 * state folder) the same way, then, from each place of the repository, restic's stale
 * locks with `restic unlock` when the journal shows no live run (never --remove-all: a
 * restic lock held by a live process on another machine stays).
 */
import * as os from 'node:os';
import type { Command } from 'commander';
import { describeHolder, Journal, processAlive, removeStaleLocks, resticTapeStore, tapePlaces, TapeLock, type TapeStore } from '@backplan/engine';
import { FailedError } from '../cli-error.js';
import type { CommandContext } from './command-support.js';
import { addRunFlags, chooseResticTapes, chooseTapes, loadForRun, resticAccess, writeJson, type RunFlags } from './run-support.js';

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
            const access = resticAccess(ctx.model, flags);
            const resticTapes = chooseResticTapes(ctx.model, flags.tape);
            const stores: TapeStore[] = [...chooseTapes(ctx.model, flags.tape), ...resticTapes.map(t => resticTapeStore(t, access.stateDir))];
            for (const tape of stores) {
                const holder = await TapeLock.read(tape.root);
                if (holder === undefined) { results.push({ tape: tape.name, removed: false, reason: 'not locked' }); continue; }
                if (holder !== 'unreadable' && holder.host === os.hostname() && processAlive(holder.pid)) {
                    results.push({ tape: tape.name, removed: false, holder, reason: `held by a running process: ${describeHolder(holder)}` });
                    continue;
                }
                await TapeLock.forceRemove(tape.root);
                results.push({ tape: tape.name, removed: true, holder });
            }
            const journal = Journal.forRunbook(access.stateDir, file);
            for (const tape of resticTapes) {
                for (const place of tapePlaces(ctx.model, tape, access.hostFor, access.run)) {
                    const r = await removeStaleLocks(place.repo, journal, undefined, m => process.stderr.write(`backplan: ${m}\n`))
                        .catch((err: Error) => ({ removed: 0, kept: err.message }));
                    results.push({ tape: tape.name, removed: r.removed > 0, reason: r.kept ?? `restic on ${place.host.label}: ${r.removed} stale restic lock${r.removed === 1 ? '' : 's'} removed` });
                }
            }
            if (flags.format === 'json') writeJson({ version: 1, tapes: results });
            else {
                for (const r of results) {
                    process.stdout.write(r.removed && r.holder !== undefined ? `tape ${r.tape}: removed the lock of ${describeHolder(r.holder === 'unreadable' ? undefined : r.holder as never)}\n` : `tape ${r.tape}: ${r.reason}\n`);
                }
            }
            if (results.some(r => !r.removed && r.holder)) throw new FailedError('a lock is held by a running process on this host; it was left alone');
            return 0;
        }));
}
