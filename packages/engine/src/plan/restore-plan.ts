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
}

export type RestoreOp = TapeRestoreOp | ReplicaRestoreOp;

export type RestoreAction = 'check' | 'lock' | 'stop' | 'set-aside' | 'extract' | 'verify' | 'swap' | 'start' | 'cleanup' | 'copy' | 'unlock';

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

/** Archives of a server (or holding every given folder), newest first, bad ones left out. */
export function candidateArchives(catalog: readonly ArchiveInfo[], server: string, folders?: readonly FolderModel[]): ArchiveInfo[] {
    const holds = (a: ArchiveInfo): boolean => !folders || folders.every(f => a.folders.some(g => g.name === f.name));
    const byTime = (a: ArchiveInfo, b: ArchiveInfo): number => b.time.localeCompare(a.time) || b.id.localeCompare(a.id);
    const usable = catalog.filter(a => !a.bad && holds(a));
    const own = usable.filter(a => a.server === server).sort(byTime);
    if (!folders) return own;
    return [...own, ...usable.filter(a => a.server !== server).sort(byTime)];
}

/** Plans `restore` (throws PlanUsageError for bad options, PlanRefusedError when impossible). */
export function planRestore(model: RunbookModel, catalog: readonly ArchiveInfo[], options: RestoreOptions): RestorePlan {
    const server = model.servers.find(s => s.name === options.server);
    if (!server) throw new PlanUsageError(`no server named ${options.server} in this runbook (servers: ${model.servers.map(s => s.name).join(', ') || 'none'})`);
    if (!server.data || !server.host) throw new PlanRefusedError(`server ${server.name} lacks ${!server.host ? 'a valid host' : 'a data folder'}`);
    const held = model.foldersOf.get(server) ?? [];
    let folders: FolderModel[] | undefined;
    if (options.folder !== undefined) {
        if (server.role === 'mail') throw new PlanUsageError(`${server.name} is a mail server: it holds no folders (restore it whole)`);
        const f = held.find(x => x.name === options.folder);
        if (!f) throw new PlanUsageError(`${server.name} holds no folder named ${options.folder} (it holds: ${held.map(x => x.name).join(', ') || 'none'})`);
        folders = [f];
    }
    if (options.archive !== undefined && options.from === 'replica') throw new PlanUsageError('--archive names a tape archive: it cannot be used with --from replica');
    if (options.target !== undefined && options.from === 'replica') throw new PlanUsageError('--target restores an archive into a folder: it cannot be used with --from replica');
    if (options.target !== undefined && !options.target.startsWith('/')) throw new PlanUsageError('--target must be an absolute folder');
    if (options.from === 'replica' && server.role === 'mail') throw new PlanUsageError(`${server.name} is a mail server: mail is never replicated, restore it from tape`);

    const wanted = folders ?? held;
    const others = (f: FolderModel): ServerModel[] => f.holders.filter(h => h !== server && h.host && h.data && h.stop && h.start);
    let from = options.from ?? (options.archive !== undefined || options.target !== undefined ? 'tape' : undefined);
    let why: string;
    if (from === undefined) {
        const alone = wanted.filter(f => others(f).length === 0);
        if (server.role === 'mail') { from = 'tape'; why = 'a mail server comes back from tape (mail is never replicated)'; }
        else if (wanted.length === 0) { from = 'tape'; why = `${server.name} holds no declared folder: its data folder comes back from tape`; }
        else if (alone.length === 0) { from = 'replica'; why = `every folder ${server.name} should hold (${wanted.map(f => f.name).join(', ')}) is live on another server: replication is fresher than any tape`; }
        else { from = 'tape'; why = `${alone.map(f => f.name).join(', ')} ${alone.length === 1 ? 'is' : 'are'} on no other server that can be quiesced: restoring from tape`; }
    } else {
        why = `--from ${from}` + (options.archive !== undefined ? ` (--archive ${options.archive})` : '');
    }

    const builder = new StepBuilder(model, []);
    let op: RestoreOp;
    if (from === 'tape') {
        const archive = pickArchive(catalog, server, folders, options.archive);
        op = { kind: 'tape', server, archive, folders, target: options.target };
    } else {
        const lonely = wanted.filter(f => others(f).length === 0);
        if (lonely.length) throw new PlanRefusedError(`${lonely.map(f => f.name).join(', ')} ${lonely.length === 1 ? 'has' : 'have'} no other holder with host, data, stop and start: restore ${lonely.length === 1 ? 'it' : 'them'} with --from tape`);
        if (wanted.length === 0) throw new PlanRefusedError(`${server.name} holds no declared folder: nothing to replicate (restore it with --from tape)`);
        op = { kind: 'replica', server, sources: chooseSources(builder, server, wanted, true) };
        if (!folders) builder.notes.push(`data in ${server.data} outside the declared folders is kept as it is`);
    }
    builder.addOp(op, options.keepOld ?? false, true);
    return { op, why, keepOld: options.keepOld ?? false, steps: builder.steps, notes: builder.notes };
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
    const found = candidateArchives(catalog, server.name, folders);
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
        const candidates = f.holders.filter(h => h !== target && builder.running.has(h) && h.host && h.data && h.stop && h.start && allowed(f, h));
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
            if (op.target) {
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
