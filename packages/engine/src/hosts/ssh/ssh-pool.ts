/**
 * The SSH hosts of one run (one CLI process): one SshHost, so one multiplexed connection,
 * per destination and ssh config, however often the engine asks for it; all control
 * sockets in one private temp folder; every master closed with `ssh -O exit` and the
 * folder removed when the process exits. Registered with open-host.ts on import.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { HostSpec } from '@backplan/language/model';
import { registerSshHost, type HostOptions } from '../open-host.js';
import { DEFAULT_RETRY, makeControlDir, resolveSshConfig, type RetryPolicy } from './ssh-connection.js';
import { SshHost } from './ssh-host.js';

const pool = new Map<string, SshHost>();
let controlDir: string | undefined;
let exitHook = false;

/**
 * Retry policy from BACKPLAN_SSH_RETRIES (attempts after the host has been reached once;
 * default 8, about 30 s of backoff). 1 disables reconnection.
 */
export function retryFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
    const n = Number(env.BACKPLAN_SSH_RETRIES);
    return Number.isInteger(n) && n >= 1 ? { ...DEFAULT_RETRY, attempts: n } : DEFAULT_RETRY;
}

/** The run's SSH host for a spec (created on first use). */
export function openSshHost(spec: Extract<HostSpec, { kind: 'ssh' }>, options: HostOptions = {}): SshHost {
    const configFile = resolveSshConfig(options.sshConfig);
    const key = JSON.stringify([configFile ?? null, spec.user ?? null, spec.hostname, spec.port]);
    let host = pool.get(key);
    if (!host) {
        controlDir ??= makeControlDir();
        if (!exitHook) {
            exitHook = true;
            process.once('exit', closeSshHostsSync);
        }
        host = new SshHost({ user: spec.user, hostname: spec.hostname, port: spec.port }, {
            configFile, controlDir, retry: retryFromEnv(),
            onRetry: (_label, attempt, delayMs, reason) =>
                process.stderr.write(`${reason}; reconnecting in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})\n`)
        });
        pool.set(key, host);
    }
    return host;
}

/** Closes every connection of the run and removes the socket folder, at process exit (synchronous: `exit` handlers cannot wait). */
function closeSshHostsSync(): void {
    for (const h of pool.values()) {
        const c = h.connection;
        spawnSync(c.options.sshPath ?? 'ssh', [
            ...(c.options.configFile !== undefined ? ['-F', c.options.configFile] : []),
            '-o', `ControlPath=${c.controlPath}`, '-O', 'exit', '--', c.target.hostname
        ], { stdio: 'ignore', timeout: 5000 });
    }
    pool.clear();
    if (controlDir) rmSync(controlDir, { recursive: true, force: true });
}

registerSshHost(openSshHost);
