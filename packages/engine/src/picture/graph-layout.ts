/**
 * Layout of the topology with ELK's layered algorithm (elkjs), left to right: folders and
 * mail data, then the servers that hold them, then the tapes the servers are backed up to.
 *
 *   size     each node from its text (svg-kit's monospace metrics): label, details, problems
 *   stack    folders held by exactly the same servers have the same copies: they are laid
 *            out as one ELK node (a stack of rows, one row per folder) with one edge per
 *            holder, drawn with a tick from every row to the stack's edge so each copy stays
 *            visible; a runbook of 10,000 folders over a few hundred holder sets lays out
 *            a few hundred nodes, not 10,000
 *   elk      layered, direction RIGHT; up to LARGE_ELK_GRAPH nodes and edges: orthogonal edges,
 *            crossing minimisation, backup names as edge labels; above it every phase at
 *            its cheapest (polyline edges, layers by longest path, no crossing sweeps, no
 *            edge labels: each tape names its backups instead), since ELK's orthogonal
 *            router and sweeps take minutes on thousands of edges
 *   place    stack rows from the stack's position; edges from ELK's sections
 */
import type { ELK, ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api.js';
import type { GraphEdge, GraphNode, RunbookGraph } from './graph-model.js';
import { LINE_HEIGHT, textWidth } from './svg-kit.js';

/** A rectangle in picture coordinates. */
export interface Box { x: number; y: number; width: number; height: number }

/** A point in picture coordinates. */
export interface Point { x: number; y: number }

/** A node with its place and the lines it shows. */
export interface PlacedNode {
    node: GraphNode;
    box: Box;
    /** The lines under the label (details, then one line per problem). */
    lines: Array<{ text: string; problem: boolean }>;
}

/** Folders laid out as one block: same holders, same copies. */
export interface PlacedStack {
    id: string;
    box: Box;
    members: PlacedNode[];
}

/** An edge as drawn: one or more model edges (a stack's copies on one holder) along one route. */
export interface PlacedEdge {
    kind: GraphEdge['kind'];
    /** The model edges it stands for. */
    edges: GraphEdge[];
    points: Point[];
    label?: { text: string; box: Box };
}

export interface GraphLayout {
    width: number;
    height: number;
    nodes: PlacedNode[];
    stacks: PlacedStack[];
    edges: PlacedEdge[];
}

/** Padding inside a node box. */
export const NODE_PADDING = 8;
/** Padding inside a stack's frame, and the length of each row's tick. */
export const STACK_PADDING = 6;
/** Above this many ELK nodes and edges together, the layout trades looks for time. */
const LARGE_ELK_GRAPH = 600;

/**
 * ELK, loaded on first use: 1.7 MB of script that every other command should not parse.
 * A CommonJS module whose exports are the constructor, with itself as `default`: typed as
 * `{ default }`, and `.default` is the constructor under Node, tsc and esbuild alike.
 */
async function loadElk(): Promise<ELK> {
    const module = await import('elkjs/lib/elk.bundled.js');
    return new module.default.default();
}

/** Lays out a topology (ELK is asynchronous; nothing else is). */
export async function layoutGraph(graph: RunbookGraph): Promise<GraphLayout> {
    const sized = new Map(graph.nodes.map(n => [n.id, sizeNode(n)]));
    const stacks = stackFolders(graph, sized);
    const stackOf = new Map<string, PlacedStack>();
    for (const s of stacks) for (const m of s.members) stackOf.set(m.node.id, s);
    const elkId = (nodeId: string): string => stackOf.get(nodeId)?.id ?? nodeId;
    const routes = groupEdges(graph.edges, elkId);
    const large = graph.nodes.length - stackOf.size + stacks.length + routes.length > LARGE_ELK_GRAPH;
    if (large) {
        for (const r of routes) r.label = undefined;
        for (const [tape, backups] of backupsByTape(graph)) sized.set(tape, sizeNode(sized.get(tape)!.node, backups));
    }
    const children: ElkNode[] = [
        ...graph.nodes.filter(n => !stackOf.has(n.id)).map(n => ({ id: n.id, width: sized.get(n.id)!.box.width, height: sized.get(n.id)!.box.height })),
        ...stacks.map(s => ({ id: s.id, width: s.box.width, height: s.box.height }))
    ];
    const edges: ElkExtendedEdge[] = routes.map((r, i) => ({
        id: `e${i}`, sources: [r.source], targets: [r.target],
        labels: r.label ? [{ id: `l${i}`, text: r.label, width: textWidth(r.label) + 4, height: LINE_HEIGHT }] : undefined
    }));
    const root: ElkNode = { id: 'root', layoutOptions: elkOptions(large), children, edges };
    const laid = await (await loadElk()).layout(root);

    const at = new Map((laid.children ?? []).map(c => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
    for (const [id, placed] of sized) {
        if (!stackOf.has(id)) Object.assign(placed.box, at.get(id));
    }
    for (const s of stacks) placeStack(s, at.get(s.id)!);
    const placedEdges = (laid.edges ?? []).map((e, i) => placeEdge(routes[i], e as ElkExtendedEdge));
    return { width: laid.width ?? 0, height: laid.height ?? 0, nodes: [...sized.values()], stacks, edges: placedEdges };
}

function elkOptions(large: boolean): LayoutOptions {
    const common: LayoutOptions = {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.spacing.nodeNode': '14',
        'elk.layered.spacing.nodeNodeBetweenLayers': '70',
        'elk.padding': '[top=12,left=12,bottom=12,right=12]'
    };
    if (!large) return { ...common, 'elk.edgeRouting': 'ORTHOGONAL', 'elk.edgeLabels.inline': 'true', 'elk.spacing.edgeLabel': '2' };
    // Every phase at its cheapest: one layer per kind needs no search for layers or order.
    return {
        ...common,
        'elk.edgeRouting': 'POLYLINE',
        'elk.separateConnectedComponents': 'false',
        'elk.layered.layering.strategy': 'LONGEST_PATH',
        'elk.layered.crossingMinimization.strategy': 'NONE',
        'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
        'elk.layered.nodePlacement.strategy': 'SIMPLE',
        'elk.layered.thoroughness': '1'
    };
}

/** Large graphs: the backups that reach each tape, said on the tape (edge labels cost ELK a node each). */
function backupsByTape(graph: RunbookGraph): Map<string, string[]> {
    const by = new Map<string, Set<string>>();
    for (const e of graph.edges) {
        if (e.kind !== 'backup') continue;
        const set = by.get(e.target) ?? by.set(e.target, new Set()).get(e.target)!;
        for (const b of e.backups ?? []) set.add(b);
    }
    return new Map([...by].map(([id, set]) => [id, [...set]]));
}

/** A node's lines and its box (placed at 0, 0 until ELK says where). */
function sizeNode(node: GraphNode, backups?: readonly string[]): PlacedNode {
    const lines = [
        ...node.details.map(text => ({ text, problem: false })),
        ...(backups ? [{ text: `from backups ${backups.join(', ')}`, problem: false }] : []),
        ...node.problems.map(p => ({ text: `⚠ ${p.summary}`, problem: true }))
    ];
    const width = Math.max(textWidth(node.label), ...lines.map(l => textWidth(l.text))) + 2 * NODE_PADDING;
    const height = (1 + lines.length) * LINE_HEIGHT + NODE_PADDING;
    return { node, box: { x: 0, y: 0, width, height }, lines };
}

/** Stacks of two or more folders that have the same holders (a folder alone is laid out as itself). */
function stackFolders(graph: RunbookGraph, sized: Map<string, PlacedNode>): PlacedStack[] {
    const holders = new Map<string, string[]>();
    for (const e of graph.edges) {
        if (e.kind === 'holds') (holders.get(e.source) ?? holders.set(e.source, []).get(e.source)!).push(e.target);
    }
    const groups = new Map<string, PlacedNode[]>();
    for (const node of graph.nodes) {
        if (node.kind !== 'folder') continue;
        const key = (holders.get(node.id) ?? []).join('\n');
        (groups.get(key) ?? groups.set(key, []).get(key)!).push(sized.get(node.id)!);
    }
    const stacks: PlacedStack[] = [];
    for (const members of groups.values()) {
        if (members.length < 2) continue;
        const width = Math.max(...members.map(m => m.box.width));
        for (const m of members) m.box.width = width;
        const height = members.reduce((sum, m) => sum + m.box.height, 0) + (members.length + 1) * STACK_PADDING;
        stacks.push({ id: `stack:${stacks.length + 1}`, box: { x: 0, y: 0, width: width + 3 * STACK_PADDING, height }, members });
    }
    return stacks;
}

function placeStack(stack: PlacedStack, at: Point): void {
    Object.assign(stack.box, at);
    let y = at.y + STACK_PADDING;
    for (const m of stack.members) {
        Object.assign(m.box, { x: at.x + STACK_PADDING, y });
        y += m.box.height + STACK_PADDING;
    }
}

interface Route { kind: GraphEdge['kind']; source: string; target: string; edges: GraphEdge[]; label?: string }

/** Model edges between the same two ELK nodes (a stack and a holder) share one route. */
function groupEdges(edges: readonly GraphEdge[], elkId: (nodeId: string) => string): Route[] {
    const routes = new Map<string, Route>();
    for (const e of edges) {
        const source = elkId(e.source);
        const target = elkId(e.target);
        const key = `${e.kind}\n${source}\n${target}`;
        const route = routes.get(key);
        if (route) route.edges.push(e);
        else routes.set(key, { kind: e.kind, source, target, edges: [e], label: e.backups?.join(', ') });
    }
    return [...routes.values()];
}

function placeEdge(route: Route, laid: ElkExtendedEdge): PlacedEdge {
    const points: Point[] = [];
    for (const s of laid.sections ?? []) points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    const l = laid.labels?.[0];
    const label = route.label && l ? { text: route.label, box: { x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } } : undefined;
    return { kind: route.kind, edges: route.edges, points, label };
}
