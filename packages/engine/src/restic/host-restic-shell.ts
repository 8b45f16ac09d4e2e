/**
 * The ResticShell of an engine Host: `LocalHost` → this machine, `SshHost` → its SSH
 * connection (the same multiplexed master, config file and retries as its other calls).
 */
import type { Host } from '../hosts/host.js';
import { LocalHost } from '../hosts/local-host.js';
import { SshHost } from '../hosts/ssh/ssh-host.js';
import { LocalResticShell } from './local-restic-shell.js';
import type { ResticShell } from './restic-shell.js';
import { SshResticShell } from './ssh-restic-shell.js';

/** Where restic runs for a server on `host`. */
export function resticShellFor(host: Host): ResticShell {
    if (host instanceof SshHost) return new SshResticShell(host.connection);
    if (host instanceof LocalHost) return new LocalResticShell();
    throw new Error(`restic cannot run on host ${host.label}: neither local nor SSH`);
}
