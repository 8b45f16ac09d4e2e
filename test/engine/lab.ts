/**
 * A throw-away lab for end-to-end runner tests: a temp folder with data folders, a tape,
 * a state folder and a `bin/` put first on the PATH that holds
 *   demo-app     the demo servers (examples/demo/demo-app.mjs)
 *   tar          a pass-through to the real tar that, when LAB_TAR_MODE is set, misbehaves
 *                on --create: `stall` (send 64 KiB, write its pid to LAB_TAR_MARK, hang as
 *                that one process), `kill` (send 64 KiB, then die of SIGKILL mid-stream) or
 *                `truncate` (send 64 KiB, then exit 0: a stream cut short that looks fine)
 * It is the shared lab (test/helpers/lab.ts: runbook, tape, state, the CLI as a child
 * process, the journal) with this bin/ and the demo servers.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunbookLab, waitFor, waitForFile, type LabEnv } from '../helpers/lab.js';
import { CLI, type CliResult } from '../helpers/run-cli.js';

export const REPO = path.resolve(__dirname, '../..');
const DEMO_APP = path.join(REPO, 'examples/demo/demo-app.mjs');
const REAL_TAR = execFileSync('sh', ['-c', 'command -v tar']).toString().trim();

/** The CLI every end-to-end test runs (test/helpers/run-cli.ts: BACKPLAN_TEST_CLI or the bin). */
export { CLI, type CliResult, waitFor, waitForFile };

export interface ServerSpec {
    name: string;
    role?: 'mail' | 'catalog';
    stop?: string;
    start?: string;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class Lab extends RunbookLab {
    readonly bin: string;
    private readonly mounts: string[] = [];

    constructor(root: string) {
        super(root);
        this.bin = path.join(root, 'bin');
        fs.mkdirSync(this.bin, { recursive: true });
        fs.writeFileSync(path.join(this.bin, 'demo-app'), `#!/bin/sh\nexec ${q(process.execPath)} ${q(DEMO_APP)} "$@"\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(this.bin, 'tar'), `#!/bin/sh
case " $* " in
  *" --create "*)
    case "$LAB_TAR_MODE" in
      stall) ${q(REAL_TAR)} "$@" | head -c 65536; echo $$ > "$LAB_TAR_MARK"; exec sleep 600 ;;
      kill) ${q(REAL_TAR)} "$@" | head -c 65536; kill -KILL $$ ;;
      truncate) ${q(REAL_TAR)} "$@" | head -c 65536; exit 0 ;;
    esac ;;
esac
exec ${q(REAL_TAR)} "$@"
`, { mode: 0o755 });
    }

    static create(): Lab {
        return new Lab(fs.mkdtempSync(path.join(os.tmpdir(), 'backplan-lab-')));
    }

    /**
     * Writes a runbook: the servers, one tape at `this.tape`, one backup of them all, and
     * the given folders (default: one folder `Shared` on every catalog server).
     */
    writeRunbook(servers: ServerSpec[], options: { keep?: string; parallel?: number; tapeAt?: string; folders?: Array<{ name: string; on: string[] }> } = {}): void {
        const lines = [`tape T { at "${options.tapeAt ?? this.tape}"${options.keep ? ` keep ${options.keep}` : ''} }`];
        const catalogs = servers.filter(s => s.role === 'catalog');
        for (const s of servers) {
            fs.mkdirSync(this.data(s.name), { recursive: true });
            lines.push(`server ${s.name} { role ${s.role ?? 'mail'}${s.role === 'catalog' && s === catalogs[0] ? ' master' : ''} host local data "${this.data(s.name)}" stop "${s.stop ?? 'demo-app stop'}" start "${s.start ?? 'demo-app start'}" }`);
        }
        if (options.folders) for (const f of options.folders) lines.push(`folder ${f.name} on ${f.on.join(', ')}`);
        else if (catalogs.length) lines.push(`folder Shared on ${catalogs.map(s => s.name).join(', ')}`);
        lines.push(`backup Nightly { servers ${servers.map(s => s.name).join(', ')} to T ${options.parallel ? `parallel ${options.parallel}` : 'rolling'} }`);
        fs.writeFileSync(this.runbook, lines.join('\n') + '\n');
    }

    /** bin/ first on the PATH (of the run, the lab or this process). */
    protected override runEnv(env: LabEnv): LabEnv {
        const merged = super.runEnv(env);
        return { ...merged, PATH: `${this.bin}${path.delimiter}${merged.PATH ?? process.env.PATH}` };
    }

    /** Runs a demo-app verb for a server; returns its exit code. */
    app(name: string, verb: 'start' | 'stop' | 'status', role = 'mail'): number {
        try {
            execFileSync(path.join(this.bin, 'demo-app'), [verb, '--data', this.data(name), '--role', role], { stdio: 'ignore' });
            return 0;
        } catch (err) {
            return (err as { status?: number }).status ?? 1;
        }
    }

    running(name: string): boolean {
        return this.app(name, 'status') === 0;
    }

    /** Mounts a tmpfs of the given size on the tape folder (false when not permitted). */
    mountTape(options: string): boolean {
        try {
            execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', this.tape], { stdio: 'ignore' });
            this.mounts.push(this.tape);
            return true;
        } catch {
            return false;
        }
    }

    remountTape(options: string): void {
        execFileSync('mount', ['-o', `remount,${options}`, this.tape], { stdio: 'ignore' });
    }

    /** Archive files and manifests on the tape. */
    tapeFiles(): string[] {
        const dir = path.join(this.tape, 'archives');
        return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    }

    /** Archive files on the tape under their final name that have no manifest (garbage). */
    orphanArchives(): string[] {
        const files = this.tapeFiles();
        return files.filter(f => /\.tar\.(zst|gz)$/.test(f) && !files.includes(f.replace(/\.tar\.(zst|gz)$/, '.manifest.json')));
    }

    /** The listed archives (`backplan archives --format json`). */
    async archives(): Promise<Array<{ id: string; server: string; verified: { ok: boolean } | null; problem?: string }>> {
        const r = await this.cli('archives', ['--format', 'json']);
        if (r.code !== 0) throw new Error(`archives failed: ${r.stderr}`);
        return JSON.parse(r.stdout).archives;
    }

    /** Stops every demo server and removes the lab (unmounting what it mounted). */
    override dispose(): void {
        const servers = path.join(this.root, 'servers');
        if (fs.existsSync(servers)) for (const name of fs.readdirSync(servers)) this.app(name, 'stop');
        for (const m of this.mounts.reverse()) {
            try { execFileSync('umount', ['-l', m], { stdio: 'ignore' }); } catch { /* already gone */ }
        }
        super.dispose();
    }
}

/** Fills a folder with some mail-like files. */
export function seedMail(dir: string, count = 20, size = 4096): void {
    fs.mkdirSync(path.join(dir, 'Inbox'), { recursive: true });
    for (let i = 0; i < count; i++) fs.writeFileSync(path.join(dir, 'Inbox', `seed-${i}.eml`), `Subject: ${i}\n\n${'x'.repeat(size)}\n`);
}

/** Extracts an archive (zstd or gzip) with the plain system tar into a fresh folder. */
export function extractWithTar(archive: string, into: string): void {
    fs.mkdirSync(into, { recursive: true });
    const tool = archive.endsWith('.zst') ? 'zstd' : 'gzip';
    execFileSync('sh', ['-c', `${tool} -dc "$1" | ${q(REAL_TAR)} -x --numeric-owner -p -f - -C "$2"`, 'sh', archive, into]);
}
