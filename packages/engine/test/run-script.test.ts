import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { RUN_TRAILER, runScript } from '../src/hosts/ssh/remote-scripts.js';

/** The script SshHost.run sends, run by sh as sshd's login shell would: stdin stays open (its end means "abort"). */
function run(command: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const child = spawn('sh', ['-c', runScript(command)], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    return new Promise(resolve => child.on('close', status => { child.stdin.end(); resolve({ status, stdout, stderr }); }));
}

it('runs the command even where no temporary file can be made (a full disk must not keep a start from running)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-run-'));
    try {
        const marker = path.join(dir, 'started');
        const r = await run(`echo hello; touch '${marker}'`, { TMPDIR: path.join(dir, 'missing') });
        expect(r.status).toBe(0);
        expect(fs.existsSync(marker)).toBe(true);
        expect(r.stdout).toMatch(/output not kept: no temporary file could be made/);
        expect(r.stderr).toContain(`${RUN_TRAILER} 0`);

        const kept = await run('echo hello; exit 3', { TMPDIR: dir });
        expect(kept.status).toBe(3);
        expect(kept.stdout).toBe('hello\n');
        expect(execFileSync('ls', [dir], { encoding: 'utf8' }).trim()).toBe('started');
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

it.skipIf(process.getuid?.() !== 0)('runs the command when the temporary folder is on a full disk (the file is made, its writes fail)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-run-full-'));
    let mounted = false;
    try {
        try {
            execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
            mounted = true;
        } catch {
            if (process.env.BACKPLAN_REQUIRE_MOUNT === '1') throw new Error('mount -t tmpfs is not permitted here (BACKPLAN_REQUIRE_MOUNT=1)');
            return;
        }
        spawnSyncFill(path.join(dir, 'fill'));
        const marker = path.join(os.tmpdir(), `bp-run-full-started-${process.pid}`);
        const r = await run(`echo starting || exit 9; touch '${marker}'`, { TMPDIR: dir });
        expect(r.status).toBe(0);
        expect(fs.existsSync(marker)).toBe(true);
        fs.rmSync(marker, { force: true });
        expect(r.stdout).toMatch(/output not kept/);
    } finally {
        if (mounted) execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

/** Fills the file system holding `file` (dd stops at ENOSPC). */
function spawnSyncFill(file: string): void {
    try { execFileSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=4k'], { stdio: 'ignore' }); } catch { /* full */ }
}

