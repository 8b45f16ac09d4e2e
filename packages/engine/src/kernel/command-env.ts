/**
 * The environment of every command Backplan runs for a server (stop, start, ready,
 * snapshot, dump, load; docs/hosts.md): the same `BACKPLAN_*` variables in every verb,
 * passed as environment, never spliced into the command text.
 */
import type { ServerModel } from '@backplan/language/model';

/** What a run knows about itself. */
export interface RunIdentity {
    readonly runId: string;
    readonly runbookPath: string;
}

/** The policy and tape a backup adds (a restore has none: they are set empty). */
export interface CommandScope {
    readonly policy?: string;
    readonly tape?: string;
}

/** What a command does, in `BACKPLAN_ACTION` (`test`: a drill's test of a restored copy). */
export type CommandAction = 'stop' | 'start' | 'ready' | 'snapshot' | 'snapshot-delete' | 'dump' | 'load' | 'test';

/** All `BACKPLAN_*` variables of docs/hosts.md for one command. */
export function commandEnv(server: ServerModel, run: RunIdentity, action: CommandAction, scope: CommandScope = {}, extra: Record<string, string> = {}): Record<string, string> {
    return {
        BACKPLAN_SERVER: server.name,
        BACKPLAN_DATA: server.data ?? '',
        BACKPLAN_ROLE: server.role ?? '',
        BACKPLAN_POLICY: scope.policy ?? '',
        BACKPLAN_TAPE: scope.tape ?? '',
        BACKPLAN_RUN: run.runId,
        BACKPLAN_RUNBOOK: run.runbookPath,
        BACKPLAN_ACTION: action,
        ...extra
    };
}
