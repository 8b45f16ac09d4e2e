/**
 * SSH primitives against a real sshd on loopback (test/helpers/sshd.ts): connection,
 * commands with environment, tar streams both ways, remote hashing, odd names, and every
 * way a connection fails. Compares with LocalHost on the same machine: the "remote" is
 * this machine, so both must see exactly the same bytes and the same metadata.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalHost } from '../../packages/engine/out/hosts/local-host.js';
import { EscapingLinkError, verifyTree } from '../../packages/engine/out/archiver/verify-restored.js';
import {
    SshError, SshHost, makeControlDir, shQuote, type SshHostOptions
} from '../../packages/engine/out/hosts/ssh/index.js';
import { SshdLab, freePort, sshdSkip, sshdSuiteName } from '../helpers/sshd.js';

/** Names that break naive quoting: each must round-trip as data and run nothing. */
export const ODD_NAMES = [
    'with space', "single'quote", 'double"quote', '$(touch PWNED-dollar)', '`touch PWNED-backtick`',
    'new\nline', 'tab\tname', 'ünïcödé 日本語', '-leading-dash', 'back\\slash', '*glob?[x]', ';rm -rf x;', '  '
];

async function sha256Of(stream: Readable): Promise<{ hash: string; bytes: number }> {
    const h = createHash('sha256');
    let bytes = 0;
    for await (const c of stream) { h.update(c as Buffer); bytes += (c as Buffer).length; }
    return { hash: h.digest('hex'), bytes };
}

/** Waits for a condition (the test's own timeout bounds it). */
async function waitFor(what: () => boolean): Promise<void> {
    while (!what()) await new Promise(res => setTimeout(res, 20));
}

/** Whether a process of this machine is alive. */
function alive(pid: number): boolean {
    try { process.kill(pid, 0); return true; } catch { return false; }
}

describe.skipIf(sshdSkip)(sshdSuiteName('SSH primitives against a real sshd'), () => {
    let lab: SshdLab;
    let runDir: string;
    let controlDir: string;
    const hosts: SshHost[] = [];
    const local = new LocalHost();

    const open = (name: string, extra: Partial<SshHostOptions> = {}): SshHost => {
        const h = lab.host(name);
        const host = new SshHost({ user: lab.user, hostname: h.address, port: h.port },
            { configFile: lab.configFile, controlDir, connectTimeoutSec: 3, ...extra });
        hosts.push(host);
        return host;
    };

    beforeAll(async () => {
        lab = await SshdLab.start({
            hosts: ['h1', 'h2', 'stranger', 'notar', 'crash'],
            untrusted: ['stranger'],
            remotePath: { notar: '/nonexistent-backplan-bin' }
        });
        runDir = mkdtempSync(path.join(tmpdir(), 'bp-run-'));
        controlDir = makeControlDir(runDir);
        await local.checkTools();
    });

    afterAll(async () => {
        for (const h of hosts) await h.close();
        await lab?.stop();
        if (runDir) rmSync(runDir, { recursive: true, force: true });
    });

    test('connects with BatchMode through one multiplexed connection, closed by ssh -O exit', async () => {
        const h1 = open('h1');
        await h1.connect();
        expect(await h1.connection.masterRunning()).toBe(true);
        const r = await h1.run('echo "$SSH_CONNECTION"');
        expect(r.ok).toBe(true);
        expect(r.output).toContain(`${lab.host('h1').address} ${lab.host('h1').port}`);
        await h1.close();
        expect(await h1.connection.masterRunning()).toBe(false);
    });

    test('an alias from the --ssh-config file works (ssh://h2: user, address and port from the config)', async () => {
        const viaAlias = new SshHost({ hostname: 'h2', port: 22 }, { configFile: lab.configFile, controlDir });
        hosts.push(viaAlias);
        const r = await viaAlias.run('echo ok');
        expect(r.output.trim()).toBe('ok');
    });

    test('a ProxyJump in the ssh config is followed: the connection to h2 goes through h1', async () => {
        const config = path.join(runDir, 'jump_config');
        const h2 = lab.host('h2');
        writeFileSync(config, `${readFileSync(lab.configFile, 'utf8')}\nHost viajump\n  HostName ${h2.address}\n  Port ${h2.port}\n  ProxyJump h1\n`);
        const accepted = (name: string): number => (readFileSync(lab.host(name).logFile, 'utf8').match(/Accepted publickey/g) ?? []).length;
        const before = { h1: accepted('h1'), h2: accepted('h2') };
        const viaJump = new SshHost({ hostname: 'viajump', port: 22 }, { configFile: config, controlDir });
        hosts.push(viaJump);
        const r = await viaJump.run('echo "$SSH_CONNECTION"');
        expect(r.ok, r.output).toBe(true);
        expect(r.output).toContain(`${h2.address} ${h2.port}`);
        // One login on the jump host (h1) for the tunnel, one on h2 for the session.
        expect(accepted('h1')).toBe(before.h1 + 1);
        expect(accepted('h2')).toBe(before.h2 + 1);
    });

    test('a passphrase-protected key works through ssh-agent, and fails cleanly (no prompt) without it', async () => {
        const key = path.join(runDir, 'agent_key');
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret passphrase', '-C', 'backplan-agent-test', '-f', key]);
        writeFileSync(lab.authorizedKeys, `${readFileSync(lab.authorizedKeys, 'utf8').trimEnd()}\n${readFileSync(`${key}.pub`, 'utf8')}`);
        const config = path.join(runDir, 'agent_config');
        // Without the lab's BatchMode line: the "never a prompt" must come from Backplan itself.
        writeFileSync(config, readFileSync(lab.configFile, 'utf8').replace(/IdentityFile .*/, `IdentityFile ${key}`).replace(/^\s*BatchMode .*$/m, ''));
        const h = lab.host('h2');
        const connect = async (): Promise<{ ok: boolean; output: string }> => {
            const host = new SshHost({ user: lab.user, hostname: h.address, port: h.port }, { configFile: config, controlDir, connectTimeoutSec: 3 });
            hosts.push(host);
            return host.run('echo via-agent');
        };
        const saved = { SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK, SSH_ASKPASS: process.env.SSH_ASKPASS, SSH_ASKPASS_REQUIRE: process.env.SSH_ASKPASS_REQUIRE, DISPLAY: process.env.DISPLAY };
        delete process.env.SSH_AUTH_SOCK;
        try {
            // Were ssh to ask for the passphrase, this askpass would leave a mark.
            const asked = path.join(runDir, 'ASKED-for-passphrase');
            const askpassMark = path.join(runDir, 'askpass-mark.sh');
            writeFileSync(askpassMark, `#!/bin/sh\ntouch '${asked}'\necho wrong\n`, { mode: 0o700 });
            Object.assign(process.env, { SSH_ASKPASS: askpassMark, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' });
            const without = await connect();
            expect(without.ok).toBe(false);
            expect(without.output).toMatch(/permission denied/i);
            expect(existsSync(asked), 'ssh asked for a passphrase').toBe(false);
            for (const k of ['SSH_ASKPASS', 'SSH_ASKPASS_REQUIRE', 'DISPLAY'] as const) delete process.env[k];
            const agent = execFileSync('ssh-agent', ['-s'], { encoding: 'utf8' });
            const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agent)![1];
            const pid = Number(/SSH_AGENT_PID=(\d+);/.exec(agent)![1]);
            try {
                // ssh-add reads the passphrase from SSH_ASKPASS when it has no terminal.
                const askpass = path.join(runDir, 'askpass.sh');
                writeFileSync(askpass, '#!/bin/sh\necho "secret passphrase"\n', { mode: 0o700 });
                execFileSync('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: sock, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' }, stdio: ['ignore', 'ignore', 'pipe'] });
                process.env.SSH_AUTH_SOCK = sock;
                const viaAgent = await connect();
                expect(viaAgent.ok, viaAgent.output).toBe(true);
                expect(viaAgent.output.trim()).toBe('via-agent');
            } finally {
                process.kill(pid);
            }
        } finally {
            for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
        }
    });

    test('run passes environment values as data, never shell', async () => {
        const h1 = open('h1');
        const marker = path.join(lab.dir, 'PWNED-env');
        const value = `a b 'c' "d" $(touch ${marker}) \`touch ${marker}\` ; touch ${marker}\nline2 ünï`;
        const r = await h1.run('printf "%s|%s" "$BP_VALUE" "$BP_OTHER"', { env: { BP_VALUE: value, BP_OTHER: 'x' } });
        expect(r.ok).toBe(true);
        expect(r.output).toBe(`${value}|x`);
        expect(existsSync(marker)).toBe(false);
        const bad = await h1.run('true', { env: { 'BAD NAME': 'x' } });
        expect(bad.ok).toBe(false);
        expect(bad.output).toMatch(/not a valid environment variable name/);
    });

    test('run reports the exit code and output of a failing command', async () => {
        const r = await open('h1').run('echo out; echo err >&2; exit 7');
        expect(r).toMatchObject({ code: 7, ok: false, timedOut: false });
        expect(r.output).toContain('out');
        expect(r.output).toContain('err');
    });

    test('a command that exits 255 is its own failure, not a lost connection', async () => {
        const r = await open('h1').run('echo bye; exit 255');
        expect(r).toMatchObject({ code: 255, ok: false });
        expect(r.output).toBe('bye\n');
    });

    test('a command that leaves a daemon holding its output still returns', async () => {
        // The daemon runs until the test lets it go: the command must return while it still runs.
        const go = path.join(lab.dir, 'daemon-go');
        const done = path.join(lab.dir, 'daemon-done');
        const r = await open('h1').run(`(while [ ! -e ${shQuote(go)} ]; do sleep 0.05; done; touch ${shQuote(done)}) & echo started`);
        expect(r.ok).toBe(true);
        expect(r.output.trim()).toBe('started');
        expect(existsSync(done)).toBe(false);
        writeFileSync(go, '');
        await waitFor(() => existsSync(done));
    });

    test('a timeout kills the remote command too (no SIGHUP without a tty: the watcher does it)', async () => {
        const marker = path.join(lab.dir, 'timeout-marker');
        const pidFile = path.join(lab.dir, 'timeout-pid');
        const r = await open('h1').run(`echo $$ > ${shQuote(pidFile)}; sleep 3; touch ${shQuote(marker)}`, { timeoutMs: 500 });
        expect(r.timedOut).toBe(true);
        expect(r.ok).toBe(false);
        // The shell that would touch the marker is gone (sshd runs here, on loopback): it never will.
        const pid = Number(readFileSync(pidFile, 'utf8'));
        await waitFor(() => !alive(pid));
        expect(existsSync(marker)).toBe(false);
    });

    test('tarOut streams exactly what local tar writes; tarIn extracts into a remote staging folder', async () => {
        const h1 = open('h1');
        const tools = await h1.checkTools();
        const localTools = await local.checkTools();
        expect(tools).toMatchObject({ tar: localTools.tar, tarXattrs: localTools.tarXattrs, tarAcls: localTools.tarAcls });
        expect(tools.zstd).toMatch(/^Zstandard CLI/);
        expect(tools.gzip).toMatch(/^gzip \d/);
        const data = path.join(lab.host('h1').root, 'srv', 'mail');
        mkdirSync(path.join(data, 'cur'), { recursive: true });
        writeFileSync(path.join(data, 'cur', 'm1'), 'hello\n');
        writeFileSync(path.join(data, 'big'), Buffer.alloc(3 << 20, 7));
        symlinkSync('cur/m1', path.join(data, 'link'));
        linkSync(path.join(data, 'cur', 'm1'), path.join(data, 'hard'));
        const remote = h1.tarOut(data);
        const localOut = local.tarOut(data);
        const [a, b] = await Promise.all([sha256Of(remote.stream), sha256Of(localOut.stream)]);
        await Promise.all([remote.done, localOut.done]);
        expect(a).toEqual(b);

        const staging = path.join(lab.host('h1').root, 'srv', '.mail.staging');
        mkdirSync(staging);
        const out = local.tarOut(data);
        const inn = h1.tarIn(staging);
        await pipeline(out.stream, inn.stream);
        await Promise.all([out.done, inn.done]);
        expect(await h1.listFiles(staging)).toEqual(await local.listFiles(data));
    });

    test('host to host (replication): tar out of one ssh host straight into another, 40 times, never cut short', async () => {
        // The receiving tar exits at the end-of-archive blocks; its session must stay open
        // until the sender's stream has ended (or the pipeline sees a premature close).
        const a = open('h1');
        const b = open('h2');
        await Promise.all([a.checkTools(), b.checkTools()]);
        const src = path.join(lab.host('h1').root, 'replica-src');
        mkdirSync(path.join(src, 'Eng'), { recursive: true });
        writeFileSync(path.join(src, 'Eng', 'a.ldif'), 'eng a\n');
        for (let i = 0; i < 40; i++) {
            const dst = path.join(lab.host('h2').root, `replica-${i}`);
            mkdirSync(dst);
            const out = a.tarOut(path.join(src, 'Eng'));
            const inn = b.tarIn(dst);
            await pipeline(out.stream, inn.stream);
            await Promise.all([out.done, inn.done]);
            expect(readFileSync(path.join(dst, 'a.ldif'), 'utf8')).toBe('eng a\n');
        }
    });

    test('listFiles computes the same manifest remotely as LocalHost does (types, modes, owners, mtimes, hashes)', async () => {
        const h1 = open('h1');
        const data = path.join(lab.host('h1').root, 'kinds');
        mkdirSync(path.join(data, 'empty'), { recursive: true });
        mkdirSync(path.join(data, 'sticky'));
        chmodSync(path.join(data, 'sticky'), 0o1777);
        writeFileSync(path.join(data, 'suid'), '#!/bin/sh\n');
        chmodSync(path.join(data, 'suid'), 0o4755);
        writeFileSync(path.join(data, 'empty-file'), '');
        utimesSync(path.join(data, 'empty-file'), 1_700_000_000.123456, 1_700_000_000.123456);
        execFileSync('mkfifo', [path.join(data, 'fifo')]);
        symlinkSync('/nowhere/at all', path.join(data, 'dangling'));
        const remote = await h1.listFiles(data);
        expect(remote).toEqual(await local.listFiles(data));
        expect(remote.map(e => e.type).sort()).toEqual(['dir', 'dir', 'dir', 'fifo', 'file', 'file', 'symlink']);
    });

    test('a restored tree whose symlink resolves outside it is refused on both hosts, from the listing (issue 13.1)', async () => {
        const tree = path.join(lab.host('h1').root, 'escaping');
        mkdirSync(path.join(tree, 'a', 'b'), { recursive: true });
        symlinkSync('..', path.join(tree, 'a', 'b', 'l'));
        // A hard link to that symlink: on disk it is the symlink `..` at the top, one folder out.
        linkSync(path.join(tree, 'a', 'b', 'l'), path.join(tree, 'up'));
        const want = await local.listFiles(tree);
        for (const host of [local, open('h1')]) {
            const err = await verifyTree(host, tree, want, { owners: true, content: false, within: '.' }).catch((e: Error) => e);
            expect(err).toBeInstanceOf(EscapingLinkError);
            expect((err as Error).message).toBe('refused: a restored symlink resolves outside the folder it is restored into: up → ..: points outside the restored folder');
            // The same tree as the folder a/ of a data folder: a/up would be inside it.
            rmSync(path.join(tree, 'up'));
            linkSync(path.join(tree, 'a', 'b', 'l'), path.join(tree, 'a', 'up'));
            expect(await verifyTree(host, path.join(tree, 'a'), (await local.listFiles(path.join(tree, 'a'))), { owners: true, content: false, within: 'a' })).toEqual([]);
            rmSync(path.join(tree, 'a', 'up'));
            linkSync(path.join(tree, 'a', 'b', 'l'), path.join(tree, 'up'));
        }
    });

    test('odd names round-trip (tar out, tar in, listing) and nothing in them is executed', async () => {
        const h1 = open('h1');
        const root = lab.host('h1').root;
        const data = path.join(root, `odd $(touch PWNED-dir) 'q' "d" ü`);
        mkdirSync(data, { recursive: true });
        for (const [i, name] of ODD_NAMES.entries()) {
            mkdirSync(path.join(data, `d ${name}`), { recursive: true });
            writeFileSync(path.join(data, name), `content ${i}\n`);
            writeFileSync(path.join(data, `d ${name}`, name), `nested ${i}\n`);
        }
        const expected = await local.listFiles(data);
        expect(await h1.listFiles(data)).toEqual(expected);
        expect(expected.filter(e => e.type === 'file')).toHaveLength(ODD_NAMES.length * 2);

        const staging = path.join(root, `staging $(touch PWNED-staging) 'x'\nnewline`);
        expect((await h1.stat(staging)).exists).toBe(false);
        mkdirSync(staging);
        expect(await h1.stat(staging)).toEqual({ exists: true, isDirectory: true });
        const out = h1.tarOut(data);
        const inn = h1.tarIn(staging);
        await pipeline(out.stream, inn.stream);
        await Promise.all([out.done, inn.done]);
        expect(await h1.listFiles(staging)).toEqual(expected);
        expect((await h1.run(`cat ${shQuote(path.join(staging, 'new\nline'))}`)).output).toBe(`content ${ODD_NAMES.indexOf('new\nline')}\n`);

        // Some members only (a --folder restore): their names are data, never globs or code.
        const some = path.join(root, 'staging-members');
        mkdirSync(some);
        const picked = ['*glob?[x]', '$(touch PWNED-dollar)'];
        const out2 = h1.tarOut(data);
        const in2 = h1.tarIn(some, { members: picked.map(n => `./d ${n}`) });
        await pipeline(out2.stream, in2.stream);
        await Promise.all([out2.done, in2.done]);
        expect((await h1.listFiles(some)).map(e => e.path).sort()).toEqual(['.', ...picked.flatMap(n => [`d ${n}`, `d ${n}/${n}`])].sort());

        // Nothing ran: no PWNED file anywhere the remote shell could have made one.
        const found = execFileSync('find', [lab.dir, process.env.HOME ?? '/root', tmpdir(), '-maxdepth', '3', '-name', 'PWNED*'], { encoding: 'utf8' })
            .split('\n').filter(l => l !== '' && !l.startsWith(data) && !l.startsWith(staging));
        expect(found).toEqual([]);
    });

    test('an unknown host key is a clear error naming ssh-keyscan (never accepted)', async () => {
        const s = open('stranger');
        const err = await s.connect().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SshError);
        const { port, address } = lab.host('stranger');
        expect((err as SshError).failure.kind).toBe('host-key-unknown');
        expect((err as Error).message).toContain(`ssh-keyscan -p ${port} ${address}`);
        expect((err as Error).message).not.toContain('\n');
        expect(readFileSync(lab.knownHosts, 'utf8')).not.toContain(`[${address}]:${port}`);
        const r = await s.run('true');
        expect(r.ok).toBe(false);
        expect(r.output).toMatch(/not in known_hosts/);
    });

    test('a changed host key is a clear error naming ssh-keygen -R', async () => {
        const { address, port } = lab.host('h2');
        const dir = mkdtempSync(path.join(tmpdir(), 'bp-kh-'));
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'other')]);
        const pub = readFileSync(path.join(dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
        writeFileSync(path.join(dir, 'known_hosts'), `[${address}]:${port} ${pub}\n`);
        writeFileSync(path.join(dir, 'config'), readFileSync(lab.configFile, 'utf8').replace(lab.knownHosts, path.join(dir, 'known_hosts')));
        const err = await open('h2', { configFile: path.join(dir, 'config') }).connect().catch((e: unknown) => e);
        expect((err as SshError).failure?.kind).toBe('host-key-changed');
        expect((err as Error).message).toContain(`ssh-keygen -R '[${address}]:${port}'`);
        rmSync(dir, { recursive: true, force: true });
    });

    test('a key the server does not accept is "permission denied", never a password prompt', async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'bp-key-'));
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'k')]);
        writeFileSync(path.join(dir, 'config'), readFileSync(lab.configFile, 'utf8').replace(lab.clientKey, path.join(dir, 'k')));
        const err = await open('h1', { configFile: path.join(dir, 'config') }).connect().catch((e: unknown) => e);
        expect((err as SshError).failure?.kind).toBe('permission-denied');
        expect((err as Error).message).toMatch(/authorized_keys/);
        rmSync(dir, { recursive: true, force: true });
    });

    test('a missing --ssh-config file and a missing ssh client are clear errors', async () => {
        const missing = open('h1', { configFile: path.join(lab.dir, 'no-such-config') });
        const err = await missing.connect().catch((e: unknown) => e);
        expect((err as SshError).failure?.kind).toBe('config');
        expect((err as Error).message).toMatch(/ssh configuration error: .*no-such-config/);
        const noClient = open('h1', { sshPath: path.join(lab.dir, 'no-ssh-here') });
        await expect(noClient.connect()).rejects.toThrow(/the OpenSSH client could not be started .*install openssh-client/);
        const r = await noClient.run('true');
        expect(r.ok).toBe(false);
        expect(r.output).toMatch(/install openssh-client/);
    });

    test('an unreachable host (closed port on 127.0.0.9) fails quickly and clearly', async () => {
        const port = await freePort('127.0.0.9');
        const host = new SshHost({ user: lab.user, hostname: '127.0.0.9', port }, { configFile: lab.configFile, controlDir, connectTimeoutSec: 2 });
        hosts.push(host);
        const t0 = Date.now();
        const err = await host.connect().catch((e: unknown) => e);
        expect(Date.now() - t0).toBeLessThan(3000);
        expect((err as SshError).failure?.kind).toBe('connection-refused');
        expect((err as Error).message).toBe(`ssh://${lab.user}@127.0.0.9:${port}: connection refused by 127.0.0.9 port ${port}: no SSH server listens there. Check that sshd runs on the server and the port in the host URL (or ssh config) is right`);
    });

    test('a host that accepts TCP but never answers times out after ConnectTimeout', async () => {
        const sockets: import('node:net').Socket[] = [];
        const silent: Server = createServer(s => { sockets.push(s); });
        await new Promise<void>(r => silent.listen(0, '127.0.0.9', () => r()));
        const port = (silent.address() as { port: number }).port;
        const host = new SshHost({ hostname: '127.0.0.9', port }, { configFile: lab.configFile, controlDir, connectTimeoutSec: 1 });
        hosts.push(host);
        const t0 = Date.now();
        const err = await host.connect().catch((e: unknown) => e);
        expect(Date.now() - t0).toBeLessThan(4000);
        expect((err as SshError).failure?.kind).toBe('timeout');
        expect((err as Error).message).toMatch(/timed out/);
        for (const s of sockets) s.destroy();
        silent.close();
    });

    test('what pre-flight asks a host: tar missing and a data folder missing are told apart', async () => {
        const n = open('notar');
        expect((await n.checkTools()).tar).toBeUndefined();
        expect(await n.stat('/srv/does-not-exist')).toEqual({ exists: false, isDirectory: false });
        const ok = open('h1');
        expect((await ok.checkTools()).tar).toMatch(/GNU tar/);
        expect(await ok.stat(lab.host('h1').root)).toEqual({ exists: true, isDirectory: true });
    });

    test('sshd killed mid-stream: the stream fails (truncated, non-zero); commands reconnect with backoff once sshd is back', async () => {
        const retries: number[] = [];
        const c = open('crash', { retry: { attempts: 10, initialDelayMs: 200, maxDelayMs: 1000 }, onRetry: (_l, n) => retries.push(n) });
        const data = path.join(lab.host('crash').root, 'data');
        mkdirSync(data);
        for (let i = 0; i < 8; i++) writeFileSync(path.join(data, `f${i}`), Buffer.alloc(4 << 20, i + 1));
        await c.connect();
        const full = await sha256Of(local.tarOut(data).stream);

        const out = c.tarOut(data);
        const first = await new Promise<Buffer>(r => out.stream.once('data', (b: Buffer) => { out.stream.pause(); r(b); }));
        lab.killHost('crash');
        const rest = await sha256Of(out.stream).catch(() => ({ hash: '', bytes: 0 }));
        const err = await out.done.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SshError);
        expect((err as SshError).failure.kind).toBe('connection-lost');
        expect((err as Error).message).toMatch(/connection was lost/);
        expect(first.length + rest.bytes).toBeLessThan(full.bytes);

        // A command running when the connection drops fails as "lost" (and is not re-run).
        await lab.startHost('crash');
        const started = path.join(lab.dir, 'crash-started');
        const running = c.run(`touch ${shQuote(started)}; sleep 20`);
        await waitFor(() => existsSync(started));
        lab.killHost('crash');
        const dropped = await running;
        expect(dropped.ok).toBe(false);
        expect(dropped.output).toMatch(/connection was lost/);

        // sshd comes back once the command has failed to connect and backs off; it then runs.
        const before = retries.length;
        const back = c.run('echo back');
        await waitFor(() => retries.length > before);
        await lab.startHost('crash');
        const r = await back;
        expect(r.output.trim()).toBe('back');
        expect(r.ok).toBe(true);
        expect(await c.connection.masterRunning()).toBe(true);
    });
});
