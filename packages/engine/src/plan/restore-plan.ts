/**
 * The restore planner: pure functions from a runbook model, the archives found on its
 * tapes and the CLI's options to an ordered plan. Touches nothing.
 *
 *   source:  --from, else mail → tape; catalog → replica when every folder it should
 *            hold is on another server, else tape (the plan says which and why)
 *   tape:    --archive ID, else the newest archive of the server (with --folder: the
 *            newest that holds the folder, the server's own first) not known to be bad
 *            check archive (SHA-256, entries safe) → lock tape → stop → set aside →
 *            extract into staging → verify every file → swap → start → remove set-aside
 *            (--folder: extract and verify first, while the server runs, then stop)
 *   replica: per folder a source holder, chosen so that stopping it leaves every folder
 *            it holds with another running holder when that is possible; sources grouped
 *            and quiesced one at a time (stop → copy → start) while the target runs;
 *            then stop target → swap the folders in → start → remove set-aside copies
 *   every stop is checked against the servers still running: a folder left without a
 *   running holder is named in the plan's notes, with why it could not be avoided.
 */
import type { FolderModel, RunbookModel, ServerModel } from '@backplan/language/model';
import { DUMP_FILE } from '../archive/manifest.js';
import { PlanRefusedError, PlanUsageError } from './backup-plan.js';

/** An archive as the planner sees it (from its manifest). */
export interface ArchiveInfo {
    tape: string;
    /** The tape's folder. */
    at: string;
    id: string;
    server: string;
    /** When the data was consistent (the application stopped), ISO time. */
    time: string;
    folders: ReadonlyArray<{ name: string; path: string }>;
    files: number;
    size: number;
    tarSize: number;
    /** Why it must not be used (last verification failed, hash differs). */
    bad?: string;
    /** It holds one dump file (a `dump` server's backup), not the data folder. */
    dump?: boolean;
    /** A snapshot of a restic tape (`at` is then the repository; sizes are unknown until its manifest is read). */
    restic?: boolean;
}

/** Restore one server (or some folders of it) from an archive. */
export interface TapeRestoreOp {
    kind: 'tape';
    server: ServerModel;
    archive: ArchiveInfo;
    /** Undefined: the whole data folder. */
    folders?: readonly FolderModel[];
    /** `--target DIR`: into that empty folder, no stop/start. */
    target?: string;
}

/** Copy folders onto a server from other holders. */
export interface ReplicaRestoreOp {
    kind: 'replica';
    server: ServerModel;
    sources: Array<{ source: ServerModel; folders: FolderModel[] }>;
    /** The one source's dump is loaded into the target (DESIGN §10): the source is never stopped. */
    viaDump?: boolean;
}

export type RestoreOp = TapeRestoreOp | ReplicaRestoreOp;

export type RestoreAction = 'check' | 'lock' | 'stop' | 'set-aside' | 'extract' | 'verify' | 'swap' | 'start' | 'cleanup' | 'copy' | 'unlock' | 'dump' | 'load';

/** One step, in order, with its sentence. */
export interface RestoreStep {
    n: number;
    action: RestoreAction;
    server?: string;
    folders?: string[];
    source?: string;
    archive?: string;
    tape?: string;
    command?: string;
    text: string;
}

export interface RestoreOptions {
    server: string;
    from?: 'tape' | 'replica';
    archive?: string;
    folder?: string;
    target?: string;
    keepOld?: boolean;
}

export interface RestorePlan {
    op: RestoreOp;
    /** Why this source. */
    why: string;
    keepOld: boolean;
    steps: RestoreStep[];
    /** Folders left without a running holder at some step, and other things to know. */
    notes: string[];
}

/**
 * Archives of a server (or holding every given folder), newest first, bad ones left out.
 * A dump archive (one dump file) counts only for a whole restore of a server that `load`s.
 */
export function candidateArchives(catalog: readonly ArchiveInfo[], server: string, folders?: readonly FolderModel[], loads = false): ArchiveInfo[] {
    const holds = (a: ArchiveInfo): boolean => !folders || folders.every(f => a.folders.some(g => g.name === f.name));
    const byTime = (a: ArchiveInfo, b: ArchiveInfo): number => b.time.localeCompare(a.time) || b.id.localeCompare(a.id);
    const usable = catalog.filter(a => !a.bad && holds(a) && (!a.dump || (loads && !folders)));
    const own = usable.filter(a => a.server === server).sort(byTime);
    if (!folders) return own;
    return [...own, ...usable.filter(a => a.server !== server).sort(byTime)];
}

/** Whether a server's data comes back by `load` from a dump: replicas reach it as a peer's whole dump, never as folder copies. */
export function loadsDumps(server: ServerModel): boolean {
    return server.load !== undefined;
}

/**
 * Whether `source` can give `target` a live copy of its folders: a peer with `dump`
 * (never stopped) when the target loads dumps; else a server quiesced with its stop and
 * start for a folder copy — never a `dump` server, whose files are not copied (DESIGN §10).
 */
export function canFeed(source: ServerModel, target: ServerModel): boolean {
    if (source === target || !source.host || !source.data) return false;
    return loadsDumps(target) ? source.dump !== undefined : source.dump === undefined && source.stop !== undefined && source.start !== undefined;
}

/** The running peer with `dump` whose dump a target loads: it holds every folder (a load replaces the whole data folder); the master first, then file order. */
export function dumpPeer(builder: StepBuilder, target: ServerModel, folders: readonly FolderModel[],
    allowed: (f: FolderModel, s: ServerModel) => boolean = () => true): ServerModel | undefined {
    const peers = builder.model.servers.filter(s => builder.running.has(s) && canFeed(s, target) && folders.every(f => f.holders.includes(s) && allowed(f, s)));
    return peers.find(s => s.master) ?? peers[0];
}

/** Plans `restore` (throws PlanUsageError for bad options, PlanRefusedError when impossible). */
export function planRestore(model: RunbookModel, catalog: readonly ArchiveInfo[], options: RestoreOptions): RestorePlan {
    const server = model.servers.find(s => s.name === options.server);
    if (!server) throw new PlanUsageError(`no server named ${options.server} in this runbook (servers: ${model.servers.map(s => s.name).join(', ') || 'none'})`);
    if (!server.data || !server.host) throw new PlanRefusedError(`server ${server.name} lacks ${!server.host ? 'a valid host' : 'a data folder'}`);
    const folders = folderOption(model, server, options);
    if (options.archive !== undefined && options.from === 'replica') throw new PlanUsageError('--archive names a tape archive: it cannot be used with --from replica');
    if (options.target !== undefined && options.from === 'replica') throw new PlanUsageError('--target restores an archive into a folder: it cannot be used with --from replica');
    if (options.target !== undefined && !options.target.startsWith('/')) throw new PlanUsageError('--target must be an absolute folder');
    if (options.from === 'replica' && server.role === 'mail') throw new PlanUsageError(`${server.name} is a mail server: mail is never replicated, restore it from tape`);

    const builder = new StepBuilder(model, []);
    const wanted = folders ?? model.foldersOf.get(server) ?? [];
    const { from, why } = chooseFrom(builder, server, wanted, options);
    let op: RestoreOp;
    if (from === 'tape') {
        const archive = pickArchive(catalog, server, folders, options.archive);
        if (archive.dump && options.target === undefined && (folders || !loadsDumps(server))) {
            throw new PlanRefusedError(`archive ${archive.id} holds a dump of ${archive.server} (one file), not a data folder: `
                + `${folders ? 'it has no folders to take' : `${server.name} has no \`load\` to read it`}; extract it with --target DIR`);
        }
        op = { kind: 'tape', server, archive, folders, target: options.target };
    } else {
        op = replicaOp(builder, server, wanted, folders !== undefined);
    }
    builder.addOp(op, options.keepOld ?? false, true);
    return { op, why, keepOld: options.keepOld ?? false, steps: builder.steps, notes: builder.notes };
}

/** The folder of `--folder`, checked (undefined: the whole server). */
function folderOption(model: RunbookModel, server: ServerModel, options: RestoreOptions): FolderModel[] | undefined {
    if (options.folder === undefined) return undefined;
    const held = model.foldersOf.get(server) ?? [];
    if (server.role === 'mail') throw new PlanUsageError(`${server.name} is a mail server: it holds no folders (restore it whole)`);
    if (loadsDumps(server)) {
        throw new PlanRefusedError(`${server.name} comes back by \`load\` from a dump, which holds no folders: restore it whole (without --folder), or extract a dump archive with --target DIR`);
    }
    const f = held.find(x => x.name === options.folder);
    if (!f) throw new PlanUsageError(`${server.name} holds no folder named ${options.folder} (it holds: ${held.map(x => x.name).join(', ') || 'none'})`);
    return [f];
}

/** Tape or replica, and why: the option, else what is fresher and possible. */
function chooseFrom(builder: StepBuilder, server: ServerModel, wanted: readonly FolderModel[], options: RestoreOptions): { from: 'tape' | 'replica'; why: string } {
    const from = options.from ?? (options.archive !== undefined || options.target !== undefined ? 'tape' : undefined);
    if (from !== undefined) return { from, why: `--from ${from}` + (options.archive !== undefined ? ` (--archive ${options.archive})` : '') };
    const names = wanted.map(f => f.name).join(', ');
    if (server.role === 'mail') return { from: 'tape', why: 'a mail server comes back from tape (mail is never replicated)' };
    if (wanted.length === 0) return { from: 'tape', why: `${server.name} holds no declared folder: its data folder comes back from tape` };
    if (loadsDumps(server)) {
        const peer = dumpPeer(builder, server, wanted);
        return peer
            ? { from: 'replica', why: `${peer.name} holds every folder ${server.name} should hold (${names}) and has \`dump\`: its dump, taken while it runs, is fresher than any tape` }
            : { from: 'tape', why: `no other server with \`dump\` holds every folder ${server.name} should hold (${names}): restoring from tape` };
    }
    const alone = wanted.filter(f => !f.holders.some(h => canFeed(h, server)));
    if (alone.length === 0) return { from: 'replica', why: `every folder ${server.name} should hold (${names}) is live on another server: replication is fresher than any tape` };
    return { from: 'tape', why: `${alone.map(f => f.name).join(', ')} ${alone.length === 1 ? 'is' : 'are'} on no other server that can be quiesced: restoring from tape` };
}

/** The replica operation onto `server`: a peer's whole dump when it loads dumps, else folder copies from quiesced holders. */
function replicaOp(builder: StepBuilder, server: ServerModel, wanted: readonly FolderModel[], someFolders: boolean): RestoreOp {
    if (wanted.length === 0) throw new PlanRefusedError(`${server.name} holds no declared folder: nothing to replicate (restore it with --from tape)`);
    if (loadsDumps(server)) {
        const peer = dumpPeer(builder, server, wanted);
        if (!peer) {
            throw new PlanRefusedError(`${server.name} loads dumps, so a replica restore loads one peer's whole dump, and no other server with \`dump\` holds every folder it should hold `
                + `(${wanted.map(f => f.name).join(', ')}): restore it with --from tape`);
        }
        builder.notes.push(`${server.name}'s whole data folder is replaced by ${peer.name}'s dump (a load replaces everything in ${server.data}); ${peer.name} is never stopped`);
        return { kind: 'replica', server, sources: [{ source: peer, folders: [...wanted] }], viaDump: true };
    }
    const lonely = wanted.filter(f => !f.holders.some(h => canFeed(h, server)));
    if (lonely.length) {
        throw new PlanRefusedError(`${lonely.map(f => f.name).join(', ')} ${lonely.length === 1 ? 'has' : 'have'} no other holder with host, data, stop and start `
            + `(a server with \`dump\` gives its dump only to servers that \`load\`): restore ${lonely.length === 1 ? 'it' : 'them'} with --from tape`);
    }
    if (!someFolders) builder.notes.push(`data in ${server.data} outside the declared folders is kept as it is`);
    return { kind: 'replica', server, sources: chooseSources(builder, server, wanted, true) };
}

function pickArchive(catalog: readonly ArchiveInfo[], server: ServerModel, folders: readonly FolderModel[] | undefined, id?: string): ArchiveInfo {
    if (id !== undefined) {
        const a = catalog.find(x => x.id === id);
        if (!a) throw new PlanUsageError(`no archive ${id} with a manifest on the tapes of this runbook (see \`backplan archives\`)`);
        if (a.server !== server.name) {
            const missing = (folders ?? []).filter(f => !a.folders.some(g => g.name === f.name));
            if (!folders) throw new PlanUsageError(`archive ${id} is ${a.server}'s, not ${server.name}'s: a whole data folder comes back only from the server's own archive (use --folder to take one folder from it)`);
            if (missing.length) throw new PlanUsageError(`archive ${id} does not hold folder ${missing.map(f => f.name).join(', ')}`);
        } else if (folders) {
            const missing = folders.filter(f => !a.folders.some(g => g.name === f.name));
            if (missing.length) throw new PlanUsageError(`archive ${id} does not hold folder ${missing.map(f => f.name).join(', ')}`);
        }
        return a;
    }
    const found = candidateArchives(catalog, server.name, folders, loadsDumps(server));
    if (found.length === 0) {
        const bad = catalog.filter(a => a.server === server.name && a.bad);
        throw new PlanRefusedError(`no usable archive of ${server.name}${folders ? ` holding ${folders.map(f => f.name).join(', ')}` : ''} on the tapes of this runbook`
            + (bad.length ? ` (${bad.length} failed verification)` : ''));
    }
    return found[0];
}

/**
 * Chooses a source for each folder among its holders that are running now, preferring
 * one whose stop leaves every folder it holds with another running holder, then one
 * already chosen (one quiesce for several folders), then the master, then file order.
 */
export function chooseSources(builder: StepBuilder, target: ServerModel, folders: readonly FolderModel[], targetRuns: boolean,
    allowed: (f: FolderModel, s: ServerModel) => boolean = () => true): ReplicaRestoreOp['sources'] {
    const groups: ReplicaRestoreOp['sources'] = [];
    for (const f of folders) {
        const candidates = f.holders.filter(h => builder.running.has(h) && canFeed(h, target) && allowed(f, h));
        if (candidates.length === 0) throw new PlanRefusedError(`folder ${f.name} has no running holder to copy from`);
        const extraRunning = targetRuns ? [target] : [];
        const score = (s: ServerModel): number[] => [
            builder.outages(s, extraRunning).length,
            groups.some(g => g.source === s) ? 0 : 1,
            s.master ? 0 : 1,
            builder.model.servers.indexOf(s)
        ];
        const best = candidates.map(s => ({ s, k: score(s) })).sort((a, b) => {
            for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i] - b.k[i];
            return 0;
        })[0].s;
        const group = groups.find(g => g.source === best);
        if (group) group.folders.push(f); else groups.push({ source: best, folders: [f] });
    }
    return groups;
}

export { siblingPaths } from '../hosts/sibling-names.js';

/** How the steps of a restore from this archive read: a folder tape's archive, or a restic snapshot. */
function archiveWords(a: ArchiveInfo): { check: string; extract: string; fields: string } {
    if (a.restic) {
        return {
            check: 'its manifest read from the repository on the server\'s host, naming this snapshot and server, every entry safe to restore',
            extract: 'restic restore',
            fields: 'type, size, mode, owner, mtime, link; content authenticated by restic as it restores'
        };
    }
    return { check: 'SHA-256 against its manifest, every entry safe to extract', extract: 'extract', fields: 'type, size, mode, owner, mtime, link, SHA-256' };
}

/** Builds numbered steps and tracks which servers run, to name every availability gap. */
export class StepBuilder {
    readonly steps: RestoreStep[] = [];
    readonly notes: string[] = [];
    readonly running: Set<ServerModel>;

    constructor(readonly model: RunbookModel, down: Iterable<ServerModel>) {
        const d = new Set(down);
        this.running = new Set(model.servers.filter(s => !d.has(s)));
    }

    add(step: Omit<RestoreStep, 'n'>): void {
        this.steps.push({ n: this.steps.length + 1, ...step });
    }

    /** Folders of `server` that would have no running holder if it stopped. */
    outages(server: ServerModel, alsoRunning: readonly ServerModel[] = []): Array<{ folder: FolderModel; others: ServerModel[] }> {
        const out: Array<{ folder: FolderModel; others: ServerModel[] }> = [];
        for (const f of this.model.foldersOf.get(server) ?? []) {
            const others = f.holders.filter(h => h !== server);
            if (others.some(h => this.running.has(h) || alsoRunning.includes(h))) continue;
            out.push({ folder: f, others });
        }
        return out;
    }

    stop(server: ServerModel, text: string, purpose: string): void {
        for (const o of this.running.has(server) ? this.outages(server) : []) {
            this.notes.push(o.others.length === 0
                ? `${o.folder.name} is held on ${server.name} only: it is unavailable while ${server.name} is stopped (${purpose})`
                : `${o.folder.name} has no running holder while ${server.name} is stopped (${purpose}): its other holder${o.others.length === 1 ? '' : 's'} ${o.others.map(s => s.name).join(', ')} ${o.others.length === 1 ? 'is' : 'are'} down or being restored`);
        }
        this.running.delete(server);
        this.add({ action: 'stop', server: server.name, command: server.stop, text });
    }

    start(server: ServerModel, text: string): void {
        this.running.add(server);
        this.add({ action: 'start', server: server.name, command: server.start, text });
    }

    /** Stop → set aside → load → start → cleanup: a dump already staged goes into a stopped server (restore/load-in.ts). */
    private loadSteps(s: ServerModel, keepOld: boolean, what: string): void {
        this.stop(s, `${s.name}: stop the application: ${s.stop}`, `load into ${s.name}`);
        this.add({ action: 'set-aside', server: s.name, text: `${s.name}: move ${s.data} aside and make an empty ${s.data} with its mode and owner (nothing is deleted)` });
        this.add({ action: 'load', server: s.name, command: s.load, text: `${s.name}: load ${what}: \`${s.load}\` reads it on stdin (a failure puts the original data back before the start)` });
        this.start(s, `${s.name}: start the application: ${s.start}`);
        this.add({ action: 'cleanup', server: s.name, text: `${s.name}: ${keepOld ? 'keep the set-aside copy (--keep-old)' : 'remove the set-aside copy, only once the application has started'}; remove the staged dump` });
    }

    /** Appends the steps of one operation. `runs`: whether the target runs now. */
    addOp(op: RestoreOp, keepOld: boolean, runs: boolean): void {
        const s = op.server;
        if (runs) this.running.add(s); else this.running.delete(s);
        const names = (fs: readonly FolderModel[]): string[] => fs.map(f => f.name);
        if (op.kind === 'tape') {
            const a = op.archive;
            const what = op.folders ? `folder${op.folders.length === 1 ? '' : 's'} ${names(op.folders).join(', ')}` : 'the whole data folder';
            const how = archiveWords(a);
            this.add({ action: 'check', server: s.name, archive: a.id, tape: a.tape, text: `check archive ${a.id} on tape ${a.tape} before touching anything: ${how.check}` });
            this.add({ action: 'lock', tape: a.tape, text: `lock tape ${a.tape} (no prune can remove the archive meanwhile)` });
            if (a.dump && !op.target) {
                this.add({ action: 'extract', server: s.name, archive: a.id, text: `${s.name}: ${how.extract} the dump of ${a.id} (one file, ${DUMP_FILE}) into a fresh staging folder beside ${s.data}${runs ? ` while ${s.name} still runs` : ''}` });
                this.add({ action: 'verify', server: s.name, text: `${s.name}: check the staged dump against the manifest (${a.restic ? how.fields : 'size, SHA-256'})` });
                this.loadSteps(s, keepOld, `the dump of ${a.id}`);
            } else if (op.target) {
                this.add({ action: 'extract', server: s.name, archive: a.id, folders: op.folders && names(op.folders), text: `${how.extract} ${what} into a staging folder beside ${op.target} (no stop, no start)` });
                this.add({ action: 'verify', server: s.name, text: `check every restored entry against the manifest (${how.fields})` });
                this.add({ action: 'swap', server: s.name, text: `move it into place as ${op.target}` });
            } else {
                const stage = (): void => {
                    this.add({ action: 'extract', server: s.name, archive: a.id, folders: op.folders && names(op.folders), text: `${s.name}: ${how.extract} ${what} of ${a.id} into a fresh staging folder beside ${s.data}${op.folders && runs ? ` while ${s.name} still runs` : ''}` });
                    this.add({ action: 'verify', server: s.name, text: `${s.name}: check every restored entry against the manifest (${how.fields})` });
                };
                // Folders are staged before the stop (down only for the renames); a whole data folder after it.
                if (op.folders) stage();
                this.stop(s, `${s.name}: stop the application: ${s.stop}`, `restore of ${s.name}`);
                const where = op.folders ? `${names(op.folders).join(', ')} in ${s.data}` : s.data!;
                this.add({ action: 'set-aside', server: s.name, folders: op.folders && names(op.folders), text: `${s.name}: move ${where} aside (rename to a sibling on the same file system; nothing is deleted)` });
                if (!op.folders) stage();
                this.add({ action: 'swap', server: s.name, text: `${s.name}: move the restored ${op.folders ? 'folders' : 'data folder'} into place (a failure before this step puts the original back and starts the application)` });
                this.start(s, `${s.name}: start the application: ${s.start}`);
                this.add({ action: 'cleanup', server: s.name, text: keepOld ? `${s.name}: keep the set-aside copy (--keep-old)` : `${s.name}: remove the set-aside copy, only once the application has started` });
            }
            this.add({ action: 'unlock', tape: a.tape, text: `unlock tape ${a.tape}` });
            return;
        }
        if (op.viaDump) {
            const { source: peer, folders } = op.sources[0];
            this.add({ action: 'dump', server: peer.name, command: peer.dump, folders: names(folders), text: `${peer.name}: dump with \`${peer.dump}\` while it keeps running (never stopped)` });
            this.add({ action: 'copy', server: s.name, source: peer.name, folders: names(folders), text: `copy ${peer.name}'s dump into a fresh staging folder beside ${s.data}${runs ? ` while ${s.name} still runs` : ''} (SHA-256 in passing), then remove it from ${peer.name}` });
            this.add({ action: 'verify', server: s.name, source: peer.name, text: `${s.name}: check the staged dump against the hashes read from ${peer.name}` });
            this.loadSteps(s, keepOld, `${peer.name}'s dump (${names(folders).join(', ')})`);
            return;
        }
        for (const { source, folders } of op.sources) {
            this.stop(source, `${source.name}: quiesce the source: ${source.stop}`, `consistent copy for ${s.name}`);
            this.add({ action: 'copy', server: s.name, source: source.name, folders: names(folders), text: `copy ${names(folders).join(', ')} from ${source.name} into a staging folder beside ${s.data}${runs ? ` while ${s.name} still runs` : ''} (SHA-256 of every file in passing)` });
            this.start(source, `${source.name}: start the source again (always, even after a failure): ${source.start}`);
            this.add({ action: 'verify', server: s.name, source: source.name, folders: names(folders), text: `${s.name}: check the staged ${names(folders).join(', ')} against the hashes read from ${source.name}` });
        }
        const all = op.sources.flatMap(g => names(g.folders));
        this.stop(s, `${s.name}: stop the application: ${s.stop}`, `swap on ${s.name}`);
        this.add({ action: 'set-aside', server: s.name, folders: all, text: `${s.name}: move its current ${all.join(', ')} aside (siblings on the same file system; other data stays)` });
        this.add({ action: 'swap', server: s.name, folders: all, text: `${s.name}: move the copied ${all.join(', ')} into place` });
        this.start(s, `${s.name}: start the application: ${s.start}`);
        this.add({ action: 'cleanup', server: s.name, text: keepOld ? `${s.name}: keep the set-aside copies (--keep-old)` : `${s.name}: remove the set-aside copies, only once the application has started` });
    }
}
