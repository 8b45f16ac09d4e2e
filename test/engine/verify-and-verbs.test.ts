/**
 * `verify` catches any damage; the run verbs' contract: refusals, warnings, dry runs that
 * touch nothing, JSON on stdout only, exit codes, prune's order and retention.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, seedMail, waitFor } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

async function backedUp(): Promise<{ lab: Lab; id: string; archive: string; manifest: string }> {
    const l = Lab.create();
    lab = l;
    l.writeRunbook([{ name: 'Mail1', stop: 'true', start: 'true' }]);
    seedMail(l.data('Mail1'), 40, 3000);
    fs.writeFileSync(path.join(l.data('Mail1'), 'big.bin'), Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + (i >> 9)) % 251)));
    const r = await l.cli('backup');
    expect(r.code, r.stderr).toBe(0);
    const [a] = await l.archives();
    const archive = path.join(l.tape, 'archives', l.tapeFiles().find(f => f.endsWith('.tar.zst'))!);
    return { lab: l, id: a.id, archive, manifest: path.join(l.tape, 'archives', `${a.id}.manifest.json`) };
}

describe('verify', () => {
    it('catches a flipped byte anywhere in an archive, and passes again once it is repaired', async () => {
        const { lab: l, id, archive } = await backedUp();
        const original = fs.readFileSync(archive);
        for (const at of [0, 7, Math.floor(original.length / 3), Math.floor(original.length / 2), original.length - 1]) {
            const damaged = Buffer.from(original);
            damaged[at] ^= 0x01;
            fs.writeFileSync(archive, damaged);
            const r = await l.cli('verify', ['--archive', id]);
            expect(r.code, `flip at ${at}`).toBe(1);
            expect(r.stdout).toMatch(/FAILED/);
            expect(r.stdout).toMatch(/SHA-256 .* differs/);
        }
        fs.writeFileSync(archive, original);
        expect((await l.cli('verify', ['--archive', id])).code).toBe(0);
        const json = JSON.parse((await l.cli('verify', ['--format', 'json'])).stdout);
        expect(json).toMatchObject({ version: 1, ok: true, archives: [{ id, ok: true }] });
    });

    it('fails on a truncated archive, a manifest without archive, and an unknown --archive', async () => {
        const { lab: l, id, archive } = await backedUp();
        const original = fs.readFileSync(archive);
        fs.writeFileSync(archive, original.subarray(0, original.length - 100));
        let r = await l.cli('verify');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/truncated or replaced/);
        fs.rmSync(archive);
        r = await l.cli('verify');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/archive file missing/);
        r = await l.cli('verify', ['--archive', 'nope']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/no archive nope/);
        expect((await l.archives())[0]).toMatchObject({ id, problem: 'archive file missing' });
    });

    it('never lists an archive without manifest; prune removes it (manifest first, then data)', async () => {
        const { lab: l, manifest } = await backedUp();
        fs.rmSync(manifest);
        expect(await l.archives()).toEqual([]);
        expect((await l.cli('verify')).stdout).toMatch(/No archives to verify/);
        const dry = await l.cli('prune', ['--dry-run']);
        expect(dry.stdout).toMatch(/would remove .*\.tar\.zst \(no manifest: incomplete\)/);
        expect(l.tapeFiles().some(f => f.endsWith('.tar.zst'))).toBe(true);
        expect((await l.cli('prune')).code).toBe(0);
        expect(l.tapeFiles().filter(f => f.endsWith('.tar.zst'))).toEqual([]);
    });
});

describe('run verbs', () => {
    it('prune applies keep last N per server and never removes the newest verified archive', async () => {
        const l = Lab.create();
        lab = l;
        l.writeRunbook([{ name: 'Mail1', stop: 'true', start: 'true' }], { keep: 'last 2' });
        seedMail(l.data('Mail1'), 3);
        for (let i = 0; i < 4; i++) {
            const r = await l.cli('backup');
            expect(r.code, r.stdout + r.stderr).toBe(0);
        }
        const before = (await l.archives()).map(a => a.id);
        const dry = JSON.parse((await l.cli('prune', ['--dry-run', '--format', 'json'])).stdout);
        expect(dry.tapes[0].remove.map((x: any) => x.id)).toEqual(before.slice(0, 2));
        expect(await l.archives()).toHaveLength(4);
        const real = await l.cli('prune');
        expect(real.code).toBe(0);
        expect(real.stdout).toMatch(/removed/);
        expect((await l.archives()).map(a => a.id)).toEqual(before.slice(2));
        expect(l.tapeFiles().filter(f => before.slice(0, 2).some(id => f.startsWith(id)))).toEqual([]);
    });

    it('prune is journalled: history shows what a finished prune removed, and a killed prune as interrupted', async () => {
        const l = Lab.create();
        lab = l;
        l.writeRunbook([{ name: 'Mail1', stop: 'true', start: 'true' }], { keep: 'last 1' });
        seedMail(l.data('Mail1'), 3);
        for (let i = 0; i < 2; i++) expect((await l.cli('backup')).code).toBe(0);
        const oldest = (await l.archives())[0].id;
        expect((await l.cli('prune')).code).toBe(0);
        // A prune killed while it waits for a tape locked by a live process (this test).
        fs.writeFileSync(path.join(l.tape, 'lock.json'), JSON.stringify({ pid: process.pid, host: os.hostname(), command: 'test', started: new Date().toISOString(), token: 'test' }));
        const killed = l.spawnCli('prune', ['--wait']);
        await waitFor(() => l.journal().filter(r => r.type === 'step' && r.step === 'prune' && r.event === 'begin').length === 2);
        killed.kill('SIGKILL');
        await killed.result;
        fs.rmSync(path.join(l.tape, 'lock.json'));
        const history = await l.cli('history', ['--format', 'json']);
        const prunes = JSON.parse(history.stdout).runs.filter((r: any) => r.verb === 'prune');
        expect(prunes.map((r: any) => r.state)).toEqual(['ok', 'interrupted']);
        expect(prunes[0].tapes).toEqual([{ tape: 'T', ok: true, removed: [oldest] }]);
        expect((await l.cli('history')).stdout).toContain(`tape T: removed ${oldest}`);
    });

    it('--dry-run prints the plan and touches nothing (text and JSON)', async () => {
        const l = Lab.create();
        lab = l;
        fs.rmSync(l.tape, { recursive: true });
        l.writeRunbook([{ name: 'Mail1' }, { name: 'Cat1', role: 'catalog' }, { name: 'Cat2', role: 'catalog' }], { parallel: 2 });
        const text = await l.cli('backup', ['--dry-run']);
        expect(text.code).toBe(0);
        expect(text.stdout).toMatch(/parallel 2: up to 2 servers at once/);
        expect(text.stdout).toMatch(/Mail1: stop the application: demo-app stop/);
        const json = await l.cli('backup', ['--dry-run', '--format', 'json']);
        const plan = JSON.parse(json.stdout);
        expect(plan.steps.map((s: any) => s.action).slice(0, 4)).toEqual(['preflight', 'lock', 'stop', 'archive']);
        expect(plan.backups[0].servers.map((s: any) => [s.name, s.folders.map((f: any) => f.name)])).toEqual([['Mail1', []], ['Cat1', ['Shared']], ['Cat2', ['Shared']]]);
        expect(fs.existsSync(l.tape)).toBe(false);
        expect(fs.existsSync(l.state)).toBe(false);
    });

    it('refuses a runbook with blocking errors (exit 1, diagnostics shown) and warns about the others', async () => {
        const l = Lab.create();
        lab = l;
        l.writeRunbook([{ name: 'Mail1' }]);
        const good = fs.readFileSync(l.runbook, 'utf8');
        fs.writeFileSync(l.runbook, good.replace('host local', 'host "ftp://nope"'));
        let r = await l.cli('backup', ['--dry-run']);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/error: .*\[host\.invalid\]/);
        expect(r.stderr).toMatch(/refused/);
        expect(r.stderr).not.toMatch(/ at .*\.m?js:\d+/);
        r = await l.cli('archives', ['--format', 'json']);
        expect(r.code).toBe(1);
        expect(JSON.parse(r.stdout)).toMatchObject({ refused: true, diagnostics: [{ code: 'host.invalid' }] });
        // coverage.single-copy (a second server with no backup) does not block a backup of Mail1.
        fs.writeFileSync(l.runbook, good + `server Other { role mail host local data "${l.data('Other')}" stop "true" start "true" }\n`);
        r = await l.cli('backup', ['--dry-run']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/warning: .*\[coverage\.single-copy\]/);
        expect(r.stderr.match(/\[coverage\.single-copy\]/g)).toHaveLength(1);
        // An error that blocks backup is shown once, as the error that refuses the run (not
        // first as "not blocking this run", then again as the reason).
        fs.writeFileSync(l.runbook, good.replace(/stop "[^"]*"/, ''));
        r = await l.cli('backup', ['--dry-run']);
        expect(r.code).toBe(1);
        expect(r.stderr.match(/\[backup\.no-stop\]/g)).toHaveLength(1);
        expect(r.stderr).toMatch(/error: .*\[backup\.no-stop\]/);
        expect(r.stderr).not.toMatch(/not blocking this run/);
    });

    it('exit 2 on bad usage; JSON results alone on stdout', async () => {
        const l = Lab.create();
        lab = l;
        l.writeRunbook([{ name: 'Mail1', stop: 'true', start: 'true' }]);
        expect((await l.cli('backup', ['--policy', 'Nope'])).code).toBe(2);
        expect((await l.cli('backup', ['--server', 'Nope'])).code).toBe(2);
        expect((await l.cli('verify', ['--tape', 'Nope'])).code).toBe(2);
        expect((await l.cli('backup', ['--format', 'yaml'])).code).toBe(2);
        const r = await l.cli('backup', ['--format', 'json']);
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout);
        expect(out).toMatchObject({ version: 1, ok: true, servers: [{ server: 'Mail1', ok: true, started: true }] });
        const history = JSON.parse((await l.cli('history', ['--format', 'json'])).stdout);
        expect(history.runs).toMatchObject([{ verb: 'backup', state: 'ok' }]);
        // The stop window of each server: from its journal records, in JSON and in the table.
        const window = history.runs[0].servers.find((s: { server: string }) => s.server === 'Mail1').stopWindow;
        expect(window).toBeGreaterThan(0);
        expect((await l.cli('history')).stdout).toContain(`Mail1 (down ${window.toFixed(1)} s)`);
        expect(fs.readdirSync(path.join(l.tape, 'runs'))).toEqual([`${out.runId}.json`]);
        expect((await l.cli('unlock')).stdout).toMatch(/not locked/);
    });
});
