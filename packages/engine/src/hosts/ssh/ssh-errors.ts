/**
 * ssh's failures, in words an admin can act on. ssh exits 255 for its own errors (a remote
 * command that exits 255 looks the same, so the stderr text decides) and prints several
 * lines, sometimes a banner of `@@@`. This turns them into one line that says what failed
 * and what to do.
 */

/** What kind of ssh failure. `connect` kinds happened before any remote command ran. */
export type SshFailureKind =
    | 'host-key-unknown' | 'host-key-changed' | 'permission-denied' | 'connection-refused'
    | 'no-route' | 'timeout' | 'dns' | 'config' | 'connection-lost';

export interface SshFailure {
    readonly kind: SshFailureKind;
    /** One line: what failed and how to fix it. */
    readonly message: string;
    /** True when no remote command can have started (so retrying is safe). */
    readonly beforeCommand: boolean;
}

/** Where ssh was going: used to name the host and to write exact fix commands. */
export interface SshTargetInfo {
    /** As shown to the admin (the runbook's URL). */
    readonly label: string;
    readonly hostname: string;
    readonly port: number;
}

/** An ssh failure as an Error (message is the one-line text). */
export class SshError extends Error {
    override readonly name = 'SshError';
    /** `tool`: the program whose run over ssh failed (`tar`), when known. */
    constructor(readonly failure: SshFailure, readonly tool?: string) {
        super(failure.message);
    }
}

/** `host` or `[host]:port`, the name known_hosts and ssh-keygen -R use. */
function knownHostsName(hostname: string, port: number): string {
    return port === 22 ? hostname : `[${hostname}]:${port}`;
}

/** Splits a `[host]:port` / `host` name back into host and port. */
function splitKnownHostsName(name: string, fallbackPort: number): { host: string; port: number } {
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(name);
    return m ? { host: m[1], port: Number(m[2]) } : { host: name, port: fallbackPort };
}

function lastLines(stderr: string, n = 2): string {
    return stderr.split('\n').map(l => l.trim())
        .filter(l => l !== '' && !l.startsWith('@@@') && !/^Warning: Permanently added/.test(l))
        .slice(-n).join(' | ');
}

/** A changed or unknown host key, with the commands that check and fix it (undefined: neither). */
function hostKeyFailure(text: string, target: SshTargetInfo, fail: (kind: SshFailureKind, message: string) => SshFailure): SshFailure | undefined {
    if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for \S+ has changed/.test(text)) {
        const name = /Host key for (\S+) has changed/.exec(text)?.[1] ?? knownHostsName(target.hostname, target.port);
        const { host, port } = splitKnownHostsName(name, target.port);
        const keyFile = /Offending \S+ key in (\S+?):\d+/.exec(text)?.[1];
        return fail('host-key-changed',
            `the host key of ${name} has CHANGED since it was recorded${keyFile ? ` in ${keyFile}` : ''} `
            + '(a reinstalled server, or someone in the middle). Check the new key\'s fingerprint with the server\'s admin; '
            + `if the change is expected, remove the old key with \`ssh-keygen -R '${name}'${keyFile ? ` -f ${keyFile}` : ''}\` `
            + `and add the new one with \`ssh-keyscan${port !== 22 ? ` -p ${port}` : ''} ${host} >> ${keyFile ?? '~/.ssh/known_hosts'}\``);
    }
    if (/Host key verification failed|host key is known for|authenticity of host/.test(text)) {
        const name = /host key is known for (\S+) and/.exec(text)?.[1]
            ?? /authenticity of host '([^' ]+)/.exec(text)?.[1]
            ?? knownHostsName(target.hostname, target.port);
        const { host, port } = splitKnownHostsName(name, target.port);
        return fail('host-key-unknown',
            `the host key of ${name} is not in known_hosts, and Backplan never accepts an unknown key. `
            + `Check its fingerprint with the server's admin (\`ssh-keyscan${port !== 22 ? ` -p ${port}` : ''} ${host} | ssh-keygen -lf -\`), `
            + `then add it: \`ssh-keyscan${port !== 22 ? ` -p ${port}` : ''} ${host} >> ~/.ssh/known_hosts\` `
            + '(or to the UserKnownHostsFile of your --ssh-config)');
    }
    return undefined;
}

/**
 * Classifies an ssh run that exited 255 (or died) from its stderr. Returns undefined when
 * the text shows no ssh-level failure (then the remote command itself failed).
 */
export function classifySshFailure(stderr: string, target: SshTargetInfo): SshFailure | undefined {
    const at = target.label;
    const text = stderr;
    const fail = (kind: SshFailureKind, message: string, beforeCommand = true): SshFailure =>
        ({ kind, message: `${at}: ${message}`, beforeCommand });

    const hostKey = hostKeyFailure(text, target, fail);
    if (hostKey) return hostKey;
    if (/Permission denied \(|Too many authentication failures/.test(text)) {
        const who = /(\S+): Permission denied/.exec(text)?.[1];
        return fail('permission-denied',
            `permission denied${who ? ` for ${who}` : ''}: the server accepted none of the offered keys. `
            + 'Add the backup key\'s public part to the user\'s ~/.ssh/authorized_keys on the server, '
            + 'and check that ssh finds the key (IdentityFile in your ssh config, or ssh-agent); Backplan never asks for a password');
    }
    const connect = /connect to host (\S+) port (\d+): (.+)$/m.exec(text);
    if (/Connection refused/.test(text) && !/Control socket/.test(text)) {
        return fail('connection-refused',
            `connection refused${connect ? ` by ${connect[1]} port ${connect[2]}` : ''}: no SSH server listens there. `
            + 'Check that sshd runs on the server and the port in the host URL (or ssh config) is right');
    }
    if (/No route to host|Network is unreachable|Host is unreachable/.test(text)) {
        return fail('no-route',
            `no route to ${connect ? `${connect[1]} port ${connect[2]}` : 'the host'} (${connect?.[3] ?? 'unreachable'}): `
            + 'the machine is down or off the network, or a firewall drops the traffic');
    }
    if (/timed out|Connection timeout/i.test(text) && !/Timeout, server \S+ not responding/.test(text)) {
        return fail('timeout',
            `timed out connecting${connect ? ` to ${connect[1]} port ${connect[2]}` : ''} `
            + '(ConnectTimeout): the machine is down, unreachable, or too busy to answer the SSH handshake');
    }
    if (/Could not resolve hostname|Name or service not known|nodename nor servname|Temporary failure in name resolution/.test(text)) {
        return fail('dns', `the host name does not resolve (${lastLines(text, 1)}): check the host URL, /etc/hosts, DNS, or a HostName in your ssh config`);
    }
    if (/Bad configuration option|Can't open user config file|Bad owner or permissions on|garbage at end of line|command-line line \d+/.test(text)) {
        return fail('config', `ssh configuration error: ${lastLines(text, 1)}`);
    }
    if (/kex_exchange_identification|banner exchange|Connection closed by \S+ port \d+$/m.test(text)) {
        return fail('connection-lost', `the SSH handshake failed (${lastLines(text, 1)}): is this port an SSH server, and does it accept connections?`);
    }
    if (/closed by remote host|Connection reset|Broken pipe|client_loop|Timeout, server \S+ not responding|mux_client|read from master failed|Connection closed|Connection to \S+ closed|packet_write|ssh_dispatch_run_fatal/.test(text)) {
        return fail('connection-lost', `the SSH connection was lost (${lastLines(text, 1)})`, false);
    }
    return undefined;
}

