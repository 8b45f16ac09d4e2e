/**
 * `backplan graph RUNBOOK [--format svg|dot|mermaid|json]`: the runbook's topology (servers,
 * folders, mail data, tapes, a line for every copy; what is at risk drawn and said), from
 * the same coverage model as `check`. A runbook with errors is drawn as far as it is
 * declared (a note on stderr says it has errors). Exit 0; 2 bad usage or unreadable runbook.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadRunbook } from '@backplan/language/node';
import { buildRunbookGraph, layoutGraph, renderGraphDot, renderGraphMermaid, renderGraphSvg } from '@backplan/engine';
import { choice, type CommandContext } from './command-support.js';
import { noteErrors } from './picture-support.js';

const FORMATS = ['svg', 'dot', 'mermaid', 'json'] as const;

interface GraphFlags { format: typeof FORMATS[number] }

/** Registers `graph`. */
export function registerGraph(program: Command, context: CommandContext): void {
    program.command('graph')
        .description('draw the runbook\'s topology: servers, folders, mail data, tapes and every copy; what is at risk says why')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--format <format>', `output format: ${FORMATS.join(', ')}`, choice(FORMATS), 'svg')
        .action(context.action(async (file: string, flags: GraphFlags) => {
            const { model, workspace } = await loadRunbook(file);
            noteErrors(workspace);
            const graph = buildRunbookGraph(model);
            const name = path.basename(file);
            switch (flags.format) {
                case 'json': process.stdout.write(JSON.stringify(graph, null, 2) + '\n'); break;
                case 'dot': process.stdout.write(renderGraphDot(graph, name)); break;
                case 'mermaid': process.stdout.write(renderGraphMermaid(graph, name)); break;
                default: process.stdout.write(renderGraphSvg(graph, await layoutGraph(graph), name));
            }
            return 0;
        }));
}
