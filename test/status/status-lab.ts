/**
 * A lab for the status tests: the engine tests' Lab (data folders, a tape, a state folder,
 * the CLI bundle as a child process) with a scheduled runbook of two local servers whose
 * stop commands fail on demand (a flag file per server).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab, seedMail } from '../engine/lab.js';

/** A lab whose runbook `lab.backplan` backs up Mail1 and Mail2 with `Nightly`, scheduled at 02:00 (and drills them from T with `drills`). */
export function statusLab(options: { schedule?: string; drills?: readonly string[] } = {}): Lab {
    const lab = Lab.create();
    const lines = [`tape T { at "${lab.tape}" }`];
    for (const name of ['Mail1', 'Mail2']) {
        seedMail(lab.data(name), 10, 2048);
        lines.push(`server ${name} { role mail host local data "${lab.data(name)}" stop "test ! -e ${failFlag(lab, name)}" start "true" }`);
    }
    lines.push(`backup Nightly { servers Mail1, Mail2 to T${options.schedule === undefined ? ' schedule "0 2 * * *"' : options.schedule ? ` schedule "${options.schedule}"` : ''} }`);
    for (const drill of options.drills ?? []) lines.push(`drill ${drill} { from T }`);
    fs.writeFileSync(lab.runbook, lines.join('\n') + '\n');
    return lab;
}

/** The flag file that makes a server's stop command fail while it exists. */
export function failFlag(lab: Lab, server: string): string {
    return path.join(lab.root, `fail-${server}`);
}

/** Makes a server's stop command fail (or succeed again). */
export function failStop(lab: Lab, server: string, fail: boolean): void {
    if (fail) fs.writeFileSync(failFlag(lab, server), '');
    else fs.rmSync(failFlag(lab, server), { force: true });
}

/** A metric sample's value from Prometheus text (labels in any order), or undefined. */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
    for (const line of text.split('\n')) {
        const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
        if (!m || m[1] !== name) continue;
        const got = Object.fromEntries([...m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(x => [x[1], x[2]]));
        if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
    }
    return undefined;
}
