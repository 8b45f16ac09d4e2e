/**
 * A tape: the folder named by a `tape … { at "…" }` block, holding archives, their
 * manifests, verification records, finished runs' records and the lock.
 *
 *   AT/archives/ID.tar.zst | ID.tar.gz   the archive (written first)
 *   AT/archives/ID.manifest.hmac         with `key-file`: the manifest's MAC (manifest-mac.ts), before it
 *   AT/archives/ID.manifest.json         its manifest (written LAST: the commit point)
 *   AT/archives/ID.verified.json         the last verification's result (optional)
 *   AT/runs/RUN.json                      a finished run's journal records
 *   AT/lock.json                          the lock (see tape-lock.ts)
 *   .tmp-*                                in-flight writes (see durable-write.ts)
 *
 * Listing reads manifests only: an archive without a manifest is garbage, never listed,
 * verified, restored or counted (`prune` removes it). Removal deletes the manifest first,
 * then the archive, then the verification record: an interrupted removal leaves garbage,
 * never a listed archive whose data is gone.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseManifest, type Compression, type Manifest } from '../archive/manifest.js';
import { checkShape } from '../schema/json-schemas.js';
import { assertRegularFile, readUntrustedBytes, readUntrustedText } from '../schema/untrusted-file.js';
import { checkManifestMac, manifestMac, readKeyFile } from './manifest-mac.js';
import { isArchiveId } from './archive-id.js';
import { durableWrite, fsyncDir, TEMP_PREFIX, type DurableContent } from './durable-write.js';
import { makeDirs } from './make-dirs.js';

/** The result of the last verification of an archive. */
export interface VerificationRecord {
    id: string;
    time: string;
    ok: boolean;
    /**
     * `full`: decompressed and every file hash checked; `archive-hash`: compressed bytes
     * re-read and hashed; `restic-read-data`: a restic tape's snapshot, after `restic check
     * --read-data` of its repository and its manifest against restic's listing.
     */
    kind: 'full' | 'archive-hash' | 'restic-read-data';
    error?: string;
}

/** An archive as listed: only archives with a manifest. */
export interface ListedArchive {
    id: string;
    /** Undefined when the manifest cannot be read (corruption: `verify` fails on it). */
    manifest?: Manifest;
    manifestError?: string;
    /** Absolute path of the archive file (per the manifest; guessed when it is unreadable). */
    archivePath: string;
    /** Size on disk, undefined when the archive file is missing or not a regular file. */
    archiveSize?: number;
    /** Why the archive file cannot be read (a FIFO, a device, a symlink): nothing reads it. */
    archiveError?: string;
    verified?: VerificationRecord;
}

const EXTENSIONS: Record<Compression, string> = { zstd: '.tar.zst', gzip: '.tar.gz' };
const MANIFEST = '.manifest.json';
const VERIFIED = '.verified.json';
const MAC = '.manifest.hmac';
/** Larger manifests are refused unread (a million entries take about 300 MB). */
const MAX_MANIFEST_BYTES = 512 << 20;
const MAX_RECORD_BYTES = 1 << 20;

export class TapeStore {
    readonly archivesDir: string;
    readonly runsDir: string;

    private keyRead?: Promise<Buffer>;

    /** `keyFile`: the tape's `key-file`; its manifests are then written with, and read only with, a valid MAC. */
    constructor(readonly name: string, readonly root: string, readonly keyFile?: string) {
        this.archivesDir = path.join(root, 'archives');
        this.runsDir = path.join(root, 'runs');
    }

    /** The store of a runbook's tape (`at` must be set). */
    static of(tape: { name: string; at?: string; keyFile?: string }): TapeStore {
        return new TapeStore(tape.name, tape.at!, tape.keyFile);
    }

    /** The MAC key (undefined without `key-file`); throws ManifestMacError when it cannot be read. */
    key(): Promise<Buffer | undefined> {
        if (this.keyFile === undefined) return Promise.resolve(undefined);
        this.keyRead ??= readKeyFile(this.name, this.keyFile);
        return this.keyRead;
    }

    /** Creates the tape's folders (throws when the tape is not writable). */
    async ensure(): Promise<void> {
        await makeDirs(this.archivesDir);
        await makeDirs(this.runsDir);
    }

    /** File name of an archive. */
    archiveFile(id: string, compression: Compression): string {
        return `${id}${EXTENSIONS[compression]}`;
    }

    /** Writes an archive durably (temp name, fsync, rename, fsync folder). */
    writeArchive(id: string, compression: Compression, content: DurableContent): Promise<void> {
        return durableWrite(this.archivesDir, this.archiveFile(id, compression), content);
    }

    /** Writes a manifest durably: the commit point of an archive. */
    async writeManifest(manifest: Manifest): Promise<void> {
        const text = JSON.stringify(manifest) + '\n';
        const key = await this.key();
        if (key) await durableWrite(this.archivesDir, `${manifest.id}${MAC}`, manifestMac(key, text));
        await durableWrite(this.archivesDir, `${manifest.id}${MANIFEST}`, text);
    }

    /** Records the result of a verification. */
    writeVerification(record: VerificationRecord): Promise<void> {
        return durableWrite(this.archivesDir, `${record.id}${VERIFIED}`, JSON.stringify(record) + '\n');
    }

    /** Copies a finished run's journal records to the tape. */
    async writeRunRecord(runId: string, records: unknown[]): Promise<void> {
        await makeDirs(this.runsDir);
        await durableWrite(this.runsDir, `${runId}.json`, JSON.stringify({ runId, records }, null, 1) + '\n');
    }

    /** Every archive that has a manifest, oldest first. A missing tape folder lists nothing. */
    async list(): Promise<ListedArchive[]> {
        const { present, ids } = await this.listedIds();
        const listed: ListedArchive[] = [];
        for (const id of ids) {
            const item: ListedArchive = { id, archivePath: path.join(this.archivesDir, this.archiveFile(id, 'zstd')) };
            try {
                item.manifest = await this.readManifest(id);
                item.archivePath = path.join(this.archivesDir, path.basename(item.manifest.archive.file));
            } catch (err) {
                item.manifestError = (err as Error).message;
                const gz = this.archiveFile(id, 'gzip');
                if (present.has(gz)) item.archivePath = path.join(this.archivesDir, gz);
            }
            try {
                item.archiveSize = await assertRegularFile(item.archivePath);
            } catch (err) {
                // Missing: corruption, reported by verify. Not a regular file: never opened by a reader.
                if ((err as NodeJS.ErrnoException).code !== 'ENOENT') item.archiveError = (err as Error).message;
            }
            if (present.has(`${id}${VERIFIED}`)) item.verified = await this.readVerification(id);
            listed.push(item);
        }
        return listed;
    }

    /**
     * Listed archives from the folder's file names alone, oldest first: no manifest is
     * opened (`status` on a year of archives). `file` is the archive's file name when one
     * is there; `verified` says whether it has a verification record.
     */
    async listNames(): Promise<Array<{ id: string; file?: string; verified: boolean }>> {
        const { present, ids } = await this.listedIds();
        return ids.map(id => ({
            id, verified: present.has(`${id}${VERIFIED}`),
            file: (Object.values(EXTENSIONS) as string[]).map(ext => `${id}${ext}`).find(f => present.has(f))
        }));
    }

    /** The names in the archives folder, and the IDs that have a manifest, oldest first (a missing folder has none). */
    private async listedIds(): Promise<{ present: Set<string>; ids: string[] }> {
        let names: string[];
        try {
            names = await fs.readdir(this.archivesDir);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { present: new Set(), ids: [] };
            throw err;
        }
        const ids = names.filter(n => n.endsWith(MANIFEST)).map(n => n.slice(0, -MANIFEST.length)).filter(isArchiveId).sort();
        return { present: new Set(names), ids };
    }

    /** The last verification record of an archive (undefined: none, or unreadable: never verified). */
    async readVerification(id: string): Promise<VerificationRecord | undefined> {
        const file = path.join(this.archivesDir, `${id}${VERIFIED}`);
        try {
            return checkShape<VerificationRecord>('verification', JSON.parse(await readUntrustedText(file, MAX_RECORD_BYTES)), file);
        } catch {
            return undefined;
        }
    }

    /** A manifest, its MAC checked first when the tape has a key. */
    private async readManifest(id: string): Promise<Manifest> {
        const bytes = await readUntrustedBytes(path.join(this.archivesDir, `${id}${MANIFEST}`), MAX_MANIFEST_BYTES);
        const key = await this.key();
        if (key) {
            const mac = await readUntrustedText(path.join(this.archivesDir, `${id}${MAC}`), 1024).catch((err: NodeJS.ErrnoException) => {
                if (err.code === 'ENOENT') return undefined;
                throw err;
            });
            checkManifestMac(this.name, id, key, bytes, mac);
        }
        const manifest = parseManifest(bytes.toString('utf8'));
        // A manifest renamed to another ID (an old archive made to look newest) is not that archive.
        if (manifest.id !== id) throw new Error(`the manifest in ${id}${MANIFEST} is that of ${manifest.id}: refused (renamed)`);
        return manifest;
    }

    /** Whether an archive still has its manifest (is still listed). */
    async hasManifest(id: string): Promise<boolean> {
        return fs.access(path.join(this.archivesDir, `${id}${MANIFEST}`)).then(() => true, () => false);
    }

    /** Files that are not part of a listed archive: archives without manifest, temp files. */
    async garbage(): Promise<string[]> {
        let names: string[];
        try {
            names = await fs.readdir(this.archivesDir);
        } catch {
            return [];
        }
        const manifests = new Set(names.filter(n => n.endsWith(MANIFEST)).map(n => n.slice(0, -MANIFEST.length)));
        return names.filter(n => {
            if (n.startsWith(TEMP_PREFIX)) return true;
            const id = n.replace(/(\.tar\.zst|\.tar\.gz|\.verified\.json|\.manifest\.hmac)$/, '');
            return id !== n && !manifests.has(id);
        }).map(n => path.join(this.archivesDir, n));
    }

    /** Removes an archive: manifest first, then archive, then its verification record. */
    async remove(archive: ListedArchive): Promise<void> {
        await fs.rm(path.join(this.archivesDir, `${archive.id}${MANIFEST}`), { force: true });
        await fsyncDir(this.archivesDir);
        await fs.rm(archive.archivePath, { force: true });
        await fs.rm(path.join(this.archivesDir, `${archive.id}${VERIFIED}`), { force: true });
        await fs.rm(path.join(this.archivesDir, `${archive.id}${MAC}`), { force: true });
        await fsyncDir(this.archivesDir);
    }

    /**
     * Removes an archive file that was never committed (its write or its check failed), so
     * a failed backup leaves no garbage under a final name. Never touches an archive that
     * has a manifest.
     */
    async discardArchive(id: string, compression: Compression): Promise<void> {
        if (await this.hasManifest(id)) return;
        await fs.rm(path.join(this.archivesDir, this.archiveFile(id, compression)), { force: true });
        await fsyncDir(this.archivesDir);
    }

    /** Removes garbage files (call with the lock held). */
    async removeGarbage(files: readonly string[]): Promise<void> {
        for (const f of files) await fs.rm(f, { force: true });
        if (files.length > 0) await fsyncDir(this.archivesDir);
    }

    /** Free bytes on the tape's file system (undefined when unknown). */
    async freeBytes(): Promise<number | undefined> {
        try {
            const s = await fs.statfs(this.root);
            return s.bavail * s.bsize;
        } catch {
            return undefined;
        }
    }
}
