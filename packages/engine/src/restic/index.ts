/**
 * restic tapes (DESIGN §9): restic 0.14 driven through its CLI and `--json` output, on the
 * server's host (local or SSH).
 *   restic-shell        the streaming command interface restic needs from a host
 *   restic-command      command line, environment, output and typed failure of one call
 *   restic-version      `restic version`, refused below 0.14
 *   restic-repo         every repository operation a verb needs
 *   restic-manifest     the manifest snapshot beside each data snapshot
 *   restic-target       a tape of the runbook as restic reaches it from a host
 *   restic-preflight    restic and the repository checked before anything is stopped
 *   restic-places       where restic runs for a tape (a server's host; one per repository)
 *   restic-tape-store   the tape's lock and records in the state folder
 *   restic-stale-locks  stale restic locks removed when the journal shows no live run
 *   restic-backup-preflight, restic-places-prepare, restic-archive-step
 *                       a backup's restic steps on the run kernel (run/)
 */
export * from './restic-shell.js';
export * from './local-restic-shell.js';
export * from './ssh-restic-shell.js';
export * from './host-restic-shell.js';
export * from './restic-error.js';
export * from './restic-command.js';
export * from './restic-version.js';
export * from './sftp-command.js';
export * from './json-stream.js';
export * from './restic-snapshot.js';
export * from './restic-entries.js';
export * from './restic-manifest.js';
export * from './restic-forget.js';
export * from './restic-repo.js';
export * from './restic-target.js';
export * from './restic-preflight.js';
export * from './restic-places.js';
export * from './restic-backup-preflight.js';
