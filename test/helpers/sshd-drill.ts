/**
 * Drill fixtures on top of the sshd lab: a runbook whose servers live on lab hosts, each
 * with a fake application (stop/start write its state and a log through the BACKPLAN_*
 * environment), and a way to run the built CLI against it with --ssh-config.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { spawnCli, type CliResult } from './run-cli.js';
import type { SshdLab } from './sshd.js';

export { CLI } from './run-cli.js';


export interface DrillServer {
    readonly name: string;
    /** Lab host it runs on ('unreachable' for a closed port on 127.0.0.9). */
    readonly host: string;
    readonly role: 'mail' | 'catalog' | 'catalog master';
    /** Data folder below the host's root (may hold odd characters). */
    readonly data: string;
}

export interface DrillOptions {
    readonly servers: readonly DrillServer[];
    readonly folders?: ReadonlyArray<{ name: string; on: string[]; path?: string }>;
    readonly schedule?: 'rolling' | `parallel ${number}`;
    /** Extra shell run by a server's stop command (after it records the stop). */
    readonly onStop?: Readonly<Record<string, string>>;
    /** Port for the 'unreachable' host. */
    readonly unreachablePort?: number;
    /** ssh config to pass instead of the lab's. */
    readonly sshConfig?: string;
    /** One log that every server's stop/start appends to (order across servers). */
    readonly sharedLog?: string;
    /** Seconds every stop command sleeps after recording (to make overlaps visible). */
    readonly stopSleep?: number;
}

/** A runbook string literal (the grammar's strings: no double quote, no backslash inside). */
function lit(s: string): string {
    if (s.includes('"') || s.includes('\\')) throw new Error(`cannot put ${s} in a runbook string`);
    return `"${s}"`;
}

export class Drill {
    readonly runbook: string;
    readonly tape: string;
    readonly state: string;

    constructor(readonly lab: SshdLab, readonly dir: string, readonly options: DrillOptions) {
        mkdirSync(dir, { recursive: true });
        this.runbook = path.join(dir, 'drill.backplan');
        this.tape = path.join(dir, 'tape');
        this.state = path.join(dir, 'state');
        const lines = ['runbook "SSH drill"', '', `tape Vault {\n  at ${lit(this.tape)}\n}`, ''];
        for (const s of options.servers) {
            const url = s.host === 'unreachable' ? `ssh://${lab.user}@127.0.0.9:${options.unreachablePort}` : lab.host(s.host).url;
            const app = this.appDir(s.name);
            mkdirSync(app, { recursive: true });
            mkdirSync(this.dataPath(s), { recursive: true });
            const record = (what: string): string =>
                `echo ${what} $BACKPLAN_ACTION $BACKPLAN_SERVER >> '${app}/app.log' && echo ${what} > '${app}/app.state'`
                + (options.sharedLog ? ` && echo $BACKPLAN_ACTION $BACKPLAN_SERVER >> '${options.sharedLog}'` : '');
            const extra = [options.onStop?.[s.name], options.stopSleep ? `sleep ${options.stopSleep}` : undefined].filter(Boolean).join(' && ');
            lines.push(`server ${s.name} {`, `  role ${s.role}`, `  host ${lit(url)}`, `  data ${lit(this.dataPath(s))}`,
                `  stop ${lit(record('stopped') + (extra ? ` && ${extra}` : ''))}`, `  start ${lit(record('running'))}`, '}', '');
        }
        for (const f of options.folders ?? []) {
            lines.push(`folder ${f.name} on ${f.on.join(', ')}${f.path ? ` { path ${lit(f.path)} }` : ''}`);
        }
        lines.push('', 'backup Nightly {', `  servers ${options.servers.map(s => s.name).join(', ')}`, '  to Vault',
            `  ${options.schedule ?? 'rolling'}`, '}', '');
        writeFileSync(this.runbook, lines.join('\n'));
    }

    /** Where a server's fake application keeps its state (outside the data folder). */
    appDir(server: string): string {
        return path.join(this.dir, 'apps', server);
    }

    dataPath(s: DrillServer): string {
        const root = s.host === 'unreachable' ? path.join(this.dir, 'unreachable-root') : this.lab.host(s.host).root;
        return path.join(root, s.data);
    }

    server(name: string): DrillServer {
        return this.options.servers.find(s => s.name === name)!;
    }

    /** The application's log lines (`stopped stop Cat1`, `running start Cat1`). */
    appLog(server: string): string[] {
        const f = path.join(this.appDir(server), 'app.log');
        return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
    }

    appState(server: string): string | undefined {
        const f = path.join(this.appDir(server), 'app.state');
        return existsSync(f) ? readFileSync(f, 'utf8').trim() : undefined;
    }

    /** Runs the CLI on the drill's runbook; `onStderr` sees its progress as it comes (to wait for an event). */
    cli(verb: string, args: readonly string[] = [], env: Record<string, string | undefined> = {}, onSpawn?: (pid: number) => void,
        onStderr?: (text: string) => void): Promise<CliResult> {
        const child = spawnCli([verb, this.runbook, '--ssh-config', this.options.sshConfig ?? this.lab.configFile, '--state', this.state, ...args], {
            env: { NO_COLOR: '1', ...env }, onStderr, timeoutMs: 600_000
        });
        if (child.pid) onSpawn?.(child.pid);
        return child.result;
    }
}
