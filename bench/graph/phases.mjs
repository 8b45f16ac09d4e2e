// Where a large `backplan graph` spends its time, phase by phase, in one process:
//   node bench/graph/phases.mjs [RUNBOOK]   (default: bench/.work/graph/single/large.backplan,
//                                            written by bench/graph/run.mjs)
// Uses the compiled packages (`npm run build` first), unbundled: start-up is slower than the
// CLI's, so this is a diagnostic aid for the graph benchmark, not part of its figures. Prints
// wall and CPU time of: loading and checking the runbook, the graph model, loading ELK, the
// layout, and writing the SVG.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const file = process.argv[2] ?? path.join(root, 'bench/.work/graph/single/large.backplan');
const { loadRunbook } = await import(path.join(root, 'packages/language/out/node/index.js'));
const engine = await import(path.join(root, 'packages/engine/out/index.js'));

const rows = [];
let wall = performance.now();
let cpu = process.cpuUsage();
async function phase(what, work) {
    const value = await work();
    const nowCpu = process.cpuUsage(cpu);
    rows.push([what, performance.now() - wall, (nowCpu.user + nowCpu.system) / 1000]);
    wall = performance.now();
    cpu = process.cpuUsage();
    return value;
}

const { model } = await phase('load, parse, link and check the runbook', () => loadRunbook(file));
const graph = await phase('graph model (nodes, edges, risks)', () => engine.buildRunbookGraph(model));
await phase('load ELK (elk.bundled.js)', () => import('elkjs/lib/elk.bundled.js'));
const layout = await phase('layout (stacks, ELK, lines)', () => engine.layoutGraph(graph));
const svg = await phase('SVG text', () => engine.renderGraphSvg(graph, layout, path.basename(file)));

const ms = v => `${Math.round(v)} ms`;
process.stdout.write(`${path.relative(process.cwd(), file)}: ${graph.nodes.length} nodes, ${graph.edges.length} edges, ${layout.stacks.length} folder frames, ${(svg.length / 1e6).toFixed(1)} MB of SVG\n\n`);
process.stdout.write('| phase | wall | CPU |\n|---|---|---|\n' + rows.map(([w, t, c]) => `| ${w} | ${ms(t)} | ${ms(c)} |`).join('\n') + '\n');
