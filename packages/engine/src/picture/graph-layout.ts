/**
 * Layout of the topology with ELK's layered algorithm (elkjs), left to right: folders and
 * mail data, then the servers that hold them, then the tapes the servers are backed up to.
 *
 *   prepare  sizes, stacks of folders with the same holders, routes (layout-parts.ts)
 *   choose   up to LARGE_ELK_GRAPH ELK nodes and routes together: ELK lays out the whole
 *            graph — layers, crossing minimisation, node placement, orthogonal edges, the
 *            backups' names as edge labels; above it, large-layout.ts (ELK's edge phases
 *            cost about a millisecond per edge cold: 10,000 folders would take seconds)
 *   place    stack rows from the stack's position; edges from ELK's sections
 */
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api.js';
import type { RunbookGraph } from './graph-model.js';
import { layoutLarge } from './large-layout.js';
import { BASE_ELK_OPTIONS, elkBoxes, loadElk, placeAll, prepare, type GraphLayout, type PlacedEdge, type Point, type Route } from './layout-parts.js';
import { LINE_HEIGHT, textWidth } from './svg-kit.js';

export type { Box, GraphLayout, PlacedEdge, PlacedNode, PlacedStack, Point } from './layout-parts.js';
export { NODE_PADDING, STACK_PADDING } from './layout-parts.js';

/** Above this many ELK nodes and routes together, the large layout. */
export const LARGE_ELK_GRAPH = 600;

/** Lays out a topology (ELK is asynchronous; nothing else is). */
export async function layoutGraph(graph: RunbookGraph): Promise<GraphLayout> {
    const p = prepare(graph);
    if (elkBoxes(p).length + p.routes.length > LARGE_ELK_GRAPH) return layoutLarge(p);
    const edges: ElkExtendedEdge[] = p.routes.map((r, i) => ({
        id: `e${i}`, sources: [r.source], targets: [r.target],
        labels: r.label ? [{ id: `l${i}`, text: r.label, width: textWidth(r.label) + 4, height: LINE_HEIGHT }] : undefined
    }));
    const root: ElkNode = { id: 'root', layoutOptions: ELK_OPTIONS, children: elkBoxes(p), edges };
    const laid = await (await loadElk()).layout(root);
    placeAll(p, new Map((laid.children ?? []).map(c => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }])));
    const placedEdges = (laid.edges ?? []).map((e, i) => placeEdge(p.routes[i], e as ElkExtendedEdge));
    return { width: laid.width ?? 0, height: laid.height ?? 0, nodes: [...p.sized.values()], stacks: p.stacks, edges: placedEdges };
}

const ELK_OPTIONS: LayoutOptions = {
    ...BASE_ELK_OPTIONS,
    'elk.layered.spacing.nodeNodeBetweenLayers': '70',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.edgeLabels.inline': 'true',
    'elk.spacing.edgeLabel': '2'
};

function placeEdge(route: Route, laid: ElkExtendedEdge): PlacedEdge {
    const points: Point[] = [];
    for (const s of laid.sections ?? []) points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    const l = laid.labels?.[0];
    const label = route.label && l ? { text: route.label, box: { x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } } : undefined;
    return { kind: route.kind, edges: route.edges, points, label };
}
