/**
 * One call for each picture of a runbook, as the editor's webviews ask for them (the
 * language server's `backplan/picture`): the topology (graph), the backup window
 * (timeline) and the history, drawn to SVG from the model and, for the last two, the
 * runbook's journal in the state folder.
 *
 *   topology      buildRunbookGraph → layoutGraph (ELK) → renderGraphSvg
 *   backupWindow  journal → buildTimeline (last backup run, else the estimate) → SVG
 *   history       journal → buildHistory → SVG
 *
 * Read-only: unlike `backplan timeline`, it never starts what a killed run left stopped
 * (a webview starts nothing, in Restricted Mode least of all); such a window shows as
 * `no start recorded` until a command's recovery runs.
 */
import * as path from 'node:path';
import type { RunbookModel } from '@backplan/language/model';
import { Journal } from '../journal/journal.js';
import { resolveStateDir } from '../journal/state-dir.js';
import { buildRunbookGraph } from './graph-model.js';
import { layoutGraph } from './graph-layout.js';
import { buildHistory } from './history-model.js';
import { renderHistorySvg } from './history-render.js';
import { renderGraphSvg } from './svg-render.js';
import { buildTimeline } from './timeline-model.js';
import { renderTimelineSvg } from './timeline-render.js';

export type PictureName = 'topology' | 'backupWindow' | 'history';

/** Draws one picture of a runbook as SVG (a PlanUsageError when the runbook has no backup block to show). */
export async function paintPicture(model: RunbookModel, kind: PictureName, options: { runbookPath: string; state?: string }): Promise<string> {
    const name = path.basename(options.runbookPath);
    if (kind === 'topology') {
        const graph = buildRunbookGraph(model);
        return renderGraphSvg(graph, await layoutGraph(graph), name);
    }
    const records = await Journal.forRunbook(resolveStateDir(options.state), options.runbookPath).read();
    return kind === 'backupWindow'
        ? renderTimelineSvg(buildTimeline(model, records, {}), name)
        : renderHistorySvg(buildHistory(model, records), name);
}
