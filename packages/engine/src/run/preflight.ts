/**
 * Pre-flight of a backup run, before the first stop. Two kinds of finding:
 *
 *   whole run (`problems`: nothing runs)   no zstd/gzip here; a tape not writable, or
 *                                           without room for the size of the last archives
 *                                           of the servers that will run
 *   one server (`skipped`: that server     host unreachable (or its key unknown/refused),
 *   fails, is never stopped, others go on)  data folder missing or not a folder, no tar
 *                                           on the host, host cannot be opened, a command
 *                                           not found there (kernel/command-check.ts),
 *                                           `snapshot btrfs` on what is no subvolume;
 *                                           a restic tape: restic missing or older than
 *                                           0.14 there, the password file missing or
 *                                           wrong, the repository unreachable
 *                                           (restic/restic-backup-preflight.ts)
 *
 *   localTools ─┐
 *   every host, concurrently (servers on one host one after another, through its one
 *     connection; once a host proved unreachable its other servers get the same reason
 *     without waiting for another timeout)
 *   every folder tape, concurrently: write probe; then room for the servers not skipped
 *   (a restic tape has no folder here: restic checks it from each server's host, above;
 *   tar and a compressor are needed only where a folder tape is written)
 *
 * A failed pre-flight stops nothing. Interruption leaves nothing (the write probe is a
 * `.tmp-` file, removed at once).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ServerModel } from '@backplan/language/model';
import { chooseCompressor, type Compressor } from '../archiver/compression.js';
import type { Host, ToolVersions } from '../hosts/host.js';
import { SshError } from '../hosts/ssh/ssh-errors.js';
import { missingCommands } from '../kernel/command-check.js';
import { localTools } from '../hosts/local-host.js';
import type { BackupPlanItem } from '../plan/backup-plan.js';
import { TEMP_PREFIX } from '../tape/durable-write.js';
import { TapeStore, type ListedArchive } from '../tape/tape-store.js';
import { formatBytes } from '../progress/progress-reporter.js';
import { ResticBackupPreflight } from '../restic/restic-backup-preflight.js';
import type { ResticRunPlace } from '../restic/restic-places.js';

export interface PreflightResult {
    /** Problems that make the whole run unsafe: nothing is stopped, the run fails. */
    problems: string[];
    /**
     * Servers that cannot be backed up, by name, with the reason (one line, without the
     * server's name). They are never stopped; the other servers run; the run fails.
     */
    skipped: Map<string, string>;
    compressor?: Compressor;
    localTools: ToolVersions;
    /** Tar size of each server's previous archive on its tape (progress ETA). */
    lastTarSize: Map<string, number>;
    /** The restic tapes of the run, as found on each server's host. */
    restic: ResticBackupPreflight;
}

/** Checks everything a run needs (see module comment). */
export async function preflight(items: readonly BackupPlanItem[], hostFor: (server: ServerModel) => Host, run: ResticRunPlace = {}): Promise<PreflightResult> {
    const problems: string[] = [];
    const skipped = new Map<string, string>();
    const restic = new ResticBackupPreflight(items, run);
    const folderItems = items.filter(i => i.tape.restic === undefined);
    const byHost = serversByHost(items, hostFor, skipped);
    const checkHost = async (group: HostGroup): Promise<void> => {
        let unreachable: ServerProblem | undefined;
        for (const { server, host } of group) {
            const reason = unreachable ?? await checkServer(server, host, restic.needsTar(server))
                ?? await restic.check(server, host).then(text => text === undefined ? undefined : { text, unreachable: false });
            if (reason === undefined) continue;
            if (reason.unreachable) unreachable = reason;
            skipped.set(server.name, reason.text);
        }
    };

    const [tools, , tapes] = await Promise.all([
        localTools(),
        Promise.all([...byHost.values()].map(checkHost)),
        Promise.all(folderItems.map(async (item, n) => {
            const tape = TapeStore.of(item.tape);
            return { item, tape, problem: await checkTapeWritable(tape, String(n)) };
        }))
    ]);

    let compressor: Compressor | undefined;
    try {
        compressor = chooseCompressor(tools);
    } catch (err) {
        if (folderItems.length > 0) problems.push((err as Error).message);
    }
    const lastTarSize = await checkTapeRoom(tapes, skipped, problems);
    return { problems, skipped, compressor, localTools: tools, lastTarSize, restic };
}

type HostGroup = Array<{ server: ServerModel; host: Host }>;

/** Every server once (a server may be in several backups), grouped by host; a server whose host cannot be made is skipped. */
function serversByHost(items: readonly BackupPlanItem[], hostFor: (server: ServerModel) => Host, skipped: Map<string, string>): Map<string, HostGroup> {
    const byHost = new Map<string, HostGroup>();
    const seen = new Set<string>();
    for (const item of items) {
        for (const { server } of item.servers) {
            if (seen.has(server.name)) continue;
            seen.add(server.name);
            let host: Host;
            try {
                host = hostFor(server);
            } catch (err) {
                skipped.set(server.name, (err as Error).message);
                continue;
            }
            const group = byHost.get(host.label) ?? [];
            group.push({ server, host });
            byHost.set(host.label, group);
        }
    }
    return byHost;
}

/**
 * Room on each writable folder tape for the last archives of the servers that will run
 * (problems are added); the tar size of each server's previous archive (for the ETA).
 */
async function checkTapeRoom(tapes: ReadonlyArray<{ item: BackupPlanItem; tape: TapeStore; problem?: string }>, skipped: ReadonlyMap<string, string>,
    problems: string[]): Promise<Map<string, number>> {
    const lastTarSize = new Map<string, number>();
    // Each tape is listed once (every manifest is read), even when several backups use it.
    const newestByTape = new Map<string, Promise<Map<string, ListedArchive>>>();
    const newestOf = (tape: TapeStore): Promise<Map<string, ListedArchive>> => {
        let newest = newestByTape.get(tape.name);
        if (!newest) {
            newest = tape.list().catch(() => []).then(listed => {
                const byServer = new Map<string, ListedArchive>();
                for (const a of listed) if (a.manifest) byServer.set(a.manifest.server, a); // listed oldest first
                return byServer;
            });
            newestByTape.set(tape.name, newest);
        }
        return newest;
    };
    for (const { item, tape, problem } of tapes) {
        if (problem) { problems.push(problem); continue; }
        const newest = await newestOf(tape);
        const free = await tape.freeBytes();
        let needed = 0;
        for (const { server } of item.servers) {
            const last = newest.get(server.name);
            if (!last?.manifest) continue;
            lastTarSize.set(`${item.tape.name}/${server.name}`, last.manifest.archive.tarSize);
            if (!skipped.has(server.name)) needed += last.manifest.archive.size;
        }
        if (free !== undefined && free < needed) {
            problems.push(`tape ${tape.name}: ${formatBytes(free)} free at ${tape.root}, the last archives of these servers took ${formatBytes(needed)}`);
        }
    }
    return lastTarSize;
}

/** Why `snapshot btrfs` cannot work on a data folder (undefined: it is a btrfs subvolume). */
async function btrfsSubvolumeProblem(data: string, host: Host): Promise<string | undefined> {
    // A subvolume's root directory is inode 256 on a btrfs file system.
    const r = await host.run('printf "%s %s" "$(stat -f -c %T -- "$BP_D")" "$(stat -c %i -- "$BP_D")"', { env: { BP_D: data }, timeoutMs: 60_000 });
    const [fsType, inode] = r.output.trim().split(' ');
    if (fsType !== 'btrfs') return `\`snapshot btrfs\` needs data ${data} on btrfs, and it is on ${fsType || 'an unknown file system'} on ${host.label}: use \`snapshot "CREATE" "DELETE"\` for other file systems`;
    if (inode !== '256') return `\`snapshot btrfs\` needs data ${data} to be a btrfs subvolume on ${host.label}: create it with \`btrfs subvolume create\` and move the data into it`;
    return undefined;
}

/** A server's own problem; `unreachable`: its host could not be reached at all. */
type ServerProblem = { text: string; unreachable: boolean };

/** Data folder present and a folder, tar on the host (`needsTar`: a folder tape is written); undefined when all is well. */
async function checkServer(server: ServerModel, host: Host, needsTar: boolean): Promise<ServerProblem | undefined> {
    try {
        const st = await host.stat(server.data!);
        if (!st.exists) return { text: `data folder ${server.data} does not exist on ${host.label}`, unreachable: false };
        if (!st.isDirectory) return { text: `data ${server.data} is not a folder on ${host.label}`, unreachable: false };
        const tools = await host.checkTools();
        if (needsTar && !tools.tar) return { text: `tar was not found on ${host.label}`, unreachable: false };
        const missing = await missingCommands(server, host, 'backup');
        if (missing) return { text: missing, unreachable: false };
        if (server.snapshot?.kind === 'btrfs') {
            const notSubvolume = await btrfsSubvolumeProblem(server.data!, host);
            if (notSubvolume) return { text: notSubvolume, unreachable: false };
        }
        return undefined;
    } catch (err) {
        return hostFailure(host.label, err as Error);
    }
}

/**
 * A host's failure in one line that names the host once: host errors (ssh's) often start
 * with the host's label already.
 */
export function hostFailure(label: string, err: Error): ServerProblem {
    const message = err.message.startsWith(`${label}: `) ? err.message.slice(label.length + 2) : err.message;
    if (err instanceof SshError) return { text: `${label} cannot be reached: ${message}`, unreachable: true };
    return { text: `${label}: ${message}`, unreachable: false };
}

/** Reads the tape's key (with `key-file`), creates the tape's folders and writes (then removes) a probe file. */
export async function checkTapeWritable(tape: TapeStore, tag = ''): Promise<string | undefined> {
    try {
        await tape.key();
    } catch (err) {
        return (err as Error).message;
    }
    try {
        await tape.ensure();
        const probe = path.join(tape.archivesDir, `${TEMP_PREFIX}preflight-${process.pid}${tag ? `-${tag}` : ''}`);
        await fs.writeFile(probe, 'probe');
        await fs.rm(probe, { force: true });
        return undefined;
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'EROFS' ? 'read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
            : code === 'ENOSPC' ? 'no space left' : (err as Error).message;
        return `tape ${tape.name}: ${tape.root} is not writable (${why})`;
    }
}
