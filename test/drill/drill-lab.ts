/**
 * A lab for restore drills on real processes: the shared RunbookLab (a temporary folder
 * with a tape, a state folder, a runbook, the CLI, the journal), and (for the catalog drills) a live OpenLDAP slapd on loopback whose
 * database lives in its data folder — started and stopped by fixtures/slapd-ctl.sh, the
 * same script the runbook's stop/start and the drill's `test` call.
 *
 * Waits are for events (a file, a journal record, an answer), never fixed sleeps.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { DrillRecord, JournalRecord } from '../../packages/engine/out/index.js';
import { RunbookLab } from '../helpers/lab.js';
import { tempTree } from '../helpers/temp-tree.js';

export const SLAPD_CTL = path.join(__dirname, 'fixtures', 'slapd-ctl.sh');

/** The directory's seed: the organisation and one person the drill's test asks for. */
export const SEED_LDIF = `dn: dc=acme,dc=lan
objectClass: dcObject
objectClass: organization
o: Acme
dc: acme

dn: cn=Ada Lovelace,dc=acme,dc=lan
objectClass: inetOrgPerson
cn: Ada Lovelace
sn: Lovelace
mail: ada@acme.lan
`;

/** A free TCP port on a loopback address. */
export function freePort(host: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer().once('error', reject).listen(0, host, () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** Resolves once `what()` holds (checked on each event loop turn of 50 ms), or fails after `ms`. */
export async function until(what: () => boolean, ms = 120_000, label = 'the event'): Promise<void> {
    for (const t0 = Date.now(); !what(); await new Promise(r => setTimeout(r, 50))) {
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${label}`);
    }
}

/** The shared lab (helpers/lab.ts: tape, state, runbook, CLI, journal) with what drills look at. */
export class DrillLab extends RunbookLab {
    constructor() {
        super(tempTree({}, 'backplan-drill-'));
        // A hung stop, start or test fails within a minute instead of the default ten.
        this.env = { BACKPLAN_COMMAND_TIMEOUT: '60' };
    }

    /** The drill records of a run (or of every run). */
    drills(run?: string): DrillRecord[] {
        return this.journal<JournalRecord>().filter((r): r is DrillRecord => r.type === 'drill' && (run === undefined || r.run === run));
    }

    /** What is below the state folder's drills/ (hidden names included). */
    scratch(): string[] {
        const dir = path.join(this.state, 'drills');
        return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    }

    /** The archives on the tape, oldest first. */
    archives(): string[] {
        const dir = path.join(this.tape, 'archives');
        return fs.existsSync(dir) ? fs.readdirSync(dir).filter(n => n.endsWith('.manifest.json')).map(n => n.slice(0, -'.manifest.json'.length)).sort() : [];
    }

}

/** A live slapd in a lab: its data folder, URL, and the runbook lines of its server. */
export class LiveDirectory {
    constructor(readonly lab: DrillLab, readonly name: string, readonly url: string) {
        fs.mkdirSync(path.dirname(this.data), { recursive: true });
        const ldif = path.join(lab.root, `${name}.ldif`);
        fs.writeFileSync(ldif, SEED_LDIF);
        ctl(['seed', this.data, ldif]);
    }

    get data(): string {
        return this.lab.data(this.name.toLowerCase());
    }

    /** The `server` block: stop/start through slapd-ctl.sh, `ready` when it answers. */
    serverBlock(): string {
        return `server ${this.name} {
  role catalog
  host local
  data "${this.data}"
  stop "${SLAPD_CTL} stop"
  start "${SLAPD_CTL} start ${this.url}"
  ready "ldapsearch -x -LLL -H ${this.url} -b dc=acme,dc=lan -s base dn"
}
folder People on ${this.name} { path "db" }
`;
    }

    start(): void {
        ctl(['start', this.url, this.data]);
    }

    stop(): void {
        ctl(['stop', this.data]);
    }

    /** The pid of the running slapd (undefined when it is not running). */
    pid(): number | undefined {
        const file = `${this.data}.run/slapd.pid`;
        if (!fs.existsSync(file)) return undefined;
        const pid = Number(fs.readFileSync(file, 'utf8'));
        try {
            process.kill(pid, 0);
            return pid;
        } catch {
            return undefined;
        }
    }

    /** What the live directory answers for a filter. */
    search(filter: string): string {
        return spawnSync('ldapsearch', ['-x', '-LLL', '-H', this.url, '-b', 'dc=acme,dc=lan', filter], { encoding: 'utf8' }).stdout;
    }

    /** SHA-256 of every file of the data folder, by name. */
    fingerprint(): Record<string, string> {
        const out: Record<string, string> = {};
        const walk = (dir: string): void => {
            for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
                const p = path.join(dir, e.name);
                if (e.isDirectory()) walk(p);
                else out[path.relative(this.data, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
            }
        };
        walk(this.data);
        return out;
    }
}

function ctl(args: string[]): void {
    const r = spawnSync(SLAPD_CTL, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`slapd-ctl.sh ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
}
