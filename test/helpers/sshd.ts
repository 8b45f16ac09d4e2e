/**
 * A throw-away OpenSSH lab for tests: one real `sshd` per simulated host, each on its own
 * loopback address (127.0.0.2, 127.0.0.3, …) and a free port, with its own data root, a
 * fresh host key, one client key for all, a prepared known_hosts and an ssh config file
 * (`-F`, the way `--ssh-config` / BACKPLAN_SSH_CONFIG reach every ssh call) that sets
 * StrictHostKeyChecking=yes and BatchMode=yes.
 *
 * Every sshd is killed by its pid file when the lab stops, and on process exit (a failed
 * test must not leave servers behind). Only 127.0.0.0/8 is ever used.
 *
 * Where sshd is not installed, `sshdSkip` is true and suites use
 * `describe.skipIf(sshdSkip)(sshdSuiteName('…'), …)` so the report says
 * "skipped: sshd not found"; with BACKPLAN_REQUIRE_SSHD=1 (CI) the suite runs and fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';

export const SSHD_PATH = process.env.BACKPLAN_SSHD ?? '/usr/sbin/sshd';
export const sshdFound = existsSync(SSHD_PATH) && spawnSync('ssh', ['-V']).status === 0;
export const sshdRequired = process.env.BACKPLAN_REQUIRE_SSHD === '1';
/** Skip SSH suites: sshd is missing and CI did not require it. */
export const sshdSkip = !sshdFound && !sshdRequired;

/** A suite name that says why it was skipped. */
export function sshdSuiteName(name: string): string {
    if (sshdSkip) {
        process.stderr.write(`${name}: skipped: sshd not found (${SSHD_PATH}); install openssh-server, CI sets BACKPLAN_REQUIRE_SSHD=1\n`);
        return `${name} (skipped: sshd not found)`;
    }
    return name;
}

/** Throws the CI failure when sshd is required but missing. */
export function assertSshdAvailable(): void {
    if (!sshdFound) {
        throw new Error(`sshd not found at ${SSHD_PATH} but BACKPLAN_REQUIRE_SSHD=1: install openssh-server (apt-get install -y openssh-server)`);
    }
}

export interface SimHost {
    readonly name: string;
    readonly address: string;
    readonly port: number;
    /** Folder for this host's data (the runbook's `data` paths live below it). */
    readonly root: string;
    /** `ssh://user@address:port` */
    readonly url: string;
    /** An alias in the lab's ssh config (`ssh://NAME` works too). */
    readonly alias: string;
    readonly dir: string;
    readonly pidFile: string;
    readonly logFile: string;
}

export interface LabOptions {
    /** Host names, e.g. ['cat1', 'cat2', 'mail1']. */
    readonly hosts: readonly string[];
    /** Hosts whose key is left out of known_hosts. */
    readonly untrusted?: readonly string[];
    /** PATH for remote sessions per host (to hide tools such as tar). */
    readonly remotePath?: Readonly<Record<string, string>>;
    /** First loopback address octet to use (default 2). */
    readonly firstAddress?: number;
}

const live = new Set<string>(); // pid files of running sshds
let exitHookInstalled = false;

function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    const killAll = (): void => { for (const pidFile of live) killByPidFile(pidFile, true); };
    process.on('exit', killAll);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        process.once(sig, () => { killAll(); process.exit(130); });
    }
}

function readPid(pidFile: string): number | undefined {
    try {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        return Number.isInteger(pid) && pid > 1 ? pid : undefined;
    } catch {
        return undefined;
    }
}

/** Every descendant of `pid` (sshd's per-connection processes), from /proc. */
function descendants(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
            const list = children.get(ppid) ?? [];
            list.push(Number(entry));
            children.set(ppid, list);
        } catch { /* gone */ }
    }
    const out: number[] = [];
    const walk = (p: number): void => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
    walk(pid);
    return out;
}

function alive(pid: number): boolean {
    try { process.kill(pid, 0); return true; } catch { return false; }
}

/** Kills the sshd of a pid file; `sessions` also kills its live connections (a crash). */
function killByPidFile(pidFile: string, sessions: boolean): void {
    const pid = readPid(pidFile);
    live.delete(pidFile);
    if (pid === undefined) return;
    const victims = sessions ? [pid, ...descendants(pid)] : [pid];
    for (const p of victims) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    try { rmSync(pidFile, { force: true }); } catch { /* ignore */ }
}

/** A free TCP port on a loopback address. */
export function freePort(address: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = createServer();
        srv.once('error', reject);
        srv.listen(0, address, () => {
            const port = (srv.address() as { port: number }).port;
            srv.close(() => resolve(port));
        });
    });
}

function sleep(ms: number): Promise<void> {
    return new Promise(r => setTimeout(r, ms));
}

export class SshdLab {
    readonly hosts: SimHost[] = [];
    readonly user = userInfo().username;
    readonly clientKey: string;
    readonly knownHosts: string;
    readonly configFile: string;
    readonly authorizedKeys: string;

    private constructor(readonly dir: string, private readonly options: LabOptions) {
        this.clientKey = path.join(dir, 'client_key');
        this.knownHosts = path.join(dir, 'known_hosts');
        this.configFile = path.join(dir, 'ssh_config');
        this.authorizedKeys = path.join(dir, 'authorized_keys');
    }

    /** Makes keys and configs and starts one sshd per host. */
    static async start(options: LabOptions): Promise<SshdLab> {
        assertSshdAvailable();
        installExitHook();
        mkdirSync('/run/sshd', { recursive: true });
        const lab = new SshdLab(mkdtempSync(path.join(tmpdir(), 'backplan-sshd-')), options);
        try {
            await lab.setUp();
        } catch (err) {
            await lab.stop();
            throw err;
        }
        return lab;
    }

    private async setUp(): Promise<void> {
        keygen(this.clientKey);
        writeFileSync(this.authorizedKeys, readFileSync(`${this.clientKey}.pub`));
        const first = this.options.firstAddress ?? 2;
        const known: string[] = [];
        const aliases: string[] = [];
        for (const [i, name] of this.options.hosts.entries()) {
            const address = `127.0.0.${first + i}`;
            const port = await freePort(address);
            const dir = path.join(this.dir, 'hosts', name);
            const root = path.join(dir, 'root');
            mkdirSync(root, { recursive: true });
            const host: SimHost = {
                name, address, port, root, dir, alias: name,
                url: `ssh://${this.user}@${address}:${port}`,
                pidFile: path.join(dir, 'sshd.pid'),
                logFile: path.join(dir, 'sshd.log')
            };
            keygen(path.join(dir, 'host_key'));
            const remotePath = this.options.remotePath?.[name];
            // Each host has its own empty home: no rc files of this machine's user (slow
            // `pyenv init` in root's .bashrc), the remote `~` is per host as on real servers.
            mkdirSync(path.join(dir, 'home'));
            writeFileSync(path.join(dir, 'sshd_config'), [
                `ListenAddress ${address}:${port}`,
                `HostKey ${path.join(dir, 'host_key')}`,
                `AuthorizedKeysFile ${this.authorizedKeys}`,
                'PubkeyAuthentication yes',
                'PasswordAuthentication no',
                'KbdInteractiveAuthentication no',
                'PermitRootLogin prohibit-password',
                `PidFile ${host.pidFile}`,
                'StrictModes no',
                'UsePAM no',
                'LogLevel VERBOSE',
                'MaxSessions 64',
                'MaxStartups 64:30:128',
                // restic's sftp: repositories (test/restic) speak the sftp subsystem.
                'Subsystem sftp internal-sftp',
                `SetEnv HOME=${path.join(dir, 'home')}${remotePath ? ` PATH=${remotePath}` : ''}`,
                ''
            ].join('\n'));
            if (!this.options.untrusted?.includes(name)) {
                const pub = readFileSync(path.join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
                known.push(`[${address}]:${port} ${pub}`);
            }
            aliases.push(`Host ${name}`, `  HostName ${address}`, `  Port ${port}`, '');
            this.hosts.push(host);
        }
        writeFileSync(this.knownHosts, known.join('\n') + '\n');
        writeFileSync(this.configFile, [
            '# Backplan test lab: throw-away keys, strict host key checking, never a prompt.',
            ...aliases,
            'Host *',
            `  User ${this.user}`,
            `  IdentityFile ${this.clientKey}`,
            '  IdentitiesOnly yes',
            `  UserKnownHostsFile ${this.knownHosts}`,
            '  GlobalKnownHostsFile /dev/null',
            '  StrictHostKeyChecking yes',
            '  BatchMode yes',
            '  UpdateHostKeys no',
            ''
        ].join('\n'));
        for (const h of this.hosts) await this.startHost(h.name);
    }

    host(name: string): SimHost {
        const h = this.hosts.find(x => x.name === name);
        if (!h) throw new Error(`no host ${name} in the lab`);
        return h;
    }

    /**
     * Starts (or restarts) a host's sshd and waits until it accepts connections.
     *
     * sshd forks first (the `sshd` we spawn exits at once) and only then binds, listens
     * and writes its pid file: a pid file naming a live sshd of this host is the sign that
     * it listens. A pid file left by an sshd killed from outside the lab (a drill's stop
     * command running `kill -9`) is removed first; waiting on it returned before the new
     * sshd listened, and under load the next test's pre-flight met "connection refused".
     */
    async startHost(name: string): Promise<void> {
        const h = this.host(name);
        if (this.isRunning(name)) return;
        rmSync(h.pidFile, { force: true });
        const r = spawnSync(SSHD_PATH, ['-f', path.join(h.dir, 'sshd_config'), '-E', h.logFile], { encoding: 'utf8' });
        if (r.status !== 0) {
            throw new Error(`sshd for ${name} did not start (exit ${r.status}): ${r.stderr}${existsSync(h.logFile) ? readFileSync(h.logFile, 'utf8').slice(-2000) : ''}`);
        }
        live.add(h.pidFile);
        // Generous: on 2 loaded cores (the whole suite in CI) sshd may wait for a CPU.
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
            if (this.isRunning(name)) return;
            await sleep(20);
        }
        throw new Error(`sshd for ${name} wrote no pid file within 30 s: ${readFileSync(h.logFile, 'utf8').slice(-2000)}`);
    }

    /** Stops a host's listener; connections already open keep running (as `systemctl stop ssh`). */
    stopHost(name: string): void {
        killByPidFile(this.host(name).pidFile, false);
    }

    /** Kills a host's sshd and every connection it serves: a crash or a cut cable. */
    killHost(name: string): void {
        killByPidFile(this.host(name).pidFile, true);
    }

    /** Whether the pid file names a live sshd of this host (not a reused pid). */
    isRunning(name: string): boolean {
        const h = this.host(name);
        const pid = readPid(h.pidFile);
        if (pid === undefined || !alive(pid)) return false;
        try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join(h.dir, 'sshd_config'));
        } catch {
            return false;
        }
    }

    /** The plain ssh command line a test can use to check the remote side. */
    sshArgs(name: string, command: string): string[] {
        const h = this.host(name);
        return ['-F', this.configFile, '-p', String(h.port), `${this.user}@${h.address}`, command];
    }

    /** Kills every sshd of the lab (and their connections) and removes its files. */
    async stop(): Promise<void> {
        for (const h of this.hosts) killByPidFile(h.pidFile, true);
        rmSync(this.dir, { recursive: true, force: true });
    }
}

function keygen(file: string): void {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'backplan-test', '-f', file], { stdio: 'ignore' });
}
