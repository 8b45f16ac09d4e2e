/**
 * The topology of a large runbook (more than LARGE_ELK_GRAPH ELK nodes and routes, see
 * graph-layout.ts): ELK's layered algorithm places the nodes, the edges are drawn straight
 * between adjacent layers.
 *
 *   layers   folders, stacks and mail data (0), servers (1), tapes (2): every edge of the
 *            topology goes from one layer to the next, the layering ELK finds itself
 *   hints    layer 0 in the order of the mean declaration index of its holders, stacked;
 *            each server, then each tape, at the mean height of what connects to it (one
 *            barycentre pass, the heuristic ELK's layer sweep repeats)
 *   elk      the nodes only, with INTERACTIVE layering, ordering and placement from those
 *            hints: ELK computes the layers' widths and the spacing, and moves apart nodes
 *            whose hints overlap; its edge phases (about a millisecond per edge, cold)
 *            are skipped
 *   edges    straight, from the source's right side to the target's left side, the ends
 *            spread along each side in the order of the other ends (no crossing at a node):
 *            what ELK's polyline router draws between adjacent layers
 *   tapes    name their backups ("from backup …") instead of edge labels
 */
import type { ElkNode, LayoutOptions } from 'elkjs/lib/elk-api.js';
import {
    backupsByTape, BASE_ELK_OPTIONS, elkBoxes, loadElk, placeAll, sizeNode,
    type Box, type GraphLayout, type PlacedEdge, type Prepared, type Route
} from './layout-parts.js';

/** Far enough apart that no two layers' hints overlap, whatever the nodes' widths. */
const LAYER_HINT = 1_000_000;

const ELK_OPTIONS: LayoutOptions = {
    ...BASE_ELK_OPTIONS,
    'elk.layered.spacing.nodeNodeBetweenLayers': '160',
    'elk.separateConnectedComponents': 'false',
    'elk.layered.layering.strategy': 'INTERACTIVE',
    'elk.layered.crossingMinimization.strategy': 'INTERACTIVE',
    'elk.layered.nodePlacement.strategy': 'INTERACTIVE',
    'elk.layered.thoroughness': '1'
};

/** Lays out a large topology. */
export async function layoutLarge(p: Prepared): Promise<GraphLayout> {
    for (const r of p.routes) r.label = undefined;
    for (const [tape, backups] of backupsByTape(p.graph)) p.sized.set(tape, sizeNode(p.sized.get(tape)!.node, backups));
    const root: ElkNode = { id: 'root', layoutOptions: ELK_OPTIONS, children: hinted(p), edges: [] };
    const laid = await (await loadElk()).layout(root);
    placeAll(p, new Map((laid.children ?? []).map(c => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }])));
    const boxOf = new Map<string, Box>([...p.sized].map(([id, n]) => [id, n.box]));
    for (const s of p.stacks) boxOf.set(s.id, s.box);
    return { width: laid.width ?? 0, height: laid.height ?? 0, nodes: [...p.sized.values()], stacks: p.stacks, edges: straightEdges(p.routes, boxOf) };
}

/**
 * The ELK nodes with their layer (x) and place (y) as hints: layer 0 in the order of its
 * holders, stacked; each server, then each tape, at the mean height of what connects to it.
 */
function hinted(p: Prepared): ElkNode[] {
    const kindOf = new Map(p.graph.nodes.map(n => [n.id, n.kind]));
    const layerOf = (id: string): number => kindOf.get(id) === 'server' ? 1 : kindOf.get(id) === 'tape' ? 2 : 0;
    const declared = new Map(p.graph.nodes.map((n, i) => [n.id, i]));
    const boxes = elkBoxes(p).map(b => ({ ...b, x: layerOf(b.id) * LAYER_HINT, y: 0 }));
    const byLayer = [0, 1, 2].map(l => boxes.filter(b => layerOf(b.id) === l));
    // Layer 0: by the mean declaration index of its holders, stacked top to bottom.
    const holderRank = meanOf(p.routes.filter(r => r.kind === 'holds'), r => r.source, r => declared.get(r.target)!);
    byLayer[0].sort((a, b) => (holderRank.get(a.id) ?? Infinity) - (holderRank.get(b.id) ?? Infinity) || declared.get(a.id)! - declared.get(b.id)!);
    let y = 0;
    for (const b of byLayer[0]) { b.y = y; y += b.height + 14; }
    // Layers 1 and 2: at the mean height of their sources, in that order.
    const center = new Map(boxes.map(b => [b.id, b]));
    for (const layer of [1, 2]) {
        const mean = meanOf(p.routes.filter(r => layerOf(r.target) === layer), r => r.target, r => center.get(r.source)!.y + center.get(r.source)!.height / 2);
        for (const b of byLayer[layer]) b.y = (mean.get(b.id) ?? 0) - b.height / 2;
        byLayer[layer].sort((a, b) => a.y - b.y || declared.get(a.id)! - declared.get(b.id)!);
    }
    return byLayer.flat();
}

/** The mean of `value` over the routes, per `key`. */
function meanOf(routes: readonly Route[], key: (r: Route) => string, value: (r: Route) => number): Map<string, number> {
    const sums = new Map<string, { sum: number; n: number }>();
    for (const r of routes) {
        const s = sums.get(key(r)) ?? sums.set(key(r), { sum: 0, n: 0 }).get(key(r))!;
        s.sum += value(r);
        s.n++;
    }
    return new Map([...sums].map(([k, s]) => [k, s.sum / s.n]));
}

/** Straight edges, their ends spread along each side in the order of the other ends. */
function straightEdges(routes: readonly Route[], boxOf: ReadonlyMap<string, Box>): PlacedEdge[] {
    const middle = (id: string): number => boxOf.get(id)!.y + boxOf.get(id)!.height / 2;
    const startY = spread(routes, r => r.source, r => middle(r.target), boxOf);
    const endY = spread(routes, r => r.target, r => middle(r.source), boxOf);
    return routes.map(r => {
        const s = boxOf.get(r.source)!;
        const t = boxOf.get(r.target)!;
        return { kind: r.kind, edges: r.edges, points: [{ x: s.x + s.width, y: startY.get(r)! }, { x: t.x, y: endY.get(r)! }] };
    });
}

/** For each node, the y of each of its routes' ends on one side, evenly spaced, ordered by the far end. */
function spread(routes: readonly Route[], end: (r: Route) => string, far: (r: Route) => number, boxOf: ReadonlyMap<string, Box>): Map<Route, number> {
    const byNode = new Map<string, Route[]>();
    for (const r of routes) (byNode.get(end(r)) ?? byNode.set(end(r), []).get(end(r))!).push(r);
    const y = new Map<Route, number>();
    for (const [id, list] of byNode) {
        const box = boxOf.get(id)!;
        list.sort((a, b) => far(a) - far(b));
        list.forEach((r, i) => y.set(r, box.y + (box.height * (i + 1)) / (list.length + 1)));
    }
    return y;
}
