/**
 * One restic repository (a restic tape) as seen from one server's host: every restic
 * operation a verb needs, each one restic command (restic-command.ts) with restic 0.14's
 * flags and `--json` output only.
 *
 *   exists()        restic cat config            0 → true; kind no-repository → false
 *   init()          restic init                  (only `backup` calls it, and says so)
 *   backup(DATA)    restic backup --json --host S --tag backplan --tag run:R --tag policy:P DATA
 *                   → the summary line, the full snapshot from `snapshots --tag run:R`;
 *                   exit 3 (files unreadable, snapshot saved anyway) → ResticError
 *                   `incomplete` carrying that snapshot's ID for the caller to forget
 *   snapshots()     restic snapshots --json [--host S] [--tag T,…]
 *   archives()      both kinds of snapshot, paired (restic-manifest.ts)
 *   entries(ID)     restic find --json --snapshot ID '*'   (restic-entries.ts)
 *   writeManifest   restic backup --stdin … --tag backplan-manifest --tag snapshot:ID
 *   readManifest    restic dump MANIFEST_ID /backplan-manifest.json
 *   latestManifestText(S)  restic dump --host S --tag backplan-manifest latest /backplan-manifest.json
 *   check()         restic check [--read-data | --read-data-subset S]  (0.14 checks the
 *                   whole repository: it has no way to name snapshots)
 *   forget(S, keep) restic forget --json --host S --tag backplan --group-by host --keep-…
 *   forgetIds(IDs)  restic forget ID…
 *   prune()         restic prune
 *   restore(ID, T)  restic restore ID --target T [--include P]…   (DATA lands at T/DATA)
 *   dump(ID, F)     restic dump ID F  (a file's bytes, a folder as tar)
 *   lockIds()       restic list locks --no-lock
 *   locks()         …and restic cat lock ID --no-lock for each
 *   unlock()        restic unlock   (stale locks only; never --remove-all)
 *
 * Interruption: an aborted command gets SIGINT, restic removes its own lock; a restic
 * killed outright leaves its lock, which `unlock` removes once its process is gone.
 */
import { PassThrough } from 'node:stream';
import type { KeepPolicy } from '@backplan/language/model';
import type { ManifestEntry } from '../archive/manifest.js';
import { ResticError } from './restic-error.js';
import { readText, runRestic, type ResticRunOptions, type ResticTarget, type StdoutReader } from './restic-command.js';
import { snapshotRoot, toManifestEntry } from './restic-entries.js';
import { keepArgs, parseForget, type ForgetDecision } from './restic-forget.js';
import { MANIFEST_FILE, manifestBytes, pairManifests, parseResticManifest, type ManifestPairing, type ResticArchive, type ResticBackupSummary, type ResticManifest } from './restic-manifest.js';
import type { ResticShell } from './restic-shell.js';
import { BACKPLAN_TAG, MANIFEST_TAG, parseSnapshots, policyTag, runTag, snapshotTag, type ResticSnapshot } from './restic-snapshot.js';
import { readJsonLines, readJsonObjects } from './json-stream.js';

/** Per-call options: cancellation and a time limit. */
export type CallOptions = Pick<ResticRunOptions, 'signal' | 'timeoutMs'>;

/** What a backup is of and how it is tagged. */
export interface BackupRequest extends CallOptions {
    /** The server's name: restic's `--host`. */
    readonly server: string;
    readonly runId: string;
    /** The `backup` block. */
    readonly policy: string;
    /** Patterns relative to the data folder (the server's `exclude`), anchored there. */
    readonly excludes?: readonly string[];
    /** More tags for the data snapshot (`folder:NAME`, restic-snapshot.ts). */
    readonly tags?: readonly string[];
    /** The snapshot's time (restic's `--time`; default now). */
    readonly time?: Date;
    /** Each `status` line restic prints while it works. */
    readonly onStatus?: (status: Record<string, unknown>) => void;
}

/** A finished backup. */
export interface BackupResult {
    readonly snapshot: ResticSnapshot;
    readonly summary: ResticBackupSummary;
}

/** A lock file in the repository. */
export interface ResticLock {
    readonly id: string;
    readonly time: string;
    readonly exclusive: boolean;
    /** The machine's host name (not `--host`) and the process that holds it. */
    readonly hostname: string;
    readonly username?: string;
    readonly pid: number;
}

/** `YYYY-MM-DD HH:MM:SS` in local time, as restic's `--time` reads it. */
function resticTime(d: Date): string {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** restic's summary line in Backplan's names. */
function toSummary(o: Record<string, unknown>): ResticBackupSummary {
    const n = (k: string): number => typeof o[k] === 'number' ? o[k] as number : 0;
    return {
        filesNew: n('files_new'), filesChanged: n('files_changed'), filesUnmodified: n('files_unmodified'),
        dirsNew: n('dirs_new'), dirsChanged: n('dirs_changed'), dirsUnmodified: n('dirs_unmodified'),
        dataAdded: n('data_added'), totalFilesProcessed: n('total_files_processed'), totalBytesProcessed: n('total_bytes_processed')
    };
}

/**
 * `find --json`'s output read by `read`, and the full ID in its `"snapshot":"…"` field:
 * taken from the raw text, where an unescaped `"snapshot":"` can only be a key (inside a
 * JSON string its quotes are escaped), and the nodes never have such a key.
 */
function withSnapshotField(read: StdoutReader<void>): StdoutReader<string | undefined> {
    return async stdout => {
        let tail = '';
        let found: string | undefined;
        const tap = new PassThrough();
        stdout.on('data', (chunk: Buffer) => {
            tail = (tail + chunk.toString('latin1')).slice(-256);
            const m = /"snapshot":"([0-9a-f]{64})"/.exec(tail);
            if (m) found = m[1];
        });
        stdout.pipe(tap);
        await read(tap);
        return found;
    };
}

/** One restic repository, reached from one host. */
export class ResticRepository {
    /** `tape`: the tape's name, for messages. */
    constructor(readonly shell: ResticShell, readonly target: ResticTarget, readonly tape = 'restic') {}

    private run<T>(args: readonly string[], read: StdoutReader<T>, options: ResticRunOptions = {}): Promise<{ value: T; exitCode: number }> {
        return runRestic(this.shell, this.target, args, read, options);
    }

    /** Whether a repository exists there; throws for a wrong password, an unreachable one, a missing password file. */
    async exists(options: CallOptions = {}): Promise<boolean> {
        try {
            await this.run(['cat', 'config', '--no-lock'], readText(64 * 1024), options);
            return true;
        } catch (err) {
            if (err instanceof ResticError && err.kind === 'no-repository') return false;
            throw err;
        }
    }

    /** Creates the repository (restic's default format). */
    async init(options: CallOptions = {}): Promise<void> {
        await this.run(['init'], readText(64 * 1024), options);
    }

    /**
     * Backs up the data folder; resolves with the short ID restic printed and its summary
     * (one repository open: no lookup). Throws ResticError, `incomplete` with the saved
     * snapshot's short ID when restic exited 3.
     */
    async backupShort(data: string, request: BackupRequest): Promise<{ shortId: string; summary: ResticBackupSummary }> {
        const root = snapshotRoot(data);
        const args = ['backup', '--json', '--host', request.server, '--tag', BACKPLAN_TAG, '--tag', runTag(request.runId), '--tag', policyTag(request.policy)];
        for (const tag of request.tags ?? []) args.push('--tag', tag);
        for (const pattern of request.excludes ?? []) args.push('--exclude', `${root === '/' ? '' : root}/${pattern}`);
        if (request.time) args.push('--time', resticTime(request.time));
        args.push(root);
        let summary: Record<string, unknown> | undefined;
        const { exitCode } = await this.run(args, readJsonLines(value => {
            const line = value as Record<string, unknown>;
            if (line.message_type === 'summary') summary = line;
            else if (line.message_type === 'status') request.onStatus?.(line);
        }), { signal: request.signal, timeoutMs: request.timeoutMs, acceptCodes: [3] });
        const shortId = typeof summary?.snapshot_id === 'string' && /^[0-9a-f]{8,64}$/.test(summary.snapshot_id) ? summary.snapshot_id : undefined;
        if (!shortId || !summary) {
            throw new ResticError({ kind: 'output', command: 'backup', host: this.shell.label, stderrTail: [],
                message: `restic backup on ${this.shell.label} ended without naming the snapshot it saved` });
        }
        if (exitCode === 3) {
            throw new ResticError({ kind: 'incomplete', command: 'backup', host: this.shell.label, exitCode, stderrTail: [], snapshotId: shortId,
                message: `restic backup on ${this.shell.label} could not read some files of ${root}: snapshot ${shortId} is incomplete` });
        }
        return { shortId, summary: toSummary(summary) };
    }

    /** Backs up the data folder and looks the saved snapshot up; throws ResticError (`incomplete` with the saved snapshot's ID when restic exited 3). */
    async backup(data: string, request: BackupRequest): Promise<BackupResult> {
        const lookup = async (shortId: string): Promise<ResticSnapshot | undefined> =>
            (await this.snapshots({ host: request.server, tags: [runTag(request.runId)] })).find(s => s.id.startsWith(shortId));
        let done: { shortId: string; summary: ResticBackupSummary };
        try {
            done = await this.backupShort(data, request);
        } catch (err) {
            const short = err instanceof ResticError && err.kind === 'incomplete' ? err.failure.snapshotId : undefined;
            const full = short === undefined ? undefined : await lookup(short);
            if (full) throw new ResticError({ ...(err as ResticError).failure, snapshotId: full.id, message: (err as Error).message.replace(short!, full.shortId) });
            throw err;
        }
        const snapshot = await lookup(done.shortId);
        if (!snapshot) {
            throw new ResticError({ kind: 'output', command: 'backup', host: this.shell.label, stderrTail: [],
                message: `restic backup on ${this.shell.label} named snapshot ${done.shortId}, which the repository does not list` });
        }
        return { snapshot, summary: done.summary };
    }

    /** Snapshots, optionally of one server (`--host`) and with every one of `tags` (or, `anyTag`, with one of them at least). */
    async snapshots(filter: { host?: string; tags?: readonly string[]; anyTag?: readonly string[] } & CallOptions = {}): Promise<ResticSnapshot[]> {
        const args = ['snapshots', '--json', '--no-lock'];
        if (filter.host !== undefined) args.push('--host', filter.host);
        if (filter.tags && filter.tags.length > 0) args.push('--tag', filter.tags.join(','));
        // restic ORs repeated --tag options (each one a comma-joined AND).
        for (const tag of filter.anyTag ?? []) args.push('--tag', tag);
        const { value } = await this.run(args, readText(), filter);
        return parseSnapshots(value);
    }

    /** Backplan's data and manifest snapshots (of one server, or all), paired. */
    async archives(filter: { host?: string } & CallOptions = {}): Promise<ManifestPairing> {
        // One listing (one repository open: restic's key derivation costs ≈ 0.5 s each).
        return pairManifests(await this.snapshots({ ...filter, anyTag: [BACKPLAN_TAG, MANIFEST_TAG] }));
    }

    /** Every snapshot (data or manifest) a run made: what a failed backup forgets. */
    snapshotsOfRun(runId: string, options: CallOptions = {}): Promise<ResticSnapshot[]> {
        return this.snapshots({ ...options, tags: [runTag(runId)] });
    }

    /** The entries below `data` of a snapshot, in the manifest's shape. */
    async entries(snapshotId: string, data: string, options: CallOptions = {}): Promise<ManifestEntry[]> {
        return (await this.listSnapshot(snapshotId, data, options)).entries;
    }

    /** The entries below `data` of a snapshot (a short ID will do), and the snapshot's full ID as restic printed it. */
    async listSnapshot(snapshotId: string, data: string, options: CallOptions = {}): Promise<{ snapshotId: string; entries: ManifestEntry[] }> {
        const entries: ManifestEntry[] = [];
        const read = readJsonObjects(3, node => {
            const entry = toManifestEntry(node, data);
            if (entry) entries.push(entry);
        });
        const { value: full } = await this.run(['find', '--json', '--no-lock', '--snapshot', snapshotId, '*'], withSnapshotField(read), options);
        if (full === undefined || !full.startsWith(snapshotId)) {
            throw new ResticError({ kind: 'output', command: 'find', host: this.shell.label, stderrTail: [],
                message: `restic find on ${this.shell.label} did not name snapshot ${snapshotId} in its output` });
        }
        return { snapshotId: full, entries };
    }

    /**
     * Stores a manifest as the snapshot's manifest snapshot (LAST); resolves with its short
     * ID (one repository open). A manifest restic did not read whole is forgotten and refused.
     */
    async storeManifest(manifest: ResticManifest, options: CallOptions & { time?: Date } = {}): Promise<string> {
        const bytes = manifestBytes(manifest);
        const args = ['backup', '--json', '--stdin', '--stdin-filename', MANIFEST_FILE, '--host', manifest.server,
            '--tag', MANIFEST_TAG, '--tag', snapshotTag(manifest.snapshot), '--tag', runTag(manifest.runId)];
        if (options.time) args.push('--time', resticTime(options.time));
        let summary: Record<string, unknown> | undefined;
        await this.run(args, readJsonLines(v => { if ((v as Record<string, unknown>).message_type === 'summary') summary = v as Record<string, unknown>; }),
            { ...options, input: bytes });
        const shortId = typeof summary?.snapshot_id === 'string' && /^[0-9a-f]{8,64}$/.test(summary.snapshot_id) ? summary.snapshot_id : '';
        const whole = summary?.total_bytes_processed === bytes.length;
        if (shortId !== '' && !whole) await this.forgetIds([shortId]);
        if (shortId === '' || !whole) {
            throw new ResticError({ kind: 'output', command: 'backup', host: this.shell.label, stderrTail: [],
                message: `the manifest of snapshot ${manifest.snapshot.slice(0, 8)} was not stored whole on ${this.shell.label}` });
        }
        return shortId;
    }

    /** Stores a manifest (storeManifest) and returns its snapshot as listed. */
    async writeManifest(manifest: ResticManifest, options: CallOptions & { time?: Date } = {}): Promise<ResticSnapshot> {
        const shortId = await this.storeManifest(manifest, options);
        const saved = (await this.snapshots({ host: manifest.server, tags: [snapshotTag(manifest.snapshot)] })).find(s => s.id.startsWith(shortId));
        if (!saved) {
            throw new ResticError({ kind: 'output', command: 'backup', host: this.shell.label, stderrTail: [],
                message: `the manifest of snapshot ${manifest.snapshot.slice(0, 8)} is not listed on ${this.shell.label}` });
        }
        return saved;
    }

    /** Reads and checks an archive's manifest. */
    async readManifest(archive: ResticArchive, options: CallOptions = {}): Promise<ResticManifest> {
        const text = await this.dump(archive.manifestSnapshot.id, `/${MANIFEST_FILE}`, readText(), options);
        return parseResticManifest(text, archive.snapshot);
    }

    /** The text of the newest manifest of a server, unchecked: restic picks it (`latest`), no listing first. */
    async latestManifestText(server: string, options: CallOptions = {}): Promise<string> {
        const args = ['dump', '--no-lock', '--host', server, '--tag', MANIFEST_TAG, 'latest', `/${MANIFEST_FILE}`];
        return (await this.run(args, readText(), options)).value;
    }

    /** `restic check`: structure always; with `readData` every pack's content, with `subset` (`n/t`, `x%`, a size) a part of them. */
    async check(options: CallOptions & { readData?: boolean; subset?: string } = {}): Promise<string> {
        const args = ['check'];
        if (options.readData) args.push('--read-data');
        else if (options.subset !== undefined) args.push(`--read-data-subset=${options.subset}`);
        return (await this.run(args, readText(16 * 1024 * 1024), options)).value;
    }

    /** restic's retention for one server (`dryRun`: what it would do). */
    async forget(server: string, keep: KeepPolicy, options: CallOptions & { dryRun?: boolean } = {}): Promise<ForgetDecision> {
        const rules = keepArgs(keep);
        if (rules.length === 0) throw new Error(`tape ${this.tape} has no \`keep\`: nothing is forgotten without a policy`);
        const args = ['forget', '--json', '--host', server, '--tag', BACKPLAN_TAG, '--group-by', 'host', ...rules];
        if (options.dryRun) args.push('--dry-run');
        return parseForget((await this.run(args, readText(), options)).value);
    }

    /** Forgets these snapshots (manifests of forgotten data, garbage of failed runs). */
    async forgetIds(ids: readonly string[], options: CallOptions = {}): Promise<void> {
        if (ids.length === 0) return;
        await this.run(['forget', ...ids], readText(), options);
    }

    /** Removes data no snapshot needs any more. */
    async prune(options: CallOptions = {}): Promise<void> {
        await this.run(['prune'], readText(), options);
    }

    /** Restores a snapshot under `target` (the data folder lands at `target` + its path); `include`: only these snapshot paths. */
    async restore(snapshotId: string, target: string, options: CallOptions & { include?: readonly string[]; verify?: boolean } = {}): Promise<void> {
        const args = ['restore', snapshotId, '--target', target];
        for (const p of options.include ?? []) args.push('--include', p);
        if (options.verify) args.push('--verify');
        await this.run(args, readText(), options);
    }

    /** A file's bytes, or a folder as a tar stream, read by `read`. */
    async dump<T>(snapshotId: string, file: string, read: StdoutReader<T>, options: CallOptions = {}): Promise<T> {
        return (await this.run(['dump', '--no-lock', snapshotId, file], read, options)).value;
    }

    /** The IDs of the locks in the repository (one repository open: it also proves the password opens it). */
    async lockIds(options: CallOptions = {}): Promise<string[]> {
        return (await this.run(['list', 'locks', '--no-lock'], readText(), options)).value.split('\n').map(l => l.trim()).filter(l => /^[0-9a-f]{64}$/.test(l));
    }

    /** The locks in the repository, with their holders. */
    async locks(options: CallOptions = {}): Promise<ResticLock[]> {
        const ids = await this.lockIds(options);
        const locks: ResticLock[] = [];
        for (const id of ids) {
            let o: Record<string, unknown>;
            try {
                o = JSON.parse((await this.run(['cat', 'lock', id, '--no-lock'], readText(64 * 1024), options)).value) as Record<string, unknown>;
            } catch (err) {
                if (err instanceof ResticError && err.kind !== 'failed') throw err;
                continue; // removed between the listing and now (its holder finished), or not a lock restic can read
            }
            locks.push({
                id, time: String(o.time), exclusive: o.exclusive === true, hostname: String(o.hostname),
                username: typeof o.username === 'string' ? o.username : undefined, pid: Number(o.pid)
            });
        }
        return locks;
    }

    /** Removes stale locks (restic's own test: too old, or its process gone on this machine); never --remove-all. */
    async unlock(options: CallOptions = {}): Promise<void> {
        await this.run(['unlock'], readText(), options);
    }
}
