/**
 * Which (backup block, server) pairs a past backup run set out to back up: its command
 * line, as journalled in its begin record, chosen again against the runbook as it is now.
 *
 *   tokens of the command → the values of --policy and --server (`--x V` or `--x=V`)
 *   chooseBackups(model, those options) (plan/backup-plan.ts, the planner's own choice)
 *   options the runbook no longer fits (a block renamed since) → no pairs: such a run
 *   counts only for the parts it journalled
 *
 * So a run that failed as a whole (pre-flight, a tape lock) before it wrote a record of
 * any server still counts as a failed last run of every server it meant to back up.
 */
import type { RunbookModel } from '@backplan/language/model';
import { chooseBackups, PlanUsageError } from '../plan/backup-plan.js';

/** A block and a server of it. */
export interface RunTarget { policy: string; server: string }

/** The options of a `backplan backup …` command line (values are identifiers: no quoting to undo). */
export function backupOptionsOf(command: string): { policy?: string; servers: string[] } {
    const tokens = command.split(/\s+/);
    const options: { policy?: string; servers: string[] } = { servers: [] };
    tokens.forEach((token, i) => {
        const [flag, inline] = token.split('=', 2);
        const value = inline ?? tokens[i + 1];
        if (value === undefined) return;
        if (flag === '--policy') options.policy = value;
        else if (flag === '--server') options.servers.push(value);
    });
    return options;
}

/** Targets of past runs, one choice per distinct command line (a year of nightly runs has one). */
export class RunTargets {
    private readonly byCommand = new Map<string, readonly RunTarget[]>();

    constructor(private readonly model: RunbookModel) {}

    /** The pairs a run with this command line set out to back up (see module comment). */
    of(command: string): readonly RunTarget[] {
        let targets = this.byCommand.get(command);
        if (!targets) {
            try {
                targets = chooseBackups(this.model, backupOptionsOf(command))
                    .flatMap(({ backup, servers }) => servers.map(s => ({ policy: backup.name, server: s.name })));
            } catch (err) {
                if (!(err instanceof PlanUsageError)) throw err;
                targets = [];
            }
            this.byCommand.set(command, targets);
        }
        return targets;
    }
}
