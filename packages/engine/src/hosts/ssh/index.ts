/** The SSH host (`host "ssh://user@host:port"`); importing this registers it with open-host.ts. */
export { shQuote, shCommand } from './remote-quote.js';
export { SshConnection, makeControlDir, resolveSshConfig, targetLabel, type SshOptions, type SshTarget, type RetryPolicy } from './ssh-connection.js';
export { SshError, classifySshFailure, type SshFailure, type SshFailureKind } from './ssh-errors.js';
export { SshHost, type SshHostOptions } from './ssh-host.js';
export { openSshHost } from './ssh-pool.js';
