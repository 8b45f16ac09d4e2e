/**
 * The topology as a self-contained SVG (see svg-kit.ts for what that means).
 *
 *   header    title, and a legend in words: what a line, an arrow and ⚠ mean
 *   edges     under the nodes: a copy on a server (grey), a backup to a tape (blue, named)
 *   nodes     servers (role and host; a master has a double border and says "master"),
 *             folders (a stack of folders with the same holders sits in one frame, each
 *             row ticked to the frame's edge), mail data, tapes (rounded; "off-site" or
 *             "on-site"); a node at risk has a dashed red border and says why (⚠ …)
 *   problems  below the graph: every risk's whole sentence, what is wrong and how to fix it
 *
 * Every node and edge has a <title> (a tooltip in browsers and editors) and a data-id
 * with the graph model's id.
 */
import type { GraphLayout, PlacedEdge, PlacedNode, PlacedStack } from './graph-layout.js';
import { NODE_PADDING } from './graph-layout.js';
import type { RunbookGraph } from './graph-model.js';
import { colour, LINE_HEIGHT, num, svgOpen, textLine, textWidth, wrap, xml } from './svg-kit.js';

const HEADER = 50;
const PROBLEM_WRAP = 110;
const MARGIN = 12;
const LEGEND = 'grey line: a copy on a server · blue arrow: a backup sends a server to a tape · frame: folders on the same servers · ⚠ dashed: at risk (fewer than two copies, or no off-site copy)';

const ARROWS = `<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0L10,5L0,10z" fill="${colour('line')}"/></marker>`
    + `<marker id="arrow-backup" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow-backup" d="M0,0L10,5L0,10z" fill="${colour('accent')}"/></marker>`;

/** The topology as SVG text. */
export function renderGraphSvg(graph: RunbookGraph, layout: GraphLayout, name: string): string {
    const problems = problemLines(graph);
    const panelTop = HEADER + layout.height + 10;
    const footer = problems.length ? problems : [{ text: noProblemText(graph), first: false }];
    const width = Math.max(layout.width, textWidth(LEGEND) + 2 * MARGIN, ...footer.map(p => textWidth(p.text) + 2 * MARGIN));
    const height = panelTop + 12 + footer.length * LINE_HEIGHT + MARGIN;
    const title = `Topology of runbook ${graph.title ? `"${graph.title}"` : name}`;
    const out: string[] = [svgOpen(width, height, title, ARROWS)];
    out.push(textLine(MARGIN, 20, title, 'label'));
    out.push(textLine(MARGIN, 38, LEGEND, 'muted', 'muted'));
    out.push(`<g transform="translate(0,${HEADER})">`);
    const labels = new Map(graph.nodes.map(n => [n.id, n.label]));
    for (const edge of layout.edges) out.push(edgeSvg(edge, labels));
    for (const stack of layout.stacks) out.push(stackSvg(stack));
    for (const node of layout.nodes) out.push(nodeSvg(node));
    out.push('</g>');
    out.push(textLine(MARGIN, panelTop + 12, problems.length ? `Problems (${countProblems(graph)})` : 'No problems:', 'label'));
    footer.forEach((p, i) => out.push(textLine(MARGIN, panelTop + 12 + (i + 1) * LINE_HEIGHT, p.text, p.first ? 'problem-text' : 'muted', p.first ? 'problem' : 'muted')));
    out.push('</svg>');
    return out.join('\n') + '\n';
}

function countProblems(graph: RunbookGraph): number {
    return graph.nodes.reduce((n, node) => n + node.problems.length, 0);
}

function noProblemText(graph: RunbookGraph): string {
    return `every folder and all mail data have two copies or more${graph.requireOffsite ? ', one of them off-site (`require offsite`)' : ''}.`;
}

/** Every risk's sentence, wrapped; `first` marks the first line of each. */
function problemLines(graph: RunbookGraph): Array<{ text: string; first: boolean }> {
    const lines: Array<{ text: string; first: boolean }> = [];
    for (const node of graph.nodes) {
        for (const p of node.problems) {
            wrap(`⚠ ${p.summary} [${p.code}]: ${p.message}`, PROBLEM_WRAP).forEach((text, i) => lines.push({ text: i === 0 ? text : `  ${text}`, first: i === 0 }));
        }
    }
    return lines;
}

function nodeSvg(placed: PlacedNode): string {
    const { node, box } = placed;
    const at = node.problems.length > 0;
    const rx = node.kind === 'tape' ? 12 : node.kind === 'server' ? 2 : 5;
    const cls = at ? 'problem' : 'box';
    const stroke = at ? ` stroke-width="2" stroke-dasharray="6 3"` : ' stroke-width="1"';
    const parts = [`<g class="node node-${node.kind}${at ? ' at-risk' : ''}" data-id="${xml(node.id)}"><title>${xml(nodeTitle(placed))}</title>`];
    parts.push(`<rect class="${cls}" x="${num(box.x)}" y="${num(box.y)}" width="${num(box.width)}" height="${num(box.height)}" rx="${rx}" fill="${colour(at ? 'problemBg' : 'box')}" stroke="${colour(at ? 'problem' : 'line')}"${stroke}/>`);
    if (node.master) {
        parts.push(`<rect class="frame" x="${num(box.x + 3)}" y="${num(box.y + 3)}" width="${num(box.width - 6)}" height="${num(box.height - 6)}" rx="1" fill="none" stroke="${colour('muted')}"/>`);
    }
    const x = box.x + NODE_PADDING;
    parts.push(textLine(x, box.y + 4 + LINE_HEIGHT * 0.8, node.label, 'label'));
    placed.lines.forEach((line, i) => {
        const y = box.y + 4 + LINE_HEIGHT * (i + 1.8);
        parts.push(line.problem ? textLine(x, y, line.text, 'problem-text', 'problem') : textLine(x, y, line.text, 'muted', 'muted'));
    });
    parts.push('</g>');
    return parts.join('');
}

function nodeTitle({ node }: PlacedNode): string {
    const what = node.kind === 'mail' ? `Mail data of ${node.label}` : `${node.kind[0].toUpperCase()}${node.kind.slice(1)} ${node.label}`;
    const copies = node.copies === undefined ? '' : ` (${node.copies} ${node.copies === 1 ? 'copy' : 'copies'})`;
    const lines = [`${what}${copies}`, ...node.details, ...node.problems.map(p => `⚠ ${p.message}`)];
    return lines.join('\n');
}

function stackSvg(stack: PlacedStack): string {
    const { box } = stack;
    const right = box.x + box.width;
    const ys = stack.members.map(m => m.box.y + m.box.height / 2);
    const parts = [`<g class="stack" data-id="${xml(stack.id)}"><title>${xml(`${stack.members.length} folders with the same holders: ${stack.members.map(m => m.node.label).join(', ')}`)}</title>`];
    parts.push(`<rect class="frame" x="${num(box.x)}" y="${num(box.y)}" width="${num(box.width)}" height="${num(box.height)}" rx="6" fill="none" stroke="${colour('muted')}" stroke-width="1"/>`);
    // Every row's tick joins a bus on the frame's right side, where the stack's lines leave.
    const ticks = stack.members.map((m, i) => `M${num(m.box.x + m.box.width)},${num(ys[i])}H${num(right)}`).join('');
    parts.push(`<path class="edge" d="${ticks}" fill="none" stroke="${colour('line')}" stroke-width="1"/>`);
    parts.push(`<path class="edge" d="M${num(right)},${num(box.y + 4)}V${num(box.y + box.height - 4)}" fill="none" stroke="${colour('line')}" stroke-width="3"/>`);
    parts.push('</g>');
    return parts.join('');
}

function edgeSvg(edge: PlacedEdge, labels: ReadonlyMap<string, string>): string {
    if (edge.points.length < 2) return '';
    const backup = edge.kind === 'backup';
    const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(p.x)},${num(p.y)}`).join('');
    const cls = backup ? 'edge edge-backup' : 'edge';
    const parts = [`<g class="${backup ? 'copy-tape' : 'copy-server'}" data-id="${xml(edge.edges.map(e => e.id).join(' '))}"><title>${xml(edgeTitle(edge, labels))}</title>`];
    parts.push(`<path class="${cls}" d="${d}" fill="none" stroke="${colour(backup ? 'accent' : 'line')}" stroke-width="${backup ? 1.5 : 1}" marker-end="url(#${backup ? 'arrow-backup' : 'arrow'})"/>`);
    if (edge.label) parts.push(textLine(edge.label.box.x + 2, edge.label.box.y + LINE_HEIGHT * 0.8, edge.label.text, '', 'fg'));
    parts.push('</g>');
    return parts.join('');
}

function edgeTitle(edge: PlacedEdge, labels: ReadonlyMap<string, string>): string {
    const label = (id: string): string => labels.get(id) ?? id;
    const first = edge.edges[0];
    if (edge.kind === 'backup') {
        const backups = first.backups ?? [];
        return `Backup${backups.length > 1 ? 's' : ''} ${backups.join(', ')} send${backups.length > 1 ? '' : 's'} ${label(first.source)} to tape ${label(first.target)}: a copy of its data there`;
    }
    const what = edge.edges.map(e => label(e.source)).join(', ');
    const mail = first.source.startsWith('mail:');
    return `${mail ? `Mail data of ${what}` : `${edge.edges.length > 1 ? 'Folders' : 'Folder'} ${what}`}: a copy on server ${label(first.target)}`;
}
