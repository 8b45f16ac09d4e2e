/**
 * Why a restic command failed, as a type the runner can act on (refuse before any stop,
 * create the repository, remove a stale lock), with restic's own last lines for the admin.
 *
 * restic 0.14 exits 1 for every fatal error (3: a snapshot was saved but some files could
 * not be read), so the kind comes from its `Fatal:` line; this table is the one place
 * that reads restic's wording, and a line it does not know is kind `failed` with the
 * text shown as restic wrote it.
 *
 *   exit 127 / "restic: not found"                      → missing        (no restic on PATH)
 *   "Resolving password failed" / an empty password     → password-file
 *   "wrong password or no key found"                    → wrong-password
 *   "unable to open config file" + does not exist/404   → no-repository  (init creates it)
 *   "config file already exists"                        → exists         (init on a repository)
 *   "repository is already locked" / "unable to create lock" → locked
 *   connection refused, no such host, sftp session, timeouts  → unreachable
 *   killed by a signal, exit 130/137/143                → interrupted
 *   our time limit                                      → timeout
 *   backup exit 3 (some files unreadable, snapshot saved) → incomplete (restic-repo.ts)
 *   the host itself (SSH) failed                        → host
 */

/** What went wrong, for the runner's decisions. */
export type ResticFailureKind =
    | 'missing' | 'too-old' | 'password-file' | 'wrong-password' | 'no-repository' | 'exists'
    | 'locked' | 'unreachable' | 'interrupted' | 'timeout' | 'host' | 'output' | 'incomplete' | 'failed';

/** The details of a failed restic command. */
export interface ResticFailure {
    readonly kind: ResticFailureKind;
    /** The restic subcommand (`backup`, `snapshots`, …). */
    readonly command: string;
    /** The host it ran on (`local`, `ssh://…`). */
    readonly host: string;
    readonly exitCode?: number;
    readonly signal?: string;
    /** restic's last stderr lines (progress lines left out), oldest first. */
    readonly stderrTail: readonly string[];
    /** One line: what happened and what to do. */
    readonly message: string;
    /** `incomplete`: the snapshot restic saved anyway (the caller forgets it). */
    readonly snapshotId?: string;
}

/** A restic command that failed; `failure.kind` says how. */
export class ResticError extends Error {
    readonly kind: ResticFailureKind;
    constructor(readonly failure: ResticFailure) {
        super(failure.message);
        this.name = 'ResticError';
        this.kind = failure.kind;
    }
}

const RULES: ReadonlyArray<readonly [ResticFailureKind, RegExp]> = [
    ['missing', /\brestic: (?:command )?not found|exec: restic: not found|restic: No such file or directory/i],
    ['password-file', /Resolving password failed|an empty password is not a password/i],
    ['wrong-password', /wrong password or no key found/i],
    ['exists', /config file already exists/i],
    ['no-repository', /unable to open config file: .*(?:no such file or directory|does not exist|404|not found)/i],
    ['locked', /repository is already locked|unable to create lock/i],
    ['unreachable', /connection refused|no such host|could not resolve|name or service not known|network is unreachable|no route to host|i\/o timeout|timed out|unable to start the sftp session|subprocess ssh|connection reset|TLS handshake|dial tcp|unable to open repository/i]
];

/** The kind of a failure from restic's exit and stderr (see the table in the header). */
export function classifyResticFailure(code: number | null, signal: string | null, stderr: string): ResticFailureKind {
    if (code === 127) return 'missing';
    for (const [kind, pattern] of RULES) {
        if (pattern.test(stderr)) return kind;
    }
    if (signal !== null || code === 130 || code === 137 || code === 143) return 'interrupted';
    return 'failed';
}

/** What the admin should do about each kind (the end of the message). */
const ADVICE: Partial<Record<ResticFailureKind, string>> = {
    'missing': 'install restic 0.14 or later there (Debian: apt-get install restic)',
    'password-file': 'check that the tape\'s password-file exists there and is readable',
    'wrong-password': 'the password file does not open this repository: check the tape\'s password-file',
    'no-repository': 'no repository there yet (`backplan backup` creates it)',
    'locked': 'another restic holds the repository\'s lock; a stale one is removed by `backplan unlock`',
    'unreachable': 'the repository cannot be reached from that host: check the network, the address and the credentials',
    'interrupted': 'restic was stopped before it finished'
};

/** restic's stderr, less its progress lines, as its last `count` non-empty lines. */
export function stderrTail(stderr: string, count = 5): string[] {
    return stderr.split(/\r?\n|\r/).map(l => l.trim())
        .filter(l => l !== '' && !/^\[\d+:\d\d\]|^\d+(\.\d+)?% /.test(l))
        .slice(-count);
}

/** The error for a restic command that ended badly. */
export function resticFailure(command: string, host: string, exit: { code: number | null; signal: string | null }, stderr: string, timedOut = false): ResticError {
    const kind = timedOut ? 'timeout' : classifyResticFailure(exit.code, exit.signal, stderr);
    const tail = stderrTail(stderr);
    const how = timedOut ? 'did not finish in time and was stopped'
        : exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const advice = ADVICE[kind];
    const said = tail.length > 0 ? `: ${tail.join(' | ')}` : '';
    return new ResticError({
        kind, command, host, exitCode: exit.code ?? undefined, signal: exit.signal ?? undefined, stderrTail: tail,
        message: `restic ${command} on ${host} ${how}${said}${advice ? ` (${advice})` : ''}`
    });
}
