/**
 * `backplan graph` (DESIGN §12): the topology of every example runbook, checked by
 * structure — every server, folder, mail data and tape of the runbook's model is a node,
 * every copy an edge, every coverage risk a problem in words — in JSON and SVG (well-formed,
 * self-contained, light and dark); DOT drawn by real Graphviz; Mermaid a flowchart. The
 * examples go through the engine in this process (fast); the CLI bundle is run end to end
 * for its formats, its exit codes and the ELK chunk it loads on demand.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '@backplan/language/node';
import { coverageRisks, type RunbookModel } from '@backplan/language/model';
import { buildRunbookGraph, LARGE_ELK_GRAPH, layoutGraph, renderGraphDot, renderGraphMermaid, renderGraphSvg, type RunbookGraph } from '@backplan/engine';
import { EXAMPLES, exampleRunbooks } from '../helpers/examples.js';
import { hasStackTrace, runCli } from '../helpers/run-cli.js';
import { removeTree, tempTree } from '../helpers/temp-tree.js';
import { expectSelfContainedSvg, hasProgram, xmlText } from './picture-support.js';

/** The root file of an example: the one no other file of it imports. */
function rootOf(example: { name: string; files: Record<string, string> }): string {
    const names = Object.keys(example.files);
    if (names.length === 1) return path.join(EXAMPLES, example.name);
    const root = names.find(n => !names.some(m => example.files[m].includes(`import "${n}"`)))!;
    return path.join(EXAMPLES, example.name, root);
}

/** Every declaration of the model is a node, every copy an edge, every risk a problem. */
function expectTopology(model: RunbookModel, graph: RunbookGraph): void {
    const ids = new Set(graph.nodes.map(n => n.id));
    expect(ids.size).toBe(graph.nodes.length);
    const labels = (kind: string) => graph.nodes.filter(n => n.kind === kind).map(n => n.label);
    expect(labels('server')).toEqual(model.servers.map(s => s.name));
    expect(labels('tape')).toEqual(model.tapes.map(t => t.name));
    expect(labels('folder')).toEqual(model.folders.map(f => f.name));
    expect(labels('mail')).toEqual(model.servers.filter(s => s.role === 'mail').map(s => s.name));
    for (const e of graph.edges) expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
    const holds = graph.edges.filter(e => e.kind === 'holds').length;
    expect(holds).toBe(model.folders.reduce((n, f) => n + f.holders.length, 0) + labels('mail').length);
    const pairs = new Set(model.backups.flatMap(b => b.tape ? b.servers.map(s => `${s.name}>${b.tape!.name}`) : []));
    expect(graph.edges.filter(e => e.kind === 'backup').map(e => `${e.source.replace(/^server:/, '')}>${e.target.replace(/^tape:/, '')}`).sort()).toEqual([...pairs].sort());
    // Names may be declared twice (name.duplicate): pair nodes and coverage entries in order.
    const covered = graph.nodes.filter(n => n.kind === 'folder' || n.kind === 'mail');
    const entries = [...model.coverage.entries()];
    expect(covered.map(n => n.label)).toEqual(entries.map(([subject]) => subject.name));
    entries.forEach(([, coverage], i) => {
        expect(covered[i].problems.map(p => p.code)).toEqual(coverageRisks(model, coverage).map(r => r.code));
        for (const p of covered[i].problems) expect(p.message.length).toBeGreaterThan(20);
    });
}

/** Every node of the model is drawn with its name; every problem is drawn and said. */
function expectDrawn(graph: RunbookGraph, svg: string): void {
    expectSelfContainedSvg(svg);
    for (const node of graph.nodes) {
        expect(svg).toContain(`data-id="${xmlText(node.id)}"`);
        expect(svg).toContain(`>${xmlText(node.label)}</text>`);
    }
    for (const node of graph.nodes.filter(n => n.problems.length)) {
        const start = svg.indexOf(`data-id="${xmlText(node.id)}"`);
        const drawn = svg.slice(start, svg.indexOf('</g>', start));
        expect(drawn).toContain('stroke-dasharray');
        for (const p of node.problems) {
            expect(drawn).toContain(`⚠ ${p.summary}`);
            expect(svg).toContain(xmlText(p.message.slice(0, 60)));
        }
    }
    if (graph.edges.length > 0) expect(svg).toMatch(/class="copy-(server|tape)"/);
}

describe('backplan graph: every example runbook', () => {
    const examples = exampleRunbooks();

    it('has examples to draw', () => {
        expect(examples.length).toBeGreaterThan(10);
    });

    for (const example of examples) {
        it(`${example.name}: JSON, SVG, DOT and Mermaid hold the whole topology`, async () => {
            const file = rootOf(example);
            const { model } = await loadRunbook(file);
            const graph = buildRunbookGraph(model);
            expectTopology(model, graph);
            expectDrawn(graph, renderGraphSvg(graph, await layoutGraph(graph), path.basename(file)));
            const dot = renderGraphDot(graph, path.basename(file));
            expect(hasProgram('dot'), 'Graphviz is needed: apt-get install -y graphviz').toBe(true);
            const drawn = execFileSync('dot', ['-Tsvg'], { input: dot }).toString();
            for (const node of graph.nodes) expect(drawn).toContain(xmlText(node.label));
            const mermaid = renderGraphMermaid(graph, path.basename(file));
            expect(mermaid.startsWith('flowchart LR\n')).toBe(true);
            expect(mermaid.split('\n').filter(l => /^ {2}n\d+[[(]/.test(l))).toHaveLength(graph.nodes.length);
        });
    }
});

describe('backplan graph: a runbook too large for ELK\'s edge phases', () => {
    it('places every node in its layer without overlaps, and draws every route from one layer to the next', async () => {
        const servers = Array.from({ length: 120 }, (_, i) => `server C${i} { role catalog${i === 0 ? ' master' : ''} host "ssh://c${i}.lan" data "/srv/c" stop "s" start "s" }`);
        const folders = Array.from({ length: 400 }, (_, f) => `folder F${f} on C0, C${1 + (f % 119)}${f % 3 ? `, C${1 + ((f * 7) % 119)}` : ''}`);
        const text = ['tape T { at "/mnt/t" }', 'tape U { at "/mnt/u" offsite }', ...servers, ...folders,
            `backup A { servers ${servers.map((_, i) => `C${i}`).join(', ')} to T }`, 'backup B { servers C0, C1 to U }'].join('\n');
        const dir = tempTree({ 'big.backplan': text });
        try {
            const { model } = await loadRunbook(path.join(dir, 'big.backplan'));
            const graph = buildRunbookGraph(model);
            expectTopology(model, graph);
            const layout = await layoutGraph(graph);
            expect(layout.stacks.length + graph.nodes.length - layout.stacks.reduce((n, s) => n + s.members.length, 0) + layout.edges.length).toBeGreaterThan(LARGE_ELK_GRAPH);
            const boxes = [...layout.nodes.filter(n => !layout.stacks.some(s => s.members.includes(n))).map(n => ({ id: n.node.id, kind: n.node.kind, box: n.box })),
                ...layout.stacks.map(s => ({ id: s.id, kind: 'folder', box: s.box }))];
            const layers = ['folder', 'server', 'tape'].map(k => boxes.filter(b => (b.kind === 'mail' ? 'folder' : b.kind) === k).sort((a, b) => a.box.y - b.box.y));
            for (const layer of layers) {
                for (let i = 1; i < layer.length; i++) expect(layer[i].box.y).toBeGreaterThanOrEqual(layer[i - 1].box.y + layer[i - 1].box.height);
                for (const b of layer) expect(b.box.x + b.box.width).toBeLessThanOrEqual(layout.width);
            }
            // Layers left to right: every folder left of every server, every server left of every tape.
            const right = (l: typeof boxes) => Math.max(...l.map(b => b.box.x + b.box.width));
            const left = (l: typeof boxes) => Math.min(...l.map(b => b.box.x));
            expect(right(layers[0])).toBeLessThan(left(layers[1]));
            expect(right(layers[1])).toBeLessThan(left(layers[2]));
            expect(layout.edges.reduce((n, e) => n + e.edges.length, 0)).toBe(graph.edges.length);
            for (const e of layout.edges) {
                expect(e.points).toHaveLength(2);
                expect(e.points[1].x).toBeGreaterThan(e.points[0].x);
            }
            const svg = renderGraphSvg(graph, layout, 'big.backplan');
            expectDrawn(graph, svg);
            expect(svg).toContain('>from backup A</text>');
            expect(svg).toContain('>from backup B</text>');
        } finally {
            removeTree(dir);
        }
    });
});

describe('backplan graph: the CLI', () => {
    const single = path.join(EXAMPLES, 'broken/coverage-single-copy.backplan');

    it('says in words that a single-copy folder has one copy, in every format', async () => {
        const [json, svg, dot, mermaid] = await Promise.all(['json', 'svg', 'dot', 'mermaid'].map(f => runCli(['graph', single, '--format', f], { timeoutMs: 60_000 })));
        for (const r of [json, svg, dot, mermaid]) {
            expect(r.code, r.stderr).toBe(0);
            expect(r.stderr).toMatch(/^backplan: the runbook has 1 error \(see `backplan check`\); drawn as far as it is declared\n$/);
        }
        const sales = JSON.parse(json.stdout).nodes.find((n: any) => n.id === 'folder:Sales');
        expect(sales.problems).toEqual([expect.objectContaining({ code: 'coverage.single-copy', summary: 'only one copy', message: expect.stringContaining("Folder 'Sales' exists only on Cat2") })]);
        expectSelfContainedSvg(svg.stdout);
        expect(svg.stdout).toContain('⚠ only one copy');
        expect(svg.stdout).toContain(xmlText("Folder 'Sales' exists only on Cat2"));
        expect(dot.stdout).toMatch(/"folder:Sales" \[label="Sales\\n⚠ only one copy"/);
        expect(mermaid.stdout).toMatch(/\["Sales<br\/>⚠ only one copy"\]:::problem/);
    });

    it('draws a valid runbook as SVG by default, with the master and the off-site tape marked in words', async () => {
        const r = await runCli(['graph', path.join(EXAMPLES, 'small-master-offsite/acme.backplan')], { timeoutMs: 60_000 });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
        expectSelfContainedSvg(r.stdout);
        expect(r.stdout).toContain('catalog · master');
        expect(r.stdout).toContain('tape · off-site');
        expect(r.stdout).toContain('No problems:');
    });

    it('still draws a runbook with a syntax error', async () => {
        const r = await runCli(['graph', path.join(EXAMPLES, 'broken/syntax-error.backplan'), '--format', 'json']);
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout).version).toBe(1);
    });

    it('exits 2 with one line for a missing runbook or an unknown format', async () => {
        const missing = await runCli(['graph', 'no/such.backplan']);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toMatch(/^backplan: no\/such\.backplan: no such file or folder\n$/);
        const format = await runCli(['graph', path.join(EXAMPLES, 'single-mail/mail.backplan'), '--format', 'png']);
        expect(format.code).toBe(2);
        expect(format.stderr).toContain('expected one of svg, dot, mermaid, json');
        for (const r of [missing, format]) expect(hasStackTrace(r.stderr)).toBe(false);
    });
});
