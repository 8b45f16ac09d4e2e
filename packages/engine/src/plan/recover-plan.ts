/**
 * The recover planner (DESIGN §4, several servers lost): pure, touches nothing.
 *
 *   1. a lost server that `load`s dumps, with a live peer that has `dump` and holds every
 *      folder it holds → it loads that peer's dump (never stopped), no tape needed;
 *      every other lost server with a usable archive of its own is restored whole from
 *      its newest one — the master first, then file order (mail servers only this way)
 *   2. for each folder held by a lost server, per lost holder:
 *        a holder that was not lost and can feed it (restore-plan.ts canFeed: a dump peer
 *        for a server that loads dumps, else a quiesced folder copy from a non-dump server)
 *                                          → replicate from it (fresher than any tape:
 *                                            over a restored copy too)
 *        else a lost holder restored in 1. → it keeps its copy; the others get it from it
 *        else the newest archive holding it → restore the folder onto the master (else
 *                                            the first lost holder), then replicate on
 *        else                               → no copy anywhere: a loss (exit 1 unless
 *                                            --allow-loss)
 *   3. replication onto each lost holder is one operation (sources quiesced one at a
 *      time, then one stop/swap/start of the target), the master first
 * The plan lists, per folder and lost holder, the source and the age of its data.
 */
import type { FolderModel, RunbookModel, ServerModel } from '@backplan/language/model';
import { PlanUsageError } from './backup-plan.js';
import { candidateArchives, canFeed, chooseSources, dumpPeer, loadsDumps, StepBuilder, type ArchiveInfo, type RestoreOp, type RestoreStep } from './restore-plan.js';

export interface RecoverOptions {
    lost: readonly string[];
}

/** Where one folder (or a mail server's data) on one lost server comes from. */
export interface RecoverRow {
    /** Folder name, or `mail data`. */
    folder: string;
    holder: string;
    kind: 'archive' | 'live' | 'dump' | 'replica' | 'none';
    /** Archive ID or server name. */
    source?: string;
    /** ISO time of the data, or `live`. */
    age?: string;
}

export interface RecoverPlan {
    lost: ServerModel[];
    ops: RestoreOp[];
    rows: RecoverRow[];
    /** Folders (and mail data) that no copy covers. */
    losses: string[];
    steps: RestoreStep[];
    notes: string[];
}

/** Plans `recover` (throws PlanUsageError on unknown names). */
export function planRecover(model: RunbookModel, catalog: readonly ArchiveInfo[], options: RecoverOptions): RecoverPlan {
    if (options.lost.length === 0) throw new PlanUsageError('--lost needs at least one server name');
    const lost: ServerModel[] = [];
    for (const name of options.lost) {
        const s = model.servers.find(x => x.name === name);
        if (!s) throw new PlanUsageError(`no server named ${name} in this runbook (servers: ${model.servers.map(x => x.name).join(', ') || 'none'})`);
        if (!lost.includes(s)) lost.push(s);
    }
    const planner = new RecoverPlanner(model, catalog, lost);
    planner.wholeRestores();
    for (const f of model.folders.filter(x => x.holders.some(h => lost.includes(h)))) planner.folderSources(f);
    const steps = planner.steps();
    return { lost, ops: planner.ops, rows: planner.rows, losses: planner.losses, steps: steps.steps, notes: [...planner.notes, ...steps.notes] };
}

/** The state of one recover plan while it is made (module comment: steps 1–3). */
class RecoverPlanner {
    readonly ops: RestoreOp[] = [];
    readonly rows: RecoverRow[] = [];
    readonly losses: string[] = [];
    readonly notes: string[] = [];
    /** Lost servers in the order they are brought back: the master first, then file order. */
    readonly order: ServerModel[];
    /** A lost server that loads a live peer's dump → that peer. */
    private readonly dumpFed = new Map<ServerModel, ServerModel>();
    private readonly restored = new Map<ServerModel, ArchiveInfo>();
    private readonly replicaFolders = new Map<ServerModel, FolderModel[]>();
    /** Per folder and lost holder: the servers it may be copied from. */
    private readonly allowedSources = new Map<string, ServerModel[]>();

    constructor(readonly model: RunbookModel, readonly catalog: readonly ArchiveInfo[], readonly lost: readonly ServerModel[]) {
        this.order = [...lost].sort((a, b) => Number(b.master) - Number(a.master) || model.servers.indexOf(a) - model.servers.indexOf(b));
    }

    private held(s: ServerModel): FolderModel[] {
        return [...(this.model.foldersOf.get(s) ?? [])];
    }

    /** 1. A lost server that loads dumps takes a live peer's whole dump; any other with an archive of its own is restored whole from its newest one. */
    wholeRestores(): void {
        const live = new StepBuilder(this.model, this.lost);
        for (const s of this.order) {
            const held = this.held(s);
            const peer = loadsDumps(s) && held.length ? dumpPeer(live, s, held) : undefined;
            if (peer) {
                this.dumpFed.set(s, peer);
                this.notes.push(`${s.name} loads ${peer.name}'s dump (live, fresher than any tape; ${peer.name} is never stopped): its own archives are not needed`);
                continue;
            }
            const archive = s.data && s.host ? candidateArchives(this.catalog, s.name, undefined, loadsDumps(s))[0] : undefined;
            if (archive) {
                this.restored.set(s, archive);
                this.ops.push({ kind: 'tape', server: s, archive });
                if (s.role === 'mail') this.rows.push({ folder: 'mail data', holder: s.name, kind: 'archive', source: archive.id, age: archive.time });
            } else if (s.role === 'mail') {
                this.rows.push({ folder: 'mail data', holder: s.name, kind: 'none' });
                this.losses.push(`mail data of ${s.name} (no archive on any tape)`);
            } else if (held.length === 0) {
                this.notes.push(`${s.name} holds no declared folder and has no archive: nothing to bring back`);
            }
        }
    }

    private key(f: FolderModel, h: ServerModel): string {
        return `${f.name}\u0000${h.name}`;
    }

    private wantReplica(h: ServerModel, f: FolderModel, from: ServerModel[]): void {
        const list = this.replicaFolders.get(h) ?? [];
        list.push(f);
        this.replicaFolders.set(h, list);
        this.allowedSources.set(this.key(f, h), from);
    }

    /** 2. Per lost holder of a folder: a live holder that can feed it, else a restored holder or an archive (fromRestored). */
    folderSources(f: FolderModel): void {
        const rest: ServerModel[] = [];
        for (const h of this.order.filter(x => f.holders.includes(x))) {
            const peer = this.dumpFed.get(h);
            const feeders = peer ? [peer] : f.holders.filter(s => !this.lost.includes(s) && canFeed(s, h));
            if (feeders.length === 0) { rest.push(h); continue; }
            if (!peer) this.wantReplica(h, f, feeders);
            this.rows.push({ folder: f.name, holder: h.name, kind: peer ? 'dump' : 'live', source: feeders.map(x => x.name).join(' or '), age: 'live' });
        }
        if (rest.length) this.fromRestored(f, rest);
    }

    /** A folder no live holder can give to `rest`: kept where restored, else the newest archive holding it, then replicated on. */
    private fromRestored(f: FolderModel, rest: ServerModel[]): void {
        const { restored, rows } = this;
        let having = rest.filter(h => restored.get(h)?.folders.some(g => g.name === f.name));
        if (having.length === 0) {
            // A folder comes from another archive only onto a server that takes folders (not a dump server).
            const takers = rest.filter(h => h.data && h.host && !loadsDumps(h));
            const onto = takers.find(h => h.master) ?? takers[0];
            const archive = onto && candidateArchives(this.catalog, onto.name, [f])[0];
            if (!onto || !archive) {
                this.losses.push(`${f.name} (on ${f.holders.map(h => h.name).join(', ')}: no holder left and no archive holds it)`);
                for (const h of rest) rows.push({ folder: f.name, holder: h.name, kind: 'none' });
                return;
            }
            this.ops.push({ kind: 'tape', server: onto, archive, folders: [f] });
            restored.set(onto, restored.get(onto) ?? archive);
            having = [onto];
            rows.push({ folder: f.name, holder: onto.name, kind: 'archive', source: archive.id, age: archive.time });
        } else {
            for (const h of having) rows.push({ folder: f.name, holder: h.name, kind: 'archive', source: restored.get(h)!.id, age: restored.get(h)!.time });
        }
        const age = restored.get(having[0])!.time;
        for (const h of rest.filter(x => !having.includes(x))) {
            const feeders = having.filter(s => canFeed(s, h));
            if (feeders.length === 0) {
                rows.push({ folder: f.name, holder: h.name, kind: 'none' });
                this.losses.push(`${f.name} on ${h.name} (${h.name} loads dumps and no server with \`dump\` is left to give it one)`);
                continue;
            }
            this.wantReplica(h, f, feeders);
            rows.push({ folder: f.name, holder: h.name, kind: 'replica', source: feeders.map(x => x.name).join(' or '), age });
        }
    }

    /** 3. Steps: tape operations first (master first), then one replication (or one dump load) per target. */
    steps(): StepBuilder {
        const builder = new StepBuilder(this.model, this.lost);
        for (const op of this.ops) builder.addOp(op, false, builder.running.has(op.server));
        for (const h of this.order) {
            const op = this.replicaOp(builder, h);
            if (!op) continue;
            this.ops.push(op);
            builder.addOp(op, false, builder.running.has(h));
        }
        return builder;
    }

    /** The replication onto a lost holder, if it needs one. */
    private replicaOp(builder: StepBuilder, h: ServerModel): RestoreOp | undefined {
        const allowed = (f: FolderModel, s: ServerModel): boolean => this.allowedSources.get(this.key(f, h))?.includes(s) ?? false;
        const held = this.held(h);
        let peer = this.dumpFed.get(h);
        const folders = peer ? held : this.replicaFolders.get(h);
        if (!folders) return undefined;
        if (!peer && loadsDumps(h)) {
            // A load replaces the whole data folder: one peer (restored above) must hold all of it.
            peer = dumpPeer(builder, h, held, (f, s) => !this.allowedSources.has(this.key(f, h)) || allowed(f, s));
            if (!peer) {
                this.notes.push(`${h.name} loads dumps, and no one server with \`dump\` holds all of its folders: ${folders.map(f => f.name).join(', ')} come back only from its own archive, if any`);
                return undefined;
            }
        }
        if (peer) return { kind: 'replica', server: h, sources: [{ source: peer, folders: held }], viaDump: true };
        return { kind: 'replica', server: h, sources: chooseSources(builder, h, folders, builder.running.has(h), allowed) };
    }
}
