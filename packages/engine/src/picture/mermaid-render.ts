/**
 * The topology as a Mermaid flowchart (for Markdown that renders Mermaid: GitHub, GitLab,
 * wikis). Mermaid lays it out itself; this writes the graph model out.
 *
 *   flowchart LR; servers `[…]` (a master `[[…]]` and "master" in its label), tapes
 *   cylinders `[(…)]`, folders `[…]`, mail data `(…)`; a node at risk has class `problem`
 *   (dashed border) and its label says why; the whole sentence is a `%%` comment
 *
 * Node ids are n0, n1… (Mermaid's ids are bare words); labels are quoted with Mermaid's
 * entity codes for the characters that would end or change them.
 */
import type { GraphNode, RunbookGraph } from './graph-model.js';

/** A quoted Mermaid label: `"`, `#`, `<`, `>`, backticks as entity codes, line breaks as <br/>. */
export function mermaidLabel(lines: readonly string[]): string {
    const esc = (t: string): string => t.replace(/[#"<>`]/g, c => `#${c.charCodeAt(0)};`).replace(/\r?\n/g, ' ');
    return `"${lines.map(esc).join('<br/>')}"`;
}

function shape(node: GraphNode, label: string): string {
    switch (node.kind) {
        case 'server': return node.master ? `[[${label}]]` : `[${label}]`;
        case 'tape': return `[(${label})]`;
        case 'mail': return `(${label})`;
        default: return `[${label}]`;
    }
}

/** The topology as Mermaid text. */
export function renderGraphMermaid(graph: RunbookGraph, name: string): string {
    const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
    const lines = ['flowchart LR'];
    lines.push(`  %% Topology of runbook ${graph.title ? `"${graph.title}"` : name}`.replace(/\r?\n/g, ' '));
    for (const node of graph.nodes) {
        for (const p of node.problems) lines.push(`  %% ⚠ ${p.code}: ${p.message}`.replace(/\r?\n/g, ' '));
    }
    for (const node of graph.nodes) {
        const label = mermaidLabel([node.label, ...node.details, ...node.problems.map(p => `⚠ ${p.summary}`)]);
        lines.push(`  ${ids.get(node.id)}${shape(node, label)}${node.problems.length ? ':::problem' : ''}`);
    }
    for (const edge of graph.edges) {
        const arrow = edge.kind === 'backup' ? ` -- ${mermaidLabel([edge.backups!.join(', ')])} --> ` : ' --> ';
        lines.push(`  ${ids.get(edge.source)}${arrow}${ids.get(edge.target)}`);
    }
    lines.push('  classDef problem stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 3');
    return lines.join('\n') + '\n';
}
