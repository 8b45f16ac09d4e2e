/**
 * A real OpenLDAP server for tests (Debian's slapd, ldap-utils): a throw-away cn=config
 * folder made by `slaptest` from a slapd.conf (core, cosine, inetorgperson schemas; one
 * mdb database, suffix dc=example,dc=com, whose directory is the server's data folder),
 * listening on a free port of a loopback address 127.0.0.x. Its runbook commands:
 *
 *   start  slapd -F CONF -h URL            (forks; the pid file names the daemon)
 *   stop   start-stop-daemon --stop --retry TERM/60 --pidfile PID --oknodo
 *   ready  ldapsearch of the root DSE      (slapd's start returns before it listens)
 *   dump   slapcat -F CONF -n 1            (while it runs)
 *   load   slapadd -F CONF -n 1 -q         (stopped; reads LDIF on stdin)
 *
 * The test stops every server it started by its pid (dispose).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const SLAPD = '/usr/sbin/slapd';
const SUFFIX = 'dc=example,dc=com';
const ADMIN = `cn=admin,${SUFFIX}`;

/** A free TCP port on `ip` (the kernel's choice, released at once). */
export function freePort(ip: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, ip, () => {
            const { port } = srv.address() as net.AddressInfo;
            srv.close(() => resolve(port));
        });
    });
}

export class Slapd {
    readonly conf: string;
    readonly data: string;
    readonly pidFile: string;
    readonly url: string;

    private constructor(readonly dir: string, ip: string, port: number) {
        this.conf = path.join(dir, 'conf');
        this.data = path.join(dir, 'data');
        this.pidFile = path.join(dir, 'slapd.pid');
        this.url = `ldap://${ip}:${port}/`;
    }

    /** Makes the configuration (data folder empty) of a server in DIR on a free port of `ip`. */
    static async create(dir: string, ip: string): Promise<Slapd> {
        const s = new Slapd(dir, ip, await freePort(ip));
        for (const d of [s.conf, s.data]) fs.mkdirSync(d, { recursive: true });
        const conf = path.join(dir, 'slapd.conf');
        fs.writeFileSync(conf, [
            ...['core', 'cosine', 'inetorgperson'].map(n => `include /etc/ldap/schema/${n}.schema`),
            'modulepath /usr/lib/ldap', 'moduleload back_mdb', `pidfile ${s.pidFile}`,
            'database mdb', `suffix "${SUFFIX}"`, `rootdn "${ADMIN}"`, 'rootpw secret', `directory ${s.data}`, ''
        ].join('\n'));
        // slaptest converts slapd.conf into cn=config, then fails to open the (empty) database
        // here; with -u it would not write the folder at all. What counts is the folder it wrote.
        const made = spawnSync('slaptest', ['-f', conf, '-F', s.conf]);
        if (!fs.existsSync(path.join(s.conf, 'cn=config.ldif'))) throw new Error(`slaptest made no configuration: ${made.stderr.toString().trim()}`);
        return s;
    }

    /** The runbook attributes of this server (commands as in the module comment). */
    get attributes(): string {
        return [
            `data "${this.data}"`,
            `stop "start-stop-daemon --stop --retry TERM/60 --pidfile ${this.pidFile} --oknodo"`,
            `start "${SLAPD} -F ${this.conf} -h ${this.url}"`,
            `ready "ldapsearch -x -H ${this.url} -b \\"\\" -s base -LLL namingContexts"`,
            `dump "slapcat -F ${this.conf} -n 1"`,
            `load "slapadd -F ${this.conf} -n 1 -q"`,
            'timeout 1m'
        ].join(' ');
    }

    /** Starts slapd and waits until it answers. */
    async start(): Promise<void> {
        execFileSync(SLAPD, ['-F', this.conf, '-h', this.url], { stdio: 'pipe' });
        while (!this.answers()) await new Promise(r => setTimeout(r, 20));
    }

    /** The running daemon's pid (undefined: not running). */
    pid(): number | undefined {
        if (!fs.existsSync(this.pidFile)) return undefined;
        const pid = Number(fs.readFileSync(this.pidFile, 'utf8').trim());
        try { process.kill(pid, 0); return pid; } catch { return undefined; }
    }

    /** Stops the daemon by its pid and waits until it is gone. */
    async stop(): Promise<void> {
        const pid = this.pid();
        if (pid === undefined) return;
        process.kill(pid, 'SIGTERM');
        while (this.pid() !== undefined) await new Promise(r => setTimeout(r, 20));
    }

    /** Whether it answers a root DSE search. */
    answers(): boolean {
        return spawnSync('ldapsearch', ['-x', '-H', this.url, '-b', '', '-s', 'base', '-LLL', 'namingContexts'], { stdio: 'ignore' }).status === 0;
    }

    /** Adds the base entry and people `uids` (ldapadd as the rootdn). */
    addPeople(uids: readonly string[], base = true): void {
        const entries = base ? [`dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`] : [];
        for (const uid of uids) entries.push(`dn: uid=${uid},${SUFFIX}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}`);
        execFileSync('ldapadd', ['-x', '-H', this.url, '-D', ADMIN, '-w', 'secret'], { input: entries.join('\n\n') + '\n', stdio: ['pipe', 'ignore', 'pipe'] });
    }

    /** The uids it answers with (an empty directory: none). */
    people(): string[] {
        const r = spawnSync('ldapsearch', ['-x', '-H', this.url, '-b', SUFFIX, '-LLL', '(objectClass=inetOrgPerson)', 'uid']);
        if (r.status === 32) return []; // no such object: the base entry is not there
        if (r.status !== 0) throw new Error(`ldapsearch failed (${r.status}): ${r.stderr.toString().trim()}`);
        return r.stdout.toString().split('\n').filter(l => l.startsWith('uid: ')).map(l => l.slice(5)).sort();
    }

    /** Empties the data folder while the server is stopped (its database gone, as on a new disk). */
    wipe(): void {
        for (const f of fs.readdirSync(this.data)) fs.rmSync(path.join(this.data, f), { recursive: true, force: true });
    }
}
