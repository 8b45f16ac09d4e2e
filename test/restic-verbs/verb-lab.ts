/**
 * A lab for the verbs on restic tapes, through the built CLI bundle and real restic 0.14:
 * a ResticLab (password file, restic cache, data trees; test/restic/restic-lab.ts), a
 * runbook with one restic tape and servers run by the restore drills' event app (which
 * logs every `stopping`/`started` to an events file: "the stop never ran" is a fact read
 * there, not a guess), a state folder, and helpers to read the repository with plain
 * restic (the independent witness of what Backplan did).
 *
 *   cli(VERB, ARGS…)     backplan VERB RUNBOOK --state STATE [--ssh-config F] ARGS…
 *   restic(ARGS…)        plain restic on the repository, with the lab's password
 *   tree(DIR)            every entry: type, mode, owner, mtime (ns), size, SHA-256, link
 *   noRestic()           a PATH of every tool of /usr/bin except restic
 *   loggedRestic(LAB)    a PATH whose restic logs each call, around the real one
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sftpCommandOption } from '../../packages/engine/out/restic/index.js';
import { RunbookLab } from '../helpers/lab.js';
import { ResticLab } from '../restic/restic-lab.js';

export const APP = path.resolve(__dirname, '../restore/fixtures/event-app.mjs');

/** A server of the lab's runbook. */
export interface VerbServer {
    name: string;
    role: 'mail' | 'catalog';
    master?: boolean;
    /** `local` or an `ssh://…` URL. */
    host?: string;
    /** Data folder (default ROOT/servers/NAME/data). */
    data?: string;
    /** The server's `exclude` patterns. */
    exclude?: string[];
}

/** The lab: one restic tape `Vault`, one backup `Nightly` of every server. */
export class VerbLab extends RunbookLab {
    readonly restic: ResticLab;
    readonly events: string;
    /** The tape's repository string. */
    readonly repository: string;
    sshConfig?: string;

    /** `repository`: the repository string, or made from the lab's folder. */
    constructor(repository: string | ((root: string) => string), readonly servers: VerbServer[], readonly folders: Array<{ name: string; on: string[]; path?: string }> = [],
        options: { keep?: string; passwordFile?: string; extra?: string } = {}) {
        const restic = ResticLab.create();
        super(restic.root);
        this.restic = restic;
        this.repository = typeof repository === 'string' ? repository : repository(this.root);
        this.events = path.join(this.root, 'events.log');
        this.writeRunbook(options);
    }

    /** Rewrites the runbook (another keep, password file, repository). */
    writeRunbook(options: { keep?: string; passwordFile?: string; repository?: string; extra?: string } = {}): void {
        const app = `EVENTS=${this.events} ${process.execPath} ${APP}`;
        const lines = [`tape Vault { restic "${options.repository ?? this.repository}" password-file "${options.passwordFile ?? this.restic.passwordFile}" offsite${options.keep ? ` keep ${options.keep}` : ''} }`];
        for (const s of this.servers) {
            lines.push(`server ${s.name} { role ${s.role}${s.master ? ' master' : ''} host ${s.host ? `"${s.host}"` : 'local'} data "${this.data(s.name)}" stop "${app} stop" start "${app} start"${s.exclude ? ` exclude ${s.exclude.map(p => `"${p}"`).join(' ')}` : ''} }`);
        }
        for (const f of this.folders) lines.push(`folder ${f.name} on ${f.on.join(', ')}${f.path ? ` { path "${f.path}" }` : ''}`);
        lines.push(`backup Nightly { servers ${this.servers.map(s => s.name).join(', ')} to Vault }`);
        if (options.extra) lines.push(options.extra);
        this.write(lines.join('\n') + '\n');
    }

    override data(server: string): string {
        const s = this.servers.find(x => x.name === server)!;
        return s.data ?? path.join(this.root, 'servers', server, 'data');
    }

    protected override extraArgs(): string[] {
        return this.sshConfig ? ['--ssh-config', this.sshConfig] : [];
    }

    protected override runEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
        return super.runEnv({ RESTIC_CACHE_DIR: this.restic.cacheDir, ...env });
    }

    /** Plain restic on the repository (JSON parsed when `--json` is given). */
    resticJson<T>(args: string[], repository = this.repository): T {
        const sftp = sftpCommandOption(repository, { configFile: this.sshConfig });
        const out = execFileSync('restic', [...(sftp ? ['-o', sftp] : []), ...args], {
            env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: this.restic.passwordFile, RESTIC_CACHE_DIR: this.restic.cacheDir },
            maxBuffer: 256 << 20
        }).toString();
        return JSON.parse(out.trim() === '' ? 'null' : out) as T;
    }

    /** The repository's snapshots as plain restic lists them. */
    snapshots(): Array<{ id: string; short_id: string; hostname: string; tags: string[]; time: string }> {
        return this.resticJson<Array<{ id: string; short_id: string; hostname: string; tags: string[]; time: string }> | null>(['snapshots', '--json', '--no-lock']) ?? [];
    }

    /** Runs the event app for a server (start/stop/status); its exit code. */
    app(verb: 'start' | 'stop' | 'status', server: string): number {
        return spawnSync(process.execPath, [APP, verb, this.data(server), server], { env: { ...process.env, EVENTS: this.events } }).status ?? 1;
    }

    eventLines(): string[] {
        return fs.existsSync(this.events) ? fs.readFileSync(this.events, 'utf8').trim().split('\n').filter(Boolean) : [];
    }

    clearEvents(): void {
        fs.rmSync(this.events, { force: true });
    }

    /** A PATH holding every tool of /usr/bin except restic (a host without restic). */
    noRestic(): string {
        const bin = path.join(this.root, 'no-restic-bin');
        if (!fs.existsSync(bin)) {
            fs.mkdirSync(bin);
            for (const tool of fs.readdirSync('/usr/bin')) if (tool !== 'restic') fs.symlinkSync(path.join('/usr/bin', tool), path.join(bin, tool));
        }
        return `${bin}:/usr/sbin:/sbin`;
    }

    override dispose(): void {
        for (const s of this.servers) this.app('stop', s.name);
        this.restic.remove();
    }
}

/** Every entry below a folder, the folder itself included: what a restore must give back byte for byte. */
export function tree(dir: string): string[] {
    const out: string[] = [];
    const walk = (rel: string): void => {
        const abs = rel === '.' ? dir : path.join(dir, rel);
        const st = fs.lstatSync(abs, { bigint: true });
        const meta = `${(st.mode & 0o7777n).toString(8)} ${st.uid}:${st.gid} ${st.mtimeNs}`;
        let line: string;
        if (st.isDirectory()) line = `dir ${meta}`;
        else if (st.isSymbolicLink()) line = `symlink ${st.uid}:${st.gid} ${st.mtimeNs} -> ${fs.readlinkSync(abs)}`;
        else if (st.isFIFO()) line = `fifo ${meta}`;
        else if (st.isSocket()) line = `socket ${meta}`;
        else line = `file ${meta} ${st.size} ${createHash('sha256').update(fs.readFileSync(abs)).digest('hex')}`;
        out.push(`${JSON.stringify(rel)}: ${line}`);
        if (st.isDirectory()) for (const n of fs.readdirSync(abs).sort()) walk(rel === '.' ? n : `${rel}/${n}`);
    };
    walk('.');
    return out;
}

/**
 * A restic on a PATH of its own that logs each call (`begin ARGS`, then `end VERB`) in
 * order: `before` runs first (shell, with the call's "$@"), then `run` (default: the real
 * restic with the same arguments).
 */
export function loggedRestic(lab: VerbLab, options: { before?: string; run?: string } = {}): { path: string; calls: () => string[] } {
    const bin = lab.restic.dir(`logged-restic-${Math.random().toString(36).slice(2, 8)}`);
    const log = path.join(bin, 'calls.log');
    fs.writeFileSync(path.join(bin, 'restic'), `#!/bin/sh
echo "begin $*" >> '${log}'
${options.before ?? ''}
${options.run ?? '/usr/bin/restic "$@"'}
rc=$?
echo "end $1" >> '${log}'
exit $rc
`, { mode: 0o755 });
    return { path: `${bin}:${process.env.PATH}`, calls: () => fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [] };
}

/** Bytes of every file below a folder. */
export function bytesBelow(dir: string): number {
    let n = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) n += bytesBelow(p);
        else if (e.isFile()) n += fs.statSync(p).size;
    }
    return n;
}
