/**
 * Chooses the `Host` implementation for a server's `host` spec. `local` → LocalHost.
 * `ssh://…` → the SSH host (issue 5) once it is registered with `registerSshHost`.
 */
import type { HostSpec, ServerModel } from '@backplan/language/model';
import type { Host } from './host.js';
import { LocalHost } from './local-host.js';

/** Options every host gets from the CLI. */
export interface HostOptions {
    /** `--ssh-config FILE` or BACKPLAN_SSH_CONFIG: passed as `ssh -F FILE`. */
    sshConfig?: string;
}

type SshFactory = (spec: Extract<HostSpec, { kind: 'ssh' }>, options: HostOptions) => Host;
let sshFactory: SshFactory | undefined;

/** Registers the SSH host implementation. */
export function registerSshHost(factory: SshFactory): void {
    sshFactory = factory;
}

/** A label for a host spec, used in journals and messages (parsed back by `parseHostLabel`). */
export function hostLabel(spec: HostSpec): string {
    return spec.kind === 'local' ? 'local' : `ssh://${spec.user ? `${spec.user}@` : ''}${spec.hostname}:${spec.port}`;
}

/** Opens a host. Throws with a one-line reason when the kind is not available. */
export function openHost(spec: HostSpec, options: HostOptions = {}): Host {
    if (spec.kind === 'local') return new LocalHost();
    if (!sshFactory) throw new Error(`ssh hosts are not supported by this build yet (${hostLabel(spec)})`);
    return sshFactory(spec, options);
}

/** Opens a host from a label written by `hostLabel`. */
export function openHostByLabel(label: string, options: HostOptions = {}): Host {
    if (label === 'local') return new LocalHost();
    const m = /^ssh:\/\/(?:([^@]+)@)?(.+):(\d+)$/.exec(label);
    if (!m) throw new Error(`unknown host ${label}`);
    return openHost({ kind: 'ssh', user: m[1], hostname: m[2], port: Number(m[3]) }, options);
}

/** THE way to a server's host: its runbook `host`, opened with the run's options. */
export function hostFor(server: ServerModel, options: HostOptions = {}): Host {
    if (!server.host) throw new Error(`server ${server.name} has no valid host`);
    return openHost(server.host, options);
}
