/**
 * The topology of a runbook as plain nodes and edges, read from the language package's
 * coverage model (no second model): what `backplan graph` draws and prints as JSON.
 *
 *   nodes   every server (role, master), tape (off-site), folder, and the mail data of
 *           every mail server; a folder or mail data carries the risks that
 *           model/coverage-risk.ts finds for its coverage entry (fewer than two copies, no
 *           off-site copy under `require offsite`), in words
 *   edges   a copy on a server: folder → each holder, mail data → its server
 *           a copy on a tape:   server → tape, once per (server, tape), naming the backups
 *                               that send the server there (the coverage model counts a tape
 *                               once, however many backups reach it)
 *
 * Ids are `kind:Name`; a name declared twice (`name.duplicate`) gets `#2`, `#3`… so that a
 * runbook with errors still draws. Linear in the size of the runbook.
 */
import { coverageRisks, describeHost, type CoverageRisk, type FolderModel, type RunbookModel, type ServerModel, type TapeModel } from '@backplan/language/model';

export type GraphNodeKind = 'server' | 'tape' | 'folder' | 'mail';

/** One node of the topology. */
export interface GraphNode {
    id: string;
    kind: GraphNodeKind;
    /** The declared name (for mail data: its server's name). */
    label: string;
    /** Smaller lines under the label: role and host, off-site, path. */
    details: string[];
    role?: 'mail' | 'catalog';
    master?: boolean;
    offsite?: boolean;
    /** Folders and mail data: how many copies the coverage model counts. */
    copies?: number;
    /** Why this is at risk, in words; empty when it is not. */
    problems: CoverageRisk[];
}

/** A copy: on a server (`holds`), or on a tape by backups (`backup`). */
export interface GraphEdge {
    id: string;
    kind: 'holds' | 'backup';
    source: string;
    target: string;
    /** `backup` edges: the backups that send the source server to the target tape. */
    backups?: string[];
}

/** The whole picture's data. */
export interface RunbookGraph {
    version: 1;
    title?: string;
    requireOffsite: boolean;
    nodes: GraphNode[];
    edges: GraphEdge[];
}

/** Builds the topology of a runbook from its model. */
export function buildRunbookGraph(model: RunbookModel): RunbookGraph {
    const ids = new IdMaker();
    const nodes: GraphNode[] = [];
    const edges: GraphEdge[] = [];
    const serverId = new Map<ServerModel, string>();
    const tapeId = new Map<TapeModel, string>();
    for (const server of model.servers) {
        const id = ids.make('server', server.name);
        serverId.set(server, id);
        nodes.push(serverNode(id, server));
    }
    for (const tape of model.tapes) {
        const id = ids.make('tape', tape.name);
        tapeId.set(tape, id);
        nodes.push({ id, kind: 'tape', label: tape.name, details: [tape.offsite ? 'tape · off-site' : 'tape · on-site', ...(tape.at ? [tape.at] : [])], offsite: tape.offsite, problems: [] });
    }
    for (const coverage of model.coverage.values()) {
        const problems = coverageRisks(model, coverage);
        const folder = coverage.kind === 'folder' ? coverage.subject as FolderModel : undefined;
        const id = ids.make(coverage.kind, coverage.subject.name);
        const details = folder ? (folder.path !== folder.name ? [`path ${folder.path}`] : []) : ['mail data'];
        nodes.push({ id, kind: coverage.kind, label: coverage.subject.name, details, copies: coverage.copies, problems });
        // The copies on servers: a folder's holders; mail data's own server.
        for (const holder of coverage.servers) edges.push({ id: `${id}>${serverId.get(holder)}`, kind: 'holds', source: id, target: serverId.get(holder)! });
    }
    edges.push(...backupEdges(model, serverId, tapeId));
    return { version: 1, title: model.title, requireOffsite: model.requireOffsite, nodes, edges };
}

function serverNode(id: string, server: ServerModel): GraphNode {
    const role = server.role ? `${server.role}${server.master ? ' · master' : ''}` : 'no role';
    return {
        id, kind: 'server', label: server.name, details: [role, server.host ? describeHost(server.host) : 'no valid host'],
        role: server.role, master: server.master, problems: []
    };
}

/** One edge per (server, tape) that some backup connects, in backup order. */
function backupEdges(model: RunbookModel, serverId: Map<ServerModel, string>, tapeId: Map<TapeModel, string>): GraphEdge[] {
    const byPair = new Map<string, GraphEdge>();
    for (const backup of model.backups) {
        if (!backup.tape) continue;
        const target = tapeId.get(backup.tape)!;
        for (const server of backup.servers) {
            const source = serverId.get(server)!;
            const id = `${source}>${target}`;
            const edge = byPair.get(id);
            if (edge) edge.backups!.push(backup.name);
            else byPair.set(id, { id, kind: 'backup', source, target, backups: [backup.name] });
        }
    }
    return [...byPair.values()];
}

/** `kind:Name`, then `kind:Name#2`… for a name declared again. */
class IdMaker {
    private readonly seen = new Map<string, number>();

    make(kind: GraphNodeKind, name: string): string {
        const base = `${kind}:${name}`;
        const n = (this.seen.get(base) ?? 0) + 1;
        this.seen.set(base, n);
        return n === 1 ? base : `${base}#${n}`;
    }
}
