/**
 * restic repository strings as restic 0.14 reads them (`restic "…"` on a tape, DESIGN §9):
 * a backend prefix, or a folder on the host that runs restic.
 *
 *   /abs/path | local:/abs/path                  local folder (on the server's host)
 *   sftp:[user@]host:PATH | sftp://[user@]host[:port]/PATH
 *   rest:http(s)://host[:port]/[path]
 *   s3:… b2:… azure:… gs:… swift:… rclone:…      passed to restic as written
 *
 * Only what makes a runbook unusable is refused here (a relative folder, an unknown
 * backend, a password in the string); whether the repository exists and opens is
 * pre-flight's business, on the host that runs restic.
 */

/** The restic backends restic 0.14 knows. */
export const RESTIC_BACKENDS = ['local', 'sftp', 'rest', 's3', 'b2', 'azure', 'gs', 'swift', 'rclone'] as const;

/** One of restic's backends. */
export type ResticBackend = typeof RESTIC_BACKENDS[number];

/** A repository string split into its backend and the rest. */
export interface ResticRepositorySpec {
    readonly backend: ResticBackend;
    /** The text after the `backend:` prefix (the whole string for a bare local path). */
    readonly location: string;
    /** For a local repository: its absolute folder on the host that runs restic. */
    readonly localPath?: string;
}

/** The parsed repository, or why restic could not use it as written in a runbook. */
export type ResticRepositoryParse = { ok: true; spec: ResticRepositorySpec } | { ok: false; reason: string };

const PREFIX = /^([a-z][a-z0-9]*):/;
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i;

/** Parses a restic repository string (see the header for the forms). */
export function parseResticRepository(repo: string): ResticRepositoryParse {
    if (repo.trim() === '') return { ok: false, reason: 'is empty' };
    if (repo.startsWith('/')) return { ok: true, spec: { backend: 'local', location: repo, localPath: repo } };
    const prefix = PREFIX.exec(repo)?.[1];
    if (prefix === undefined) {
        return { ok: false, reason: 'is a relative folder: restic would resolve it against whatever folder it runs in' };
    }
    if (!(RESTIC_BACKENDS as readonly string[]).includes(prefix)) {
        return { ok: false, reason: `names no backend restic knows (\`${prefix}:\`; restic has ${RESTIC_BACKENDS.map(b => `\`${b}:\``).join(', ')})` };
    }
    const backend = prefix as ResticBackend;
    const location = repo.slice(prefix.length + 1);
    if (URL_PASSWORD.test(location)) {
        return { ok: false, reason: 'holds a password: no password belongs in a runbook (use SSH keys with `sftp:`, or credentials in the environment of the host that runs restic)' };
    }
    if (backend === 'local') {
        return location.startsWith('/') ? { ok: true, spec: { backend, location, localPath: location } }
            : { ok: false, reason: 'is a relative folder: restic would resolve it against whatever folder it runs in' };
    }
    const problem = backendProblem(backend, location);
    return problem ? { ok: false, reason: problem } : { ok: true, spec: { backend, location } };
}

/** What is wrong with the part after the prefix, for the backends whose shape is simple to check. */
function backendProblem(backend: ResticBackend, location: string): string | undefined {
    if (location.trim() === '') return `has nothing after \`${backend}:\``;
    if (backend === 'rest' && !/^https?:\/\/[^/]+/.test(location)) return 'is not `rest:http://HOST[:PORT]/PATH` (or https)';
    if (backend === 'sftp' && !location.startsWith('//') && !/^[^:/]+:./.test(location)) return 'is not `sftp:[USER@]HOST:PATH` or `sftp://[USER@]HOST[:PORT]/PATH`';
    return undefined;
}
