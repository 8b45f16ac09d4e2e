/**
 * A restic tape of the runbook as restic reaches it from one server's host.
 *
 *   repository    = the tape's `restic`
 *   password file = the tape's `password-file` (a path on that host)
 *   options       = sftp.command for `sftp:` repositories (sftp-command.ts): BatchMode
 *                   always, `-F FILE` only where restic runs on the runner's machine (the
 *                   run's --ssh-config is a file here, not on a remote host)
 */
import type { TapeModel } from '@backplan/language/model';
import type { ResticTarget } from './restic-command.js';
import { sftpCommandOption } from './sftp-command.js';

/** Where restic runs for this target, and what the run adds. */
export interface TargetPlace {
    /** restic runs on the runner's machine (`host local`). */
    readonly local: boolean;
    /** The run's ssh config file (--ssh-config / BACKPLAN_SSH_CONFIG). */
    readonly sshConfig?: string;
    /** More environment for restic (RESTIC_CACHE_DIR, …). */
    readonly env?: Readonly<Record<string, string>>;
}

/** The ResticTarget of a restic tape; throws for a folder tape or one without its password file. */
export function resticTarget(tape: Pick<TapeModel, 'name' | 'restic' | 'passwordFile'>, place: TargetPlace): ResticTarget {
    if (tape.restic === undefined) throw new Error(`tape ${tape.name} is not a restic tape`);
    if (tape.passwordFile === undefined) throw new Error(`restic tape ${tape.name} has no password-file`);
    const sftp = sftpCommandOption(tape.restic, { configFile: place.local ? place.sshConfig : undefined });
    return { repository: tape.restic, passwordFile: tape.passwordFile, env: place.env, options: sftp === undefined ? [] : [sftp] };
}
