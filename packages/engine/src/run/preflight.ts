/**
 * Pre-flight of a backup run, before the first stop: for every server, host reachable,
 * data folder present, tar on the host; zstd or gzip here; every tape writable, with room
 * for the size of each server's last archive. A failed pre-flight stops nothing.
 * Interruption leaves nothing (the write probe is a `.tmp-` file, removed at once).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { chooseCompressor, type Compressor } from '../archive/compression.js';
import type { Host, ToolVersions } from '../hosts/host.js';
import { localTools } from '../hosts/local-host.js';
import type { BackupPlanItem } from '../plan/backup-plan.js';
import { TEMP_PREFIX } from '../tape/durable-write.js';
import { TapeStore } from '../tape/tape-store.js';
import { formatBytes } from '../progress/progress-reporter.js';

export interface PreflightResult {
    problems: string[];
    compressor?: Compressor;
    localTools: ToolVersions;
    /** Tar size of each server's previous archive on its tape (progress ETA). */
    lastTarSize: Map<string, number>;
}

/** Checks everything a run needs; returns the problems found (empty: go). */
export async function preflight(items: readonly BackupPlanItem[], hostFor: (item: BackupPlanItem, server: string) => Host): Promise<PreflightResult> {
    const problems: string[] = [];
    const tools = await localTools();
    let compressor: Compressor | undefined;
    try {
        compressor = chooseCompressor(tools);
    } catch (err) {
        problems.push((err as Error).message);
    }
    const lastTarSize = new Map<string, number>();
    for (const item of items) {
        const tape = new TapeStore(item.tape.name, item.tape.at!);
        const tapeProblem = await checkTapeWritable(tape);
        if (tapeProblem) { problems.push(tapeProblem); continue; }
        const listed = await tape.list().catch(() => []);
        const free = await tape.freeBytes();
        let needed = 0;
        for (const { server } of item.servers) {
            const last = listed.filter(a => a.manifest?.server === server.name).pop();
            if (last?.manifest) {
                needed += last.manifest.archive.size;
                lastTarSize.set(`${item.tape.name}/${server.name}`, last.manifest.archive.tarSize);
            }
            let host: Host;
            try {
                host = hostFor(item, server.name);
            } catch (err) {
                problems.push(`${server.name}: ${(err as Error).message}`);
                continue;
            }
            try {
                const st = await host.stat(server.data!);
                if (!st.exists) problems.push(`${server.name}: data folder ${server.data} does not exist on ${host.label}`);
                else if (!st.isDirectory) problems.push(`${server.name}: data ${server.data} is not a folder`);
                const ht = await host.checkTools();
                if (!ht.tar) problems.push(`${server.name}: tar was not found on ${host.label}`);
            } catch (err) {
                problems.push(`${server.name}: ${host.label} cannot be reached: ${(err as Error).message}`);
            }
        }
        if (free !== undefined && free < needed) {
            problems.push(`tape ${tape.name}: ${formatBytes(free)} free at ${tape.root}, the last archives of these servers took ${formatBytes(needed)}`);
        }
    }
    return { problems, compressor, localTools: tools, lastTarSize };
}

/** Creates the tape's folders and writes (then removes) a probe file. */
export async function checkTapeWritable(tape: TapeStore): Promise<string | undefined> {
    try {
        await tape.ensure();
        const probe = path.join(tape.archivesDir, `${TEMP_PREFIX}preflight-${process.pid}`);
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
