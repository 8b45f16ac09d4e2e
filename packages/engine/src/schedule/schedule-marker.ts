/**
 * The marker in every file `backplan schedule install` writes, so that `remove` removes
 * exactly those files (and `list` finds them), never a unit or cron file written by hand or
 * for another runbook:
 *
 *   # Written by `backplan schedule install`; `backplan schedule remove RUNBOOK` removes it.
 *   # backplan-runbook: /abs/path/of/runbook.backplan
 *   # backplan-block: backup Nightly          (one line per block the file runs)
 *
 * Both `#` lines are comments to systemd and to cron.
 */
import type { ScheduledBlock } from './scheduled-blocks.js';

const RUNBOOK = '# backplan-runbook: ';
const BLOCK = '# backplan-block: ';

/** What a marked file says about itself. */
export interface Marker {
    readonly runbook: string;
    /** The blocks it runs, `backup Nightly`-style keys (see {@link blockKey}). */
    readonly blocks: readonly string[];
}

/** The key of a block in markers: `backup Nightly`. */
export function blockKey(block: Pick<ScheduledBlock, 'kind' | 'name'>): string {
    return `${block.kind} ${block.name}`;
}

/** The marker lines at the head of a file for a runbook (and a unit's one block). */
export function markerLines(runbook: string, block?: ScheduledBlock): string[] {
    return [
        `# Written by \`backplan schedule install\`; \`backplan schedule remove ${runbook}\` removes it.`,
        `${RUNBOOK}${runbook}`,
        ...(block ? [blockLine(block)] : [])
    ];
}

/** The marker line of one block (a cron file has one per line it runs). */
export function blockLine(block: ScheduledBlock): string {
    return `${BLOCK}${blockKey(block)}`;
}

/** The marker of a file's text, or undefined when Backplan did not write it. */
export function readMarker(text: string): Marker | undefined {
    const lines = text.split('\n');
    const runbook = lines.find(l => l.startsWith(RUNBOOK))?.slice(RUNBOOK.length);
    if (runbook === undefined) return undefined;
    return { runbook, blocks: lines.filter(l => l.startsWith(BLOCK)).map(l => l.slice(BLOCK.length)) };
}
