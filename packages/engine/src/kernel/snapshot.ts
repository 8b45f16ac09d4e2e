/**
 * Snapshots (DESIGN §10): a frozen copy of a server's data, taken while the application
 * is stopped, so that it can run again while the archive is read from the copy.
 *
 *   path = the data folder's `snap` sibling (hosts/sibling-names.ts)
 *   take:  journal snapshot-begin with how to drop it (cleanup) →
 *          btrfs:   btrfs subvolume snapshot -r DATA PATH
 *          command: CREATE with BACKPLAN_SNAPSHOT=PATH (it makes the copy visible there)
 *   drop:  btrfs subvolume delete PATH | DELETE with BACKPLAN_SNAPSHOT=PATH, whatever
 *          happened in between (step-executor.ts brackets) → journal drop-snapshot-end
 *
 * Interruption: a killed run leaves the snapshot; its begin record names it and the
 * command that drops it, and recovery (journal/recovery.ts) drops it — only when the path
 * is that run's `snap` sibling and still exists.
 */
import type { ServerModel } from '@backplan/language/model';
import { commandFailure, commandTimeoutMs, type Host } from '../hosts/host.js';
import { siblingPath } from '../hosts/sibling-names.js';
import { commandEnv, type CommandScope } from './command-env.js';
import type { QuiesceContext } from './quiesce.js';

/** How to make and drop one snapshot: shell commands with the paths in variables. */
export interface SnapshotCommands {
    readonly path: string;
    readonly create: string;
    readonly drop: string;
    readonly env: Record<string, string>;
}

/** The commands of a server's snapshot for a run. */
export function snapshotCommands(server: ServerModel, run: QuiesceContext, scope: CommandScope): SnapshotCommands {
    const path = siblingPath(server.data!, run.runId, 'snap');
    const env = { BP_DATA: server.data!, BACKPLAN_SNAPSHOT: path };
    if (server.snapshot?.kind === 'command') {
        return { path, create: server.snapshot.create, drop: server.snapshot.delete, env: { ...commandEnv(server, run, 'snapshot', scope), ...env } };
    }
    return {
        path,
        create: 'exec btrfs subvolume snapshot -r -- "$BP_DATA" "$BACKPLAN_SNAPSHOT" >/dev/null',
        drop: 'exec btrfs subvolume delete -- "$BACKPLAN_SNAPSHOT" >/dev/null',
        env: { ...commandEnv(server, run, 'snapshot', scope), ...env }
    };
}

/** The step record fields that let recovery drop a snapshot a killed run left. */
export function snapshotCleanup(host: Host, cmds: SnapshotCommands): { host: string; path: string; command: string; env: Record<string, string> } {
    return { host: host.label, path: cmds.path, command: cmds.drop, env: { ...cmds.env, BACKPLAN_ACTION: 'snapshot-delete' } };
}

/** Takes the snapshot (throws with a one-line reason). */
export async function takeSnapshot(server: ServerModel, host: Host, cmds: SnapshotCommands, ctx: QuiesceContext): Promise<void> {
    const timeoutMs = commandTimeoutMs(server, ctx.timeoutMs);
    const r = await host.run(cmds.create, { env: cmds.env, timeoutMs });
    if (!r.ok) throw new Error(`${commandFailure(snapshotWhat(server, 'create'), r, timeoutMs)}${tail(r.output)}`);
    const st = await host.stat(cmds.path);
    if (!st.isDirectory) throw new Error(`${snapshotWhat(server, 'create')} succeeded but made no folder at ${cmds.path} ($BACKPLAN_SNAPSHOT)`);
}

/** Drops the snapshot (throws with a one-line reason). */
export async function dropSnapshot(server: ServerModel, host: Host, cmds: SnapshotCommands, ctx: QuiesceContext): Promise<void> {
    const timeoutMs = commandTimeoutMs(server, ctx.timeoutMs);
    const r = await host.run(cmds.drop, { env: { ...cmds.env, BACKPLAN_ACTION: 'snapshot-delete' }, timeoutMs });
    if (!r.ok) throw new Error(`${commandFailure(snapshotWhat(server, 'delete'), r, timeoutMs)}${tail(r.output)}: remove ${host.label}:${cmds.path} by hand`);
}

function snapshotWhat(server: ServerModel, which: 'create' | 'delete'): string {
    if (server.snapshot?.kind === 'command') return `snapshot ${which} command \`${which === 'create' ? server.snapshot.create : server.snapshot.delete}\``;
    return `btrfs snapshot ${which === 'create' ? 'of' : 'delete of'} ${server.data}`;
}

function tail(output: string): string {
    const last = output.trim().split('\n').filter(Boolean).slice(-2).join(' | ');
    return last ? ` (${last})` : '';
}
