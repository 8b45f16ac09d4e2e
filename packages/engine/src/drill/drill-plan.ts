/**
 * Planning `backplan drill` (DESIGN §11): which drill blocks, which servers, and which of
 * each server's archives the runner may pick from. Pure but for listing the tapes.
 *
 *   drills   = --policy NAME (a drill block), else every drill block in file order
 *              (none in the runbook, or an unknown name: usage error)
 *   tasks    = for each drill, each of its servers (--server NAME…: those only; a name no
 *              chosen drill restores is a usage error)
 *   candidates of a task = the archives on the drill's tape whose ID names the server,
 *              oldest first — those whose manifest cannot be read too (a bad MAC, a
 *              damaged file): a drill must fail on them, not quietly drill an older one;
 *              a restic tape: Backplan's snapshots of the server (journal/restic-catalog.ts,
 *              `--host` = the server), oldest first; their manifests are read by the runner
 *   --archive ID: that archive only, for the tasks of its server and tape (else usage error)
 * The pick itself needs the run ID (random): drill-runner.ts makes it.
 */
import * as path from 'node:path';
import type { DrillModel, RunbookModel, ServerModel, TapeModel } from '@backplan/language/model';
import { describeHost, machineKey } from '@backplan/language/model';
import { PlanUsageError } from '../plan/backup-plan.js';
import { archiveIdServer } from '../tape/archive-id.js';
import { TapeStore, type ListedArchive } from '../tape/tape-store.js';
import { namesSnapshot, readResticCatalog, type ResticCatalogEntry, type ResticCatalogOptions } from '../journal/restic-catalog.js';

/** An archive a drill may restore: as listed on its tape (exactly one of `listed` and `restic`). */
export interface DrillCandidate {
    /** Its ID as `backplan archives` shows it. */
    readonly id: string;
    /** What the run locks while it reads the archive. */
    readonly store: TapeStore;
    /** An archive on a folder tape. */
    readonly listed?: ListedArchive;
    /** A snapshot on a restic tape. */
    readonly restic?: ResticCatalogEntry;
}

/** One server of one drill. */
export interface DrillTask {
    readonly drill: DrillModel;
    readonly server: ServerModel;
    readonly tape: TapeModel;
    /** Oldest first. */
    readonly candidates: readonly DrillCandidate[];
    /** `--archive ID`: the pick is given. */
    readonly given: boolean;
    /** Why this task cannot run at all (a tape that cannot be read, a kind drills do not read yet). */
    readonly problem?: string;
}

/** What `backplan drill` will do. */
export interface DrillPlan {
    readonly tasks: readonly DrillTask[];
}

export interface DrillPlanOptions {
    /** `--policy NAME`: the drill block. */
    readonly policy?: string;
    /** `--server NAME…` */
    readonly servers?: readonly string[];
    /** `--archive ID` */
    readonly archive?: string;
    /** How to reach the restic tapes (without it a restic tape's tasks cannot run). */
    readonly restic?: ResticCatalogOptions;
}

/** The drill blocks a run takes (also what the CLI judges `drill.invalid` against). */
export function chooseDrills(model: RunbookModel, policy?: string): DrillModel[] {
    if (model.drills.length === 0) {
        throw new PlanUsageError('the runbook has no drill block: add one, such as `drill Weekly { from TAPE }` (docs/language.md#drill)');
    }
    if (policy === undefined) return [...model.drills];
    const drill = model.drills.find(d => d.name === policy);
    if (!drill) throw new PlanUsageError(`no drill block named ${policy} in this runbook (drills: ${model.drills.map(d => d.name).join(', ')})`);
    return [drill];
}

/**
 * Why scratch cannot go below `base` (undefined: it can): a drill never writes into live
 * data, so `base` may be neither inside nor around a data folder of a server on a machine
 * the scratch is made on — this one, and the host of each SSH server these drills restore
 * from a restic tape (restic restores there, at the same path: drill-restic.ts).
 */
export function drillBaseProblem(model: RunbookModel, base: string, drills: readonly DrillModel[] = model.drills): string | undefined {
    const within = (inner: string, outer: string): boolean => {
        const rel = path.relative(outer, inner);
        return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    };
    const machines = new Set(['local', ...drills.filter(d => d.tape?.restic !== undefined)
        .flatMap(d => d.servers.flatMap(s => s.host?.kind === 'ssh' ? [machineKey(s.host)] : []))]);
    const server = model.servers.find(s => s.host && machines.has(machineKey(s.host)) && s.data?.startsWith('/') && (within(base, s.data) || within(s.data, base)));
    if (!server) return undefined;
    const where = server.host!.kind === 'local' ? '' : ` on ${describeHost(server.host!)}`;
    return `${base} ${within(base, server.data!) ? 'is inside' : 'holds'} the data folder ${server.data} of server ${server.name}${where}: a drill never writes near live data; choose another --target (or --state)`;
}

/** Plans a drill run (see module comment). */
export async function planDrills(model: RunbookModel, options: DrillPlanOptions = {}): Promise<DrillPlan> {
    const drills = chooseDrills(model, options.policy);
    const wanted = options.servers?.length ? new Set(options.servers) : undefined;
    for (const name of wanted ?? []) {
        if (!drills.some(d => d.servers.some(s => s.name === name))) {
            throw new PlanUsageError(`no drill of this run restores server ${name} (${drills.map(d => `${d.name}: ${d.servers.map(s => s.name).join(', ') || 'none'}`).join('; ')})`);
        }
    }
    const listings = new Map<string, Promise<Listing>>();
    const tasks: DrillTask[] = [];
    for (const drill of drills) {
        if (!drill.tape) throw new PlanUsageError(`drill ${drill.name} has no tape to restore from: fix its \`from\` (see \`backplan check\`)`);
        const tape = drill.tape;
        for (const server of drill.servers.filter(s => !wanted || wanted.has(s.name))) {
            if (!listings.has(tape.name)) listings.set(tape.name, tape.at === undefined ? listResticTape(tape, options.restic) : listTape(tape));
            const { candidates, error } = await listings.get(tape.name)!;
            const own = candidates.filter(c => serverOf(c) === server.name);
            // A restic place that could not be read matters to a server with nothing listed.
            tasks.push({ drill, server, tape, candidates: own, given: false, problem: own.length === 0 || tape.at !== undefined ? error : undefined });
        }
    }
    return { tasks: options.archive === undefined ? tasks : withArchive(tasks, options.archive) };
}

/** `--archive ID`: the tasks of its server and tape, each with that archive only. */
function withArchive(tasks: readonly DrillTask[], id: string): DrillTask[] {
    const out = tasks.flatMap(t => {
        const c = t.candidates.find(x => x.id === id || (x.restic !== undefined && namesSnapshot(id, x.restic.restic.archive)));
        return c ? [{ ...t, candidates: [c], given: true }] : [];
    });
    if (out.length === 0) {
        const where = [...new Set(tasks.map(t => t.tape.name))].join(', ');
        throw new PlanUsageError(`archive ${id} is not an archive of a server this run drills, on ${where || 'its tapes'} (see \`backplan archives\`)`);
    }
    return out;
}

/** A tape's archives, oldest first, or why the tape cannot be listed. */
interface Listing {
    candidates: DrillCandidate[];
    error?: string;
}

/** Every archive on a folder tape with a manifest file, readable or not, oldest first (or why the tape cannot be listed). */
async function listTape(tape: TapeModel): Promise<Listing> {
    const store = TapeStore.of(tape);
    try {
        return { candidates: (await store.list()).map(listed => ({ id: listed.id, listed, store })) };
    } catch (err) {
        return { candidates: [], error: `tape ${tape.name} cannot be read at ${tape.at}: ${(err as Error).message}` };
    }
}

/** Backplan's snapshots on a restic tape, oldest first (or why a place of it cannot be read: a wrong password, an unreachable repository). */
async function listResticTape(tape: TapeModel, options: ResticCatalogOptions | undefined): Promise<Listing> {
    if (!options) return { candidates: [], error: `tape ${tape.name} is a restic tape, and this run has no way to reach it` };
    const { entries, problems } = await readResticCatalog([tape], options);
    const candidates = entries
        .sort((a, b) => Date.parse(a.info.time) - Date.parse(b.info.time))
        .map(entry => ({ id: entry.info.id, store: entry.store, restic: entry }));
    return { candidates, error: problems.length ? problems.map(p => p.text).join('; ') : undefined };
}

/** The server of an archive: its manifest's (a restic snapshot's `--host`), else the one its ID names. */
function serverOf(c: DrillCandidate): string | undefined {
    if (c.restic) return c.restic.info.server;
    return c.listed?.manifest?.server ?? archiveIdServer(c.id);
}
