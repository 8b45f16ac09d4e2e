/**
 * Online dumps (DESIGN §10): a server with `dump` is backed up without a stop — the dump
 * command's stdout is the archive's content, one file; a restore loads it back with `load`
 * while the application is stopped.
 *
 *   dump:  journal dump-begin (cleanup: the `dump` sibling) → mkdir -m 700 SIBLING →
 *          { DUMP } > SIBLING/backplan.dump → the archive is made of SIBLING
 *   drop:  remove SIBLING (whatever happened: step-executor.ts brackets)
 *   load:  { LOAD } < FILE (restore/, with the application stopped)
 *
 * Interruption: a killed run leaves SIBLING; recovery removes it (its begin record names it).
 */
import type { ServerModel } from '@backplan/language/model';
import { DUMP_FILE } from '../archive/manifest.js';
import { commandFailure, commandTimeoutMs, type CommandResult, type Host } from '../hosts/host.js';
import { siblingPath } from '../hosts/sibling-names.js';
import { commandEnv, type CommandScope } from './command-env.js';
import type { QuiesceContext } from './quiesce.js';

export { DUMP_FILE };

/** Where a run's dump of a server goes: the `dump` sibling of its data folder. */
export function dumpFolder(server: ServerModel, runId: string): string {
    return siblingPath(server.data!, runId, 'dump');
}

/** Runs the dump command into its folder (throws with a one-line reason). */
export async function runDump(server: ServerModel, host: Host, folder: string, ctx: QuiesceContext, scope: CommandScope): Promise<void> {
    const timeoutMs = commandTimeoutMs(server, ctx.timeoutMs);
    const env = { ...commandEnv(server, ctx, 'dump', scope), BP_DUMP_DIR: folder, BP_DUMP_FILE: `${folder}/${DUMP_FILE}` };
    const made = await host.run('exec mkdir -m 700 -- "$BP_DUMP_DIR"', { env, timeoutMs: 60_000 });
    if (!made.ok) throw new Error(`creating ${folder} failed on ${host.label}: ${made.output.trim() || `exit ${made.code}`}`);
    // The admin's command as a group: its stdout, and only it, is the dump.
    const r = await host.run(`{\n${server.dump}\n} > "$BP_DUMP_FILE"`, { env, timeoutMs, signal: ctx.signal });
    if (!r.ok) throw new Error(failedWith(`dump command \`${server.dump}\``, r, timeoutMs));
}

/** Loads a dump file into a stopped server's data (throws with a one-line reason). */
export async function runLoad(server: ServerModel, host: Host, file: string, ctx: QuiesceContext): Promise<void> {
    const timeoutMs = commandTimeoutMs(server, ctx.timeoutMs);
    const env = { ...commandEnv(server, ctx, 'load'), BP_DUMP_FILE: file };
    const r = await host.run(`{\n${server.load}\n} < "$BP_DUMP_FILE"`, { env, timeoutMs, signal: ctx.signal });
    if (!r.ok) throw new Error(failedWith(`load command \`${server.load}\``, r, timeoutMs));
}

/** A failed command in one line, with the last lines of its output. */
function failedWith(what: string, r: CommandResult, timeoutMs: number): string {
    const last = r.output.trim().split('\n').filter(Boolean).slice(-2).join(' | ');
    return `${commandFailure(what, r, timeoutMs)}${last ? `: ${last}` : ''}`;
}
