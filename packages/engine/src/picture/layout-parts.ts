/**
 * The parts of the topology's layout that both ways of laying it out use (graph-layout.ts
 * for a graph ELK can lay out whole, large-layout.ts above that): the placed shapes, node
 * sizes from their text, stacks of folders with the same holders, routes, and ELK itself.
 *
 *   size     each node from its text (svg-kit's monospace metrics): label, details, problems
 *   stack    folders held by exactly the same servers have the same copies: one ELK node
 *            (a stack of rows, one per folder) with one route per holder, each row ticked to
 *            the stack's edge so every copy stays visible
 *   route    model edges between the same two ELK nodes share one drawn line
 */
import type { ELK, LayoutOptions } from 'elkjs/lib/elk-api.js';
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

/** One line to draw between two ELK nodes, standing for one or more model edges. */
export interface Route { kind: GraphEdge['kind']; source: string; target: string; edges: GraphEdge[]; label?: string }

/** What both layouts start from. */
export interface Prepared {
    graph: RunbookGraph;
    sized: Map<string, PlacedNode>;
    stacks: PlacedStack[];
    stackOf: Map<string, PlacedStack>;
    routes: Route[];
}

/** Padding inside a node box. */
export const NODE_PADDING = 8;
/** Padding inside a stack's frame, and the length of each row's tick. */
export const STACK_PADDING = 6;
/** Room around the whole graph. */
export const GRAPH_PADDING = 12;

/** The options both layouts give ELK: layered, left to right, the same spacing and padding. */
export const BASE_ELK_OPTIONS: LayoutOptions = {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.spacing.nodeNode': '14',
    'elk.padding': `[top=${GRAPH_PADDING},left=${GRAPH_PADDING},bottom=${GRAPH_PADDING},right=${GRAPH_PADDING}]`
};

/** Sizes, stacks and routes of a topology. */
export function prepare(graph: RunbookGraph): Prepared {
    const sized = new Map(graph.nodes.map(n => [n.id, sizeNode(n)]));
    const stacks = stackFolders(graph, sized);
    const stackOf = new Map<string, PlacedStack>();
    for (const s of stacks) for (const m of s.members) stackOf.set(m.node.id, s);
    const routes = groupEdges(graph.edges, id => stackOf.get(id)?.id ?? id);
    return { graph, sized, stacks, stackOf, routes };
}

/** The ELK nodes: every node not in a stack, then the stacks, with their sizes. */
export function elkBoxes(p: Prepared): Array<{ id: string; width: number; height: number }> {
    return [
        ...p.graph.nodes.filter(n => !p.stackOf.has(n.id)).map(n => ({ id: n.id, width: p.sized.get(n.id)!.box.width, height: p.sized.get(n.id)!.box.height })),
        ...p.stacks.map(s => ({ id: s.id, width: s.box.width, height: s.box.height }))
    ];
}

/** Moves every node and stack to where ELK put it (stack rows follow their stack). */
export function placeAll(p: Prepared, at: ReadonlyMap<string, Point>): void {
    for (const [id, placed] of p.sized) {
        if (!p.stackOf.has(id)) Object.assign(placed.box, at.get(id));
    }
    for (const s of p.stacks) placeStack(s, at.get(s.id)!);
}

/**
 * ELK, loaded on first use: 1.7 MB of script that every other command should not parse.
 * A CommonJS module whose exports are the constructor, with itself as `default`: typed as
 * `{ default }`, and `.default` is the constructor under Node, tsc and esbuild alike.
 */
export async function loadElk(): Promise<ELK> {
    const module = await import('elkjs/lib/elk.bundled.js');
    return new module.default.default();
}

/** A node's lines and its box (placed at 0, 0 until ELK says where); `backups`: a tape's "from backups …" line. */
export function sizeNode(node: GraphNode, backups?: readonly string[]): PlacedNode {
    const lines = [
        ...node.details.map(text => ({ text, problem: false })),
        ...(backups ? [{ text: `from backup${backups.length === 1 ? '' : 's'} ${backups.join(', ')}`, problem: false }] : []),
        ...node.problems.map(p => ({ text: `⚠ ${p.summary}`, problem: true }))
    ];
    const width = Math.max(textWidth(node.label), ...lines.map(l => textWidth(l.text))) + 2 * NODE_PADDING;
    const height = (1 + lines.length) * LINE_HEIGHT + NODE_PADDING;
    return { node, box: { x: 0, y: 0, width, height }, lines };
}

/** The backups that reach each tape. */
export function backupsByTape(graph: RunbookGraph): Map<string, string[]> {
    const by = new Map<string, Set<string>>();
    for (const e of graph.edges) {
        if (e.kind !== 'backup') continue;
        const set = by.get(e.target) ?? by.set(e.target, new Set()).get(e.target)!;
        for (const b of e.backups ?? []) set.add(b);
    }
    return new Map([...by].map(([id, set]) => [id, [...set]]));
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
