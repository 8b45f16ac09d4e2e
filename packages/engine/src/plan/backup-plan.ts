/**
 * The backup planner: pure functions from a runbook model and the CLI's options to an
 * ordered plan. Touches nothing.
 *
 *   select:  --policy P [--server S…] → P's servers (filtered)
 *            --server S…              → the one backup holding each S (several: ask for --policy)
 *            neither                  → every backup, in file order
 *   steps:   preflight(every server) → per backup: lock tape → per server, `rolling`
 *            one at a time or up to N at once (batches: holder-guard.ts's waves, so a
 *            server that holds the last running copy of a folder waits): the server's
 *            steps by how it is quiesced (serverBackupActions: stop → archive → start, or
 *            stop → snapshot → start → archive the snapshot → drop it, or dump → archive
 *            → drop the dump) → verify → record → unlock tape
 *   restic:  a restic tape (DESIGN §9) has the same steps; its archive step is `restic
 *            backup` on the server's host, verify lists the snapshot back, record stores
 *            its manifest snapshot (restic/restic-archive-step.ts); the steps carry the
 *            repository so that the plan says so
 */
import type { BackupModel, FolderModel, RunbookModel, ServerModel, TapeModel } from '@backplan/language/model';
import { parallelWaves, type HolderBlock } from './holder-guard.js';
import type { ScopeRegion } from './refusal-codes.js';

/** Bad options (exit 2). */
export class PlanUsageError extends Error {}

/** The runbook cannot be run as asked (exit 1): a server without stop/start, a backup without tape. */
export class PlanRefusedError extends Error {}

export interface BackupPlanOptions {
    policy?: string;
    servers?: readonly string[];
}

/** One server's part of a backup. */
export interface ServerPlan {
    server: ServerModel;
    /** Catalog folders it holds (from the coverage model); empty for a mail server. */
    folders: readonly FolderModel[];
}

/** One `backup` block as it will run. */
export interface BackupPlanItem {
    backup: BackupModel;
    tape: TapeModel;
    /** 1: rolling. */
    parallel: number;
    servers: ServerPlan[];
}

export type StepAction = 'preflight' | 'lock' | 'stop' | 'snapshot' | 'start' | 'dump' | 'archive' | 'drop-snapshot' | 'drop-dump'
    | 'verify' | 'record' | 'unlock';

/** Steps that open something, and the step that closes it whatever happens between (kernel/step-executor.ts). */
export const BACKUP_BRACKETS: Readonly<Record<string, StepAction>> = { stop: 'start', snapshot: 'drop-snapshot', dump: 'drop-dump' };

/** A server's backup steps, by how it is quiesced (DESIGN §10). */
export function serverBackupActions(server: ServerModel): StepAction[] {
    if (server.dump) return ['dump', 'archive', 'drop-dump', 'verify', 'record'];
    if (server.snapshot) return ['stop', 'snapshot', 'start', 'archive', 'drop-snapshot', 'verify', 'record'];
    return ['stop', 'archive', 'start', 'verify', 'record'];
}

/** One step of the plan, in order. */
export interface PlanStep {
    n: number;
    action: StepAction;
    policy?: string;
    tape?: string;
    server?: string;
    /** The command run (stop/start), as written in the runbook. */
    command?: string;
    /** Servers of a preflight. */
    servers?: string[];
    /** Set on server steps of a `parallel N` backup: which batch of up to N servers it belongs to. */
    concurrent?: number;
    /** On an archive step: what is read when it is not the data folder (`the snapshot`, `the dump`). */
    source?: string;
    /** On a stop step: the folder whose other holders, all stopped, keep it out of an earlier batch. */
    waitsFor?: HolderBlock;
    /** On the steps of a backup to a restic tape: the repository. */
    restic?: string;
}

export interface BackupPlan {
    items: BackupPlanItem[];
    steps: PlanStep[];
}

/** The backups and servers a run's options ask for (throws PlanUsageError); `status` asks it of past runs' command lines. */
export function chooseBackups(model: RunbookModel, options: BackupPlanOptions): Array<{ backup: BackupModel; servers: ServerModel[] }> {
    const wanted = options.servers ?? [];
    for (const name of wanted) {
        if (!model.servers.some(s => s.name === name)) {
            throw new PlanUsageError(`no server named ${name} in this runbook (servers: ${model.servers.map(s => s.name).join(', ') || 'none'})`);
        }
    }
    let chosen: Array<{ backup: BackupModel; servers: ServerModel[] }>;
    if (options.policy !== undefined) {
        const backup = model.backups.find(b => b.name === options.policy);
        if (!backup) throw new PlanUsageError(`no backup named ${options.policy} in this runbook (backups: ${model.backups.map(b => b.name).join(', ') || 'none'})`);
        const outside = wanted.filter(name => !backup.servers.some(s => s.name === name));
        if (outside.length) throw new PlanUsageError(`backup ${backup.name} does not hold ${outside.join(', ')}`);
        chosen = [{ backup, servers: wanted.length ? backup.servers.filter(s => wanted.includes(s.name)) : [...backup.servers] }];
    } else if (wanted.length) {
        const byBackup = new Map<BackupModel, ServerModel[]>();
        for (const name of wanted) {
            const holders = model.backups.filter(b => b.servers.some(s => s.name === name));
            if (holders.length === 0) throw new PlanUsageError(`no backup holds server ${name}: add it to a backup block`);
            if (holders.length > 1) {
                throw new PlanUsageError(`server ${name} is in several backups (${holders.map(b => b.name).join(', ')}): choose one with --policy`);
            }
            const list = byBackup.get(holders[0]) ?? [];
            list.push(holders[0].servers.find(s => s.name === name)!);
            byBackup.set(holders[0], list);
        }
        chosen = model.backups.filter(b => byBackup.has(b)).map(b => ({ backup: b, servers: b.servers.filter(s => byBackup.get(b)!.includes(s)) }));
    } else {
        if (model.backups.length === 0) throw new PlanUsageError('this runbook has no backup block');
        chosen = model.backups.map(b => ({ backup: b, servers: [...b.servers] }));
    }
    return chosen;
}

/** Selects the backups and servers of a run (throws PlanUsageError / PlanRefusedError). */
export function selectBackups(model: RunbookModel, options: BackupPlanOptions): BackupPlanItem[] {
    const chosen = chooseBackups(model, options);
    const problems: string[] = [];
    const items: BackupPlanItem[] = [];
    for (const { backup, servers } of chosen) {
        if (!backup.tape) problems.push(`backup ${backup.name} has no tape (\`to TAPE\`)`);
        else if (!backup.tape.at && !backup.tape.restic) problems.push(`tape ${backup.tape.name} has neither an \`at\` folder nor a \`restic\` repository`);
        else if (backup.tape.restic && !backup.tape.passwordFile) problems.push(`restic tape ${backup.tape.name} has no \`password-file\``);
        for (const s of servers) {
            if ((!s.stop || !s.start) && !s.dump) problems.push(`server ${s.name} has no ${!s.stop ? 'stop' : 'start'} command: Backplan quits the application for a consistent copy`);
            if (!s.host || !s.data) problems.push(`server ${s.name} lacks ${!s.host ? 'a valid host' : 'a data folder'}`);
        }
        if (backup.tape?.at || (backup.tape?.restic && backup.tape.passwordFile)) {
            items.push({ backup, tape: backup.tape, parallel: Math.max(1, backup.parallel), servers: servers.map(s => ({ server: s, folders: model.foldersOf.get(s) ?? [] })) });
        }
    }
    if (problems.length) throw new PlanRefusedError(problems.join('; '));
    return items;
}

/** The ordered steps of a backup run. */
export function planSteps(items: readonly BackupPlanItem[]): PlanStep[] {
    const steps: PlanStep[] = [];
    const add = (s: Omit<PlanStep, 'n'>): void => { steps.push({ n: steps.length + 1, ...s }); };
    const allServers = [...new Set(items.flatMap(i => i.servers.map(s => s.server.name)))];
    add({ action: 'preflight', servers: allServers });
    for (const item of items) {
        const policy = item.backup.name;
        const tape = item.tape.name;
        const restic = item.tape.restic;
        add({ action: 'lock', policy, tape, restic });
        // parallel N: the waves the runner's holder rule gives when every server takes as long.
        const order = item.parallel > 1
            ? parallelWaves(item.servers, item.parallel)
            : item.servers.map(sp => ({ item: sp, wave: undefined, waited: undefined }));
        order.forEach(({ item: { server }, wave: concurrent, waited }) => {
            for (const action of serverBackupActions(server)) {
                const command = action === 'stop' ? server.stop : action === 'start' ? server.start : action === 'dump' ? server.dump : undefined;
                const source = action !== 'archive' ? undefined : server.dump ? 'the dump' : server.snapshot ? 'the snapshot' : undefined;
                const onTape = action === 'archive' || action === 'verify' || action === 'record' ? restic : undefined;
                add({ action, policy, tape, server: server.name, command, source, concurrent, waitsFor: action === 'stop' ? waited : undefined, restic: onTape });
            }
        });
        add({ action: 'unlock', policy, tape });
    }
    return steps;
}

/** Plans a backup run. */
export function planBackup(model: RunbookModel, options: BackupPlanOptions): BackupPlan {
    const items = selectBackups(model, options);
    return { items, steps: planSteps(items) };
}

/** The parts of a Langium AST node that scoping needs (no dependency on langium itself). */
interface AstNodeLike {
    $cstNode?: { range: { start: ScopeRegion['start']; end: ScopeRegion['end'] } };
    $container?: AstNodeLike;
    $document?: { uri: { toString(): string } };
}

/** The declarations a backup run touches, for scoping `backup.no-stop`/`backup.no-tape`. */
export function runScope(items: readonly BackupPlanItem[], model: RunbookModel, options: BackupPlanOptions): ScopeRegion[] {
    const regions: ScopeRegion[] = [];
    const push = (node: AstNodeLike): void => {
        let root: AstNodeLike | undefined = node;
        while (root && !root.$document) root = root.$container;
        const uri = root?.$document?.uri.toString();
        const range = node.$cstNode?.range;
        if (uri && range) regions.push({ uri, start: range.start, end: range.end });
    };
    const backups = items.length ? items.map(i => i.backup) : model.backups.filter(b => options.policy === undefined || b.name === options.policy);
    for (const b of backups) push(b.node as AstNodeLike);
    for (const i of items) for (const s of i.servers) push(s.server.node as AstNodeLike);
    return regions;
}
