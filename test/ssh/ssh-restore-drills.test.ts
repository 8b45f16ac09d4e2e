/**
 * Restore, replica and recover drills across three real sshd hosts through the built CLI
 * (issue 4's verbs over issue 5's SSH host): restore from tape, restore from a replica on
 * another ssh host, and recover with two hosts lost. Data is compared with what was
 * backed up (or with the live replica), entry by entry: path, type, mode, owner, mtime,
 * SHA-256.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalHost } from '../../packages/engine/out/hosts/local-host.js';
import { CLI, Drill, type DrillServer } from '../helpers/sshd-drill.js';
import { SshdLab, sshdSkip, sshdSuiteName } from '../helpers/sshd.js';

const local = new LocalHost();
const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

const SERVERS: DrillServer[] = [
    { name: 'Mail1', host: 'mail1', role: 'mail', data: 'srv/mail' },
    { name: 'Cat1', host: 'cat1', role: 'catalog master', data: 'srv/catalog' },
    { name: 'Cat2', host: 'cat2', role: 'catalog', data: 'srv/catalog' }
];
const FOLDERS = [
    { name: 'Engineering', on: ['Cat1', 'Cat2'] },
    { name: 'Sales', on: ['Cat1', 'Cat2'], path: "Sales $(touch PWNED) 'Dept'" }
];

function fill(base: string, files: Record<string, string>): void {
    for (const [rel, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
        writeFileSync(path.join(base, rel), content);
    }
}

/** A folder's entries as a restore must reproduce them (the folder itself aside). */
async function snapshot(dir: string): Promise<unknown[]> {
    return (await local.listFiles(dir)).filter(e => e.path !== '.');
}

/** Backplan's own staging / set-aside folders left beside a data folder. */
function leftovers(data: string): string[] {
    const parent = path.dirname(data);
    return readdirSync(parent).filter(n => n.includes('.backplan-'));
}

describe.skipIf(sshdSkip)(sshdSuiteName('SSH restore drills through the CLI (three sshd hosts)'), () => {
    let lab: SshdLab;
    let work: string;
    let n = 0;

    /** A drill with data on all three hosts (`prepare` runs on it first), backed up once. */
    const backedUp = async (prepare?: (root: (s: string) => string) => void): Promise<Drill> => {
        const d = new Drill(lab, path.join(work, `drill-${++n}`), { servers: SERVERS, folders: FOLDERS });
        const root = (s: string): string => d.dataPath(d.server(s));
        for (const s of SERVERS) rmSync(root(s.name), { recursive: true, force: true });
        fill(root('Mail1'), { 'cur/1.eml': 'mail one\n', 'new/odd $(id) \'q\'.eml': 'odd\n' });
        for (const c of ['Cat1', 'Cat2']) {
            fill(root(c), { 'Engineering/a.ldif': 'eng a\n', [`${FOLDERS[1].path}/b.ldif`]: 'sales b\n', 'local-only.conf': `${c}\n` });
        }
        prepare?.(root);
        const r = await d.cli('backup', ['--format', 'json']);
        expect(r.code, r.stderr).toBe(0);
        return d;
    };

    beforeAll(async () => {
        if (!existsSync(CLI.replace(/bin\/backplan\.js$/, 'dist/backplan.mjs'))) throw new Error('build the CLI first: npm run build');
        lab = await SshdLab.start({ hosts: ['mail1', 'cat1', 'cat2'] });
        work = mkdtempSync(path.join(tmpdir(), 'bp-restore-drill-'));
    });

    afterAll(async () => {
        await lab?.stop();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    test('restore from tape over ssh: the data folder holds exactly the archive again', async () => {
        const d = await backedUp();
        const data = d.dataPath(d.server('Cat1'));
        const before = await snapshot(data);
        rmSync(path.join(data, 'Engineering', 'a.ldif'));
        writeFileSync(path.join(data, 'local-only.conf'), 'damaged\n');
        writeFileSync(path.join(data, 'stray'), 'not in the archive\n');
        const r = await d.cli('restore', ['--server', 'Cat1', '--from', 'tape']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(await snapshot(data)).toEqual(before);
        expect(leftovers(data)).toEqual([]);
        expect(d.appLog('Cat1').slice(-2)).toEqual(['stopped stop Cat1', 'running start Cat1']);
    });

    test('restore over ssh as root puts every owner back, the data folder\'s own included', async () => {
        // The application runs as its own user: a data folder left owned by root would lock it out.
        const d = await backedUp(root => {
            execFileSync('chown', ['-R', '1234:2345', root('Mail1')]);
            chmodSync(root('Mail1'), 0o750);
        });
        const data = d.dataPath(d.server('Mail1'));
        const before = await local.listFiles(data);
        expect(before.find(e => e.path === '.')).toMatchObject({ uid: 1234, gid: 2345, mode: 0o750 });
        rmSync(data, { recursive: true });
        const r = await d.cli('restore', ['--server', 'Mail1']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(await local.listFiles(data)).toEqual(before);
    });

    test('restore from a replica on another ssh host: folders come from Cat2, Cat1-only data is kept', async () => {
        const d = await backedUp();
        const cat1 = d.dataPath(d.server('Cat1'));
        const cat2 = d.dataPath(d.server('Cat2'));
        fill(cat2, { 'Engineering/new-on-cat2.ldif': 'fresher than any tape\n' });
        rmSync(path.join(cat1, 'Engineering'), { recursive: true });
        const r = await d.cli('restore', ['--server', 'Cat1', '--from', 'replica']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(await snapshot(path.join(cat1, 'Engineering'))).toEqual(await snapshot(path.join(cat2, 'Engineering')));
        expect(await snapshot(path.join(cat1, FOLDERS[1].path!))).toEqual(await snapshot(path.join(cat2, FOLDERS[1].path!)));
        expect(existsSync(path.join(cat1, 'local-only.conf'))).toBe(true);
        expect(d.appState('Cat1')).toBe('running');
        expect(d.appState('Cat2')).toBe('running');
        expect(leftovers(cat1)).toEqual([]);
    });

    // Also guards the CLI against exiting 0 on SIGPIPE (a write into the dead ssh's stdin):
    // that once ended this restore "successfully" mid-extract, Cat1 stopped, data set aside.
    test('sshd killed while a restore streams into staging: data untouched, the application started again after reconnecting', async () => {
        const d = await backedUp();
        const cat1 = d.dataPath(d.server('Cat1'));
        writeFileSync(path.join(cat1, 'Engineering', 'big.bin'), randomBytes(24 << 20));
        expect((await d.cli('backup', ['--server', 'Cat1'])).code).toBe(0);
        writeFileSync(path.join(cat1, 'local-only.conf'), 'damaged but still here\n');
        const before = await snapshot(cat1);
        // Restore through a proxy throttled to 4 MB/s, so the upload takes seconds.
        const throttled = path.join(work, `throttled-${n}`);
        writeFileSync(throttled, `Host ${lab.host('cat1').address}\n  ProxyCommand ${process.execPath} ${path.join(__dirname, 'throttle-proxy.mjs')} %h %p 4000000\n\n`
            + readFileSync(lab.configFile, 'utf8'));
        let progress = '';
        const run = d.cli('restore', ['--server', 'Cat1', '--from', 'tape', '--ssh-config', throttled], {}, undefined, text => { progress = text; });
        // Crash sshd once the upload is under way (bytes of big.bin in the staging folder beside
        // the data), and start it again once the runner says it is reconnecting.
        const staged = (): number => readdirSync(path.dirname(cat1)).filter(n => n.includes('.backplan-new-'))
            .reduce((sum, n) => { try { return sum + statSync(path.join(path.dirname(cat1), n, 'Engineering', 'big.bin')).size; } catch { return sum; } }, 0);
        const deadline = Date.now() + 60_000;
        while ((d.appLog('Cat1').filter(l => l.startsWith('stopped')).length < 3 || staged() < 1 << 20) && Date.now() < deadline) await sleep(20);
        lab.killHost('cat1');
        while (!/reconnecting in/.test(progress) && Date.now() < deadline) await sleep(20);
        await lab.startHost('cat1');
        const r = await run;
        expect(r.code, `restore exited ${r.code}:\n${r.stdout}\n${r.stderr}`).toBe(1);
        expect(d.appState('Cat1')).toBe('running');
        expect(await snapshot(cat1)).toEqual(before);
    });

    test('recover with two ssh hosts lost (Mail1 and the master Cat1): tape for Mail1, tape then live replica for Cat1', async () => {
        const d = await backedUp();
        const mail = d.dataPath(d.server('Mail1'));
        const cat1 = d.dataPath(d.server('Cat1'));
        const cat2 = d.dataPath(d.server('Cat2'));
        const mailBefore = await snapshot(mail);
        fill(cat2, { 'Engineering/after-backup.ldif': 'only the live replica has this\n' });
        rmSync(mail, { recursive: true });
        rmSync(cat1, { recursive: true });
        mkdirSync(mail);
        mkdirSync(cat1);
        const r = await d.cli('recover', ['--lost', 'Mail1,Cat1']);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(await snapshot(mail)).toEqual(mailBefore);
        expect(await snapshot(path.join(cat1, 'Engineering'))).toEqual(await snapshot(path.join(cat2, 'Engineering')));
        expect(existsSync(path.join(cat1, 'Engineering', 'after-backup.ldif'))).toBe(true);
        expect(existsSync(path.join(cat1, 'local-only.conf'))).toBe(true);
        for (const s of SERVERS) expect(d.appState(s.name) ?? 'running').toBe('running');
    });
});
