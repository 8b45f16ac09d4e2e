/**
 * The recover planner (DESIGN §4, several servers lost): pure, touches nothing.
 *
 *   1. every lost server with a usable archive of its own is restored whole from its
 *      newest one — the master first, then file order (mail servers only ever this way)
 *   2. for each folder held by a lost server:
 *        a holder that was not lost        → replicate from it onto every lost holder
 *                                            (fresher than any tape: over a restored copy too)
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
import { candidateArchives, chooseSources, StepBuilder, type ArchiveInfo, type RestoreOp, type RestoreStep } from './restore-plan.js';

export interface RecoverOptions {
    lost: readonly string[];
}

/** Where one folder (or a mail server's data) on one lost server comes from. */
export interface RecoverRow {
    /** Folder name, or `mail data`. */
    folder: string;
    holder: string;
    kind: 'archive' | 'live' | 'replica' | 'none';
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
    const order = [...lost].sort((a, b) => Number(b.master) - Number(a.master) || model.servers.indexOf(a) - model.servers.indexOf(b));
    const ops: RestoreOp[] = [];
    const rows: RecoverRow[] = [];
    const losses: string[] = [];
    const notes: string[] = [];

    // 1. Whole restores from each lost server's own newest archive.
    const restored = new Map<ServerModel, ArchiveInfo>();
    for (const s of order) {
        const archive = s.data && s.host ? candidateArchives(catalog, s.name)[0] : undefined;
        if (archive) {
            restored.set(s, archive);
            ops.push({ kind: 'tape', server: s, archive });
            if (s.role === 'mail') rows.push({ folder: 'mail data', holder: s.name, kind: 'archive', source: archive.id, age: archive.time });
        } else if (s.role === 'mail') {
            rows.push({ folder: 'mail data', holder: s.name, kind: 'none' });
            losses.push(`mail data of ${s.name} (no archive on any tape)`);
        } else if ((model.foldersOf.get(s) ?? []).length === 0) {
            notes.push(`${s.name} holds no declared folder and has no archive: nothing to bring back`);
        }
    }

    // 2. Per folder: live holder, restored holder, an archive holding it, or nothing.
    const replicaFolders = new Map<ServerModel, FolderModel[]>();
    const allowedSources = new Map<FolderModel, ServerModel[]>();
    const wantReplica = (h: ServerModel, f: FolderModel): void => {
        const list = replicaFolders.get(h) ?? [];
        list.push(f);
        replicaFolders.set(h, list);
    };
    const lostFolders = model.folders.filter(f => f.holders.some(h => lost.includes(h)));
    for (const f of lostFolders) {
        const lostHolders = order.filter(h => f.holders.includes(h));
        const live = f.holders.filter(h => !lost.includes(h));
        if (live.length) {
            allowedSources.set(f, live);
            for (const h of lostHolders) {
                wantReplica(h, f);
                rows.push({ folder: f.name, holder: h.name, kind: 'live', source: live.map(x => x.name).join(' or '), age: 'live' });
            }
            continue;
        }
        let having = lostHolders.filter(h => restored.get(h)?.folders.some(g => g.name === f.name));
        if (having.length === 0) {
            const onto = lostHolders.find(h => h.master) ?? lostHolders.find(h => h.data && h.host);
            const archive = onto && candidateArchives(catalog, onto.name, [f])[0];
            if (!onto || !archive) {
                losses.push(`${f.name} (on ${f.holders.map(h => h.name).join(', ')}: no holder left and no archive holds it)`);
                for (const h of lostHolders) rows.push({ folder: f.name, holder: h.name, kind: 'none' });
                continue;
            }
            ops.push({ kind: 'tape', server: onto, archive, folders: [f] });
            restored.set(onto, restored.get(onto) ?? archive);
            having = [onto];
            rows.push({ folder: f.name, holder: onto.name, kind: 'archive', source: archive.id, age: archive.time });
        } else {
            for (const h of having) rows.push({ folder: f.name, holder: h.name, kind: 'archive', source: restored.get(h)!.id, age: restored.get(h)!.time });
        }
        allowedSources.set(f, having);
        const age = restored.get(having[0])!.time;
        for (const h of lostHolders.filter(x => !having.includes(x))) {
            wantReplica(h, f);
            rows.push({ folder: f.name, holder: h.name, kind: 'replica', source: having.map(x => x.name).join(' or '), age });
        }
    }

    // 3. Steps: tape operations first (master first), then one replication per target.
    const builder = new StepBuilder(model, lost);
    for (const op of ops) builder.addOp(op, false, builder.running.has(op.server));
    for (const h of order) {
        const folders = replicaFolders.get(h);
        if (!folders) continue;
        const sources = chooseSources(builder, h, folders, builder.running.has(h), (f, s) => allowedSources.get(f)?.includes(s) ?? false);
        const op: RestoreOp = { kind: 'replica', server: h, sources };
        ops.push(op);
        builder.addOp(op, false, builder.running.has(h));
    }
    return { lost, ops, rows, losses, steps: builder.steps, notes: [...notes, ...builder.notes] };
}
