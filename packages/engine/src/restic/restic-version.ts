/**
 * Which restic a host has, and whether Backplan can use it (DESIGN §9: 0.14 or later, the
 * version in Debian 12; Backplan uses no flag or JSON field a later version added).
 *
 *   restic version  → "restic 0.14.0 compiled with go1.19.8 on linux/amd64"
 *                   → { version: "0.14.0", major: 0, minor: 14, patch: 0 }
 *   older than 0.14 → ResticError kind `too-old`; no restic → kind `missing`
 */
import { ResticError } from './restic-error.js';
import { readText, runRestic, type ResticTarget } from './restic-command.js';
import type { ResticShell } from './restic-shell.js';

/** The oldest restic Backplan runs: Debian 12's. */
export const MIN_RESTIC = { major: 0, minor: 14 } as const;

/** A restic version as `restic version` prints it. */
export interface ResticVersion {
    readonly version: string;
    readonly major: number;
    readonly minor: number;
    readonly patch: number;
    /** The whole first line, for the journal and messages. */
    readonly text: string;
}

/** Parses `restic version`'s output; undefined when it is not restic's. */
export function parseResticVersion(output: string): ResticVersion | undefined {
    const line = output.split('\n').find(l => l.startsWith('restic '))?.trim();
    const m = line === undefined ? null : /^restic (\d+)\.(\d+)\.(\d+)\S*/.exec(line);
    if (!m || line === undefined) return undefined;
    return { version: `${m[1]}.${m[2]}.${m[3]}`, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: line };
}

/** Whether a version is at least MIN_RESTIC. */
export function isSupported(v: ResticVersion): boolean {
    return v.major > MIN_RESTIC.major || (v.major === MIN_RESTIC.major && v.minor >= MIN_RESTIC.minor);
}

/** The restic on a host; throws ResticError (`missing`, `too-old`, `output`) when it cannot be used. */
export async function checkResticVersion(shell: ResticShell, options: { env?: Readonly<Record<string, string>>; signal?: AbortSignal } = {}): Promise<ResticVersion> {
    // `restic version` opens no repository: an empty target is enough.
    const target: ResticTarget = { repository: '', passwordFile: '', env: options.env };
    const { value } = await runRestic(shell, target, ['version'], readText(64 * 1024), { signal: options.signal, timeoutMs: 60_000 });
    const version = parseResticVersion(value);
    const fail = (kind: 'output' | 'too-old', message: string): never => {
        throw new ResticError({ kind, command: 'version', host: shell.label, stderrTail: [], message });
    };
    if (!version) return fail('output', `restic on ${shell.label} printed no version Backplan knows: ${JSON.stringify(value.slice(0, 200))}`);
    if (!isSupported(version)) {
        return fail('too-old', `restic ${version.version} on ${shell.label} is too old: Backplan needs restic ${MIN_RESTIC.major}.${MIN_RESTIC.minor} or later (Debian 12's); upgrade it there`);
    }
    return version;
}
