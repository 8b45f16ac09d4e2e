/**
 * Parsing of a server's `host`: `local`, or `ssh://[user@]host[:port]`.
 * Shared by the validator (`host.invalid`, `server.data-overlap`) and the engine's SSH host.
 */

/** A host a server runs on. */
export type HostSpec =
    | { kind: 'local' }
    | { kind: 'ssh'; user?: string; hostname: string; port: number };

/** The result of parsing a `host` value: a spec, or the reason it is not one. */
export type HostParse = { ok: true; spec: HostSpec } | { ok: false; reason: string };

const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;

/** Parses an `ssh://` URL as written in a runbook. */
export function parseSshUrl(url: string): HostParse {
    const m = /^ssh:\/\/(?:([^@/]*)@)?(\[[^\]]+\]|[^:/]*)(?::([^/]*))?\/?$/.exec(url);
    if (!m) {
        return { ok: false, reason: 'it is not an ssh:// URL' };
    }
    const [, user, rawHost, rawPort] = m;
    if (user !== undefined) {
        if (user.includes(':')) return { ok: false, reason: 'it holds a password, and passwords never go in a runbook (use an SSH key or agent)' };
        if (!USER.test(user)) return { ok: false, reason: `"${user}" is not a valid user name` };
    }
    const hostname = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
    if (hostname === '') return { ok: false, reason: 'it names no host' };
    const validHost = rawHost.startsWith('[') ? /^[0-9A-Fa-f:.]+$/.test(hostname)
        : IPV4.test(hostname) ? hostname.split('.').every(p => Number(p) <= 255) : HOSTNAME.test(hostname);
    if (!validHost) return { ok: false, reason: `"${hostname}" is not a valid host name` };
    let port = 22;
    if (rawPort !== undefined) {
        if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) < 1 || Number(rawPort) > 65535) {
            return { ok: false, reason: `port "${rawPort}" is not a number from 1 to 65535` };
        }
        port = Number(rawPort);
    }
    return { ok: true, spec: { kind: 'ssh', user: user || undefined, hostname: hostname.toLowerCase(), port } };
}

/** A key that is equal for two servers exactly when they share a machine (user ignored). */
export function machineKey(spec: HostSpec): string {
    return spec.kind === 'local' ? 'local' : `ssh:${spec.hostname}:${spec.port}`;
}

/** How a host is shown to an admin. */
export function describeHost(spec: HostSpec): string {
    if (spec.kind === 'local') return 'local';
    return `ssh://${spec.user ? spec.user + '@' : ''}${spec.hostname}${spec.port !== 22 ? ':' + spec.port : ''}`;
}
