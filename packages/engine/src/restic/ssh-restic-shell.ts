/**
 * restic on a server reached over SSH (`host "ssh://…"`), through the host's multiplexed
 * connection (ssh-connection.ts: the admin's ssh config, BatchMode, keep-alives).
 *
 *   start(cmd)            → ssh DEST SCRIPT, SCRIPT running `env K=V /bin/sh -c cmd`
 *   without input:          the command runs in the background with a watcher on the
 *                           session's stdin (kept open, never written): when the session
 *                           ends — our ssh killed by an abort, the connection lost — the
 *                           watcher sends SIGINT to the command's process group (restic
 *                           0.14 removes its lock on SIGINT only), SIGKILL 10 s later
 *   relays:                 restic's stdout and stderr pass through `tee -p /dev/null`
 *                           (GNU coreutils), which ignores SIGINT and SIGPIPE and keeps
 *                           reading once the session is gone: restic, interrupted, prints
 *                           "cleaning up" to a live pipe and removes its lock, instead of
 *                           dying of SIGPIPE first (Go exits on a write to a closed stdout).
 *                           Without `tee -p` the command runs unrelayed.
 *   with input:             stdin carries the input, so no watcher: an abort ends the
 *                           session and restic meets a closed pipe (used for small inputs)
 *   ssh exit 255 / killed → `hostFailure`: ssh's own reason (unreachable, host key, auth,
 *                           connection lost), never mistaken for restic's exit
 */
import { shQuote, withEnv } from '../hosts/ssh/remote-quote.js';
import type { SshConnection } from '../hosts/ssh/ssh-connection.js';
import type { ResticShell, ShellExit, ShellOptions, ShellProcess } from './restic-shell.js';

/**
 * `command` with its stdout and stderr relayed (see the header); the exit status is the
 * command's, passed back on fd 5 (POSIX sh has no pipefail). The shells ignore SIGINT so
 * that only restic (which installs its own handler) acts on it.
 */
function relayedScript(command: string): string {
    const run = `/bin/sh -c ${shQuote(command)}`;
    return [
        `if ! tee -p /dev/null </dev/null >/dev/null 2>&1; then ${run}; exit $?; fi`,
        "trap '' INT",
        'exec 4>&1',
        `status=$( { { { ${run} 4>&- 5>&-; echo $? >&5; } | tee -p /dev/null >&4 4>&- 5>&-; } 2>&1 | tee -p /dev/null >&2 4>&- 5>&-; } 5>&1 )`,
        'exit "${status:-1}"'
    ].join('\n');
}

/** The remote script that runs `launch` and ends it when the SSH session ends. */
function watchedScript(launch: string): string {
    return [
        'exec 3<&0 </dev/null',
        `if command -v setsid >/dev/null 2>&1; then setsid ${launch} 3<&- & else ${launch} 3<&- & fi`,
        'pid=$!',
        '( while read -r _ <&3; do :; done; kill -INT -$pid 2>/dev/null || kill -INT $pid 2>/dev/null; sleep 10; kill -KILL -$pid 2>/dev/null ) >/dev/null 2>&1 &',
        'watcher=$!',
        'exec 3<&-',
        'wait $pid; status=$?',
        'kill $watcher 2>/dev/null',
        'exit $status'
    ].join('\n');
}

/** A ResticShell over one SSH connection. */
export class SshResticShell implements ResticShell {
    readonly label: string;

    constructor(private readonly connection: SshConnection) {
        this.label = connection.label;
    }

    start(command: string, options: ShellOptions = {}): ShellProcess {
        const script = options.input === undefined
            ? watchedScript(withEnv(options.env, ['/bin/sh', '-c', relayedScript(command)]))
            : withEnv(options.env, ['/bin/sh', '-c', command]);
        const p = this.connection.spawn(script, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal });
        p.child.stdin!.on('error', () => undefined);
        if (options.input !== undefined) p.child.stdin!.end(options.input);
        const closed = new Promise<void>(resolve => p.child.once('close', () => resolve()));
        const exited: Promise<ShellExit> = p.exited.then(async r => {
            await closed;
            p.child.stdin!.destroy();
            if (r.code !== 255 && r.code !== null) return { code: r.code, signal: null };
            if (options.signal?.aborted) return { code: r.code, signal: r.signal };
            return { code: r.code, signal: r.signal, hostFailure: this.connection.failure('restic', r, p.stderr.text()).message };
        }, (err: Error) => ({
            code: null, signal: null,
            hostFailure: `${this.label}: the OpenSSH client could not be started (${err.message}): install openssh-client`
        }));
        return { stdout: p.child.stdout!, stderr: p.child.stderr!, exited };
    }
}
