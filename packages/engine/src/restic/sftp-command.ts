/**
 * The ssh command restic's sftp backend runs, for `sftp:` repositories. restic would run
 * `ssh [-p PORT] [USER@]HOST -s sftp` from the admin's config; Backplan runs the same with
 * BatchMode=yes (a key that is refused fails instead of asking for a password at a cron
 * job's missing terminal) and, where the runner's `--ssh-config FILE` applies (restic
 * running on the runner's machine), `-F FILE` as every other ssh call of a run.
 *
 *   sftp:[USER@]HOST:PATH                 → ssh … [-l USER] HOST -s sftp
 *   sftp://[USER@]HOST[:PORT]/PATH        → ssh … [-p PORT] [-l USER] HOST -s sftp
 *   anything else                         → no option (restic's default)
 *
 * The result is restic's `-o sftp.command=…`, which restic 0.14 splits on spaces and
 * backslashes outside quotes: such words are double-quoted, and a word holding a double
 * quote is refused.
 */
import { parseResticRepository } from '@backplan/language/model';

/** Where an sftp repository's ssh connects. */
export interface SftpEndpoint {
    readonly user?: string;
    readonly host: string;
    readonly port?: number;
}

/** The endpoint of an `sftp:` repository string (undefined for other backends). */
export function sftpEndpoint(repository: string): SftpEndpoint | undefined {
    const parsed = parseResticRepository(repository);
    if (!parsed.ok || parsed.spec.backend !== 'sftp') return undefined;
    const location = parsed.spec.location;
    const url = /^\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\//.exec(location);
    if (url) return { user: url[1], host: url[2].replace(/^\[|\]$/g, ''), port: url[3] === undefined ? undefined : Number(url[3]) };
    const scp = /^(?:([^@:]+)@)?([^:]+):/.exec(location);
    return scp ? { user: scp[1], host: scp[2] } : undefined;
}

/** One word for restic's command splitter. */
function word(text: string): string {
    if (text.includes('"')) throw new Error(`cannot pass ${JSON.stringify(text)} to restic's sftp.command (it holds a double quote)`);
    // restic 0.14 splits on spaces, backslashes and quotes outside a quoted part.
    return /[\s\\']/.test(text) || text === '' ? `"${text}"` : text;
}

/** restic's `sftp.command=…` option for an sftp repository, or undefined for other backends. */
export function sftpCommandOption(repository: string, options: { configFile?: string } = {}): string | undefined {
    const endpoint = sftpEndpoint(repository);
    if (!endpoint) return undefined;
    const args = ['ssh'];
    if (options.configFile !== undefined) args.push('-F', options.configFile);
    if (endpoint.port !== undefined) args.push('-p', String(endpoint.port));
    if (endpoint.user !== undefined) args.push('-l', endpoint.user);
    args.push('-o', 'BatchMode=yes', '-o', 'ServerAliveInterval=10', '-o', 'ServerAliveCountMax=3', endpoint.host, '-s', 'sftp');
    return `sftp.command=${args.map(word).join(' ')}`;
}
