/**
 * The stop-window lab: the engine's lab (test/engine/lab.ts: a tape, a state folder, a
 * runbook, `bin/` first on the PATH with its tar wrapper — LAB_TAR_MODE=stall hangs an
 * archive mid-stream —, the built CLI) plus a control folder for the writer application
 * (fixtures/writer.mjs), whose stop and start commands pause and resume it:
 *
 *   bin/app-stop    CTL/pause → wait for CTL/paused (the writer recorded its last number)
 *   bin/app-start   remove the flags → wait for CTL/resumed (it wrote the next file)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Lab, waitFor } from '../engine/lab.js';

export { waitFor };

const WRITER = path.join(__dirname, 'fixtures', 'writer.mjs');
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The engine lab (tape, state, bin/ with the stalling tar wrapper, the CLI), with the writer's control folder and commands. */
export class StopWindowLab extends Lab {
    readonly ctl = path.join(this.root, 'ctl');
    private writer?: ChildProcess;
    private readonly disposers: Array<() => void> = [];

    constructor() {
        super(fs.mkdtempSync(path.join(os.tmpdir(), 'backplan-stopwin-')));
        fs.mkdirSync(this.ctl);
        const script = (name: string, body: string): void => fs.writeFileSync(path.join(this.bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        script('app-stop', `touch ${q(this.ctl)}/pause\nwhile [ ! -e ${q(this.ctl)}/paused ]; do sleep 0.005; done`);
        script('app-start', `rm -f ${q(this.ctl)}/paused ${q(this.ctl)}/resumed ${q(this.ctl)}/pause\nwhile [ ! -e ${q(this.ctl)}/resumed ]; do sleep 0.005; done`);
    }

    /** Writes the runbook: tape T, the given server declarations (text), one backup of them all. */
    writeServers(servers: Record<string, string>): void {
        const lines = [`tape T { at "${this.tape}" }`];
        for (const [name, body] of Object.entries(servers)) lines.push(`server ${name} { ${body} }`);
        lines.push(`backup Nightly { servers ${Object.keys(servers).join(', ')} to T }`);
        fs.writeFileSync(this.runbook, lines.join('\n') + '\n');
    }

    /** The stop and start attributes of the writer application. */
    get writerCommands(): string {
        return `stop "${path.join(this.bin, 'app-stop')}" start "${path.join(this.bin, 'app-start')}" timeout 1m`;
    }

    /** Starts the writer on a data folder; waits until it has written its first file. */
    async startWriter(data: string): Promise<void> {
        this.writer = spawn(process.execPath, [WRITER, data, this.ctl], { stdio: 'ignore' });
        await waitFor(() => fs.existsSync(path.join(data, 'writer', 'w-1')));
    }

    /** The writer's last number at each stop (CTL/stops.log). */
    stops(): number[] {
        const file = path.join(this.ctl, 'stops.log');
        return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
    }

    /** Runs `fn` when the lab is disposed (before the folder goes). */
    onDispose(fn: () => void): void {
        this.disposers.push(fn);
    }

    /** Stops the writer (by its pid), runs the disposers, removes the lab. */
    override dispose(): void {
        if (this.writer?.pid) try { process.kill(this.writer.pid, 'SIGKILL'); } catch { /* gone */ }
        for (const fn of this.disposers.reverse()) fn();
        super.dispose();
    }
}

/** The writer's file names w-1 … w-n, as an archive lists them (`writer/w-N`). */
export function writerFiles(n: number): string[] {
    return Array.from({ length: n }, (_, i) => `writer/w-${i + 1}`).sort();
}
