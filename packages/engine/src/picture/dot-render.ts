/**
 * The topology in Graphviz's DOT language (`backplan graph --format dot | dot -Tsvg`):
 * Graphviz does its own layout, so this is the graph model written out, nothing more.
 *
 *   servers boxes (a master has a double border and says "master"), tapes cylinders,
 *   folders and mail data notes/tabs; a node at risk is dashed and bold, its label says
 *   why (⚠ only one copy) and its tooltip holds the whole sentence; edges as in the model
 *   (a backup edge is labelled with the backups that make it)
 */
import type { GraphNode, RunbookGraph } from './graph-model.js';

/** A DOT quoted string: backslashes and quotes escaped, line breaks as `\n`. */
export function dotString(text: string): string {
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

const SHAPES: Record<GraphNode['kind'], string> = { server: 'box', tape: 'cylinder', folder: 'tab', mail: 'note' };

/** The topology as DOT text. */
export function renderGraphDot(graph: RunbookGraph, name: string): string {
    const title = `Topology of runbook ${graph.title ? `"${graph.title}"` : name}`;
    const lines = [`digraph ${dotString(title)} {`];
    for (const node of graph.nodes) {
        for (const p of node.problems) lines.push(`  // ⚠ ${p.code}: ${p.message.replace(/\r?\n/g, ' ')}`);
    }
    lines.push(`  graph [rankdir=LR, label=${dotString(title)}, labelloc=t, fontname="monospace"];`);
    lines.push('  node [fontname="monospace", fontsize=10, style=filled, fillcolor="#f6f8fa", color="#57606a"];');
    lines.push('  edge [fontname="monospace", fontsize=9, color="#57606a"];');
    for (const node of graph.nodes) lines.push(`  ${dotString(node.id)} [${nodeAttributes(node)}];`);
    for (const edge of graph.edges) {
        const attrs = edge.kind === 'backup'
            ? `label=${dotString(edge.backups!.join(', '))}, color="#0969da", fontcolor="#0969da", penwidth=1.5`
            : 'arrowsize=0.7';
        lines.push(`  ${dotString(edge.source)} -> ${dotString(edge.target)} [${attrs}];`);
    }
    lines.push('}');
    return lines.join('\n') + '\n';
}

function nodeAttributes(node: GraphNode): string {
    const label = [node.label, ...node.details, ...node.problems.map(p => `⚠ ${p.summary}`)].join('\n');
    const attrs = [`label=${dotString(label)}`, `shape=${SHAPES[node.kind]}`];
    if (node.master) attrs.push('peripheries=2');
    if (node.problems.length) {
        attrs.push('style="filled,dashed,bold"', 'color="#cf222e"', 'fillcolor="#ffebe9"', `tooltip=${dotString(node.problems.map(p => p.message).join('\n'))}`);
    }
    return attrs.join(', ');
}
