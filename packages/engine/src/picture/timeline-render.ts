/**
 * The backup window as a self-contained SVG (see svg-kit.ts): a time axis, one lane per
 * server with its stop windows, one lane per folder held on 2+ servers with how many
 * holders are up, and the problems in words. A chart of times, not a graph: positions
 * come from the times themselves (x) and the lane order (y).
 *
 *   window      solid: from the journal ("stopped 12.3 s"; "start FAILED", "no start
 *               recorded", "started by recovery" when so); outlined and dashed: estimated
 *   holders up  "2/2 up" all up, "1/2 up" some down, "NONE UP" dashed red: a problem
 */
import { colour, LINE_HEIGHT, num, svgOpen, textLine, textWidth, wrap, xml } from './svg-kit.js';
import { seconds, type FolderLane, type ServerLane, type StopWindow, type Timeline } from './timeline-model.js';

const MARGIN = 12;
const PLOT_WIDTH = 900;
const LANE = 28;
const BAR = 18;
const WRAP = 120;

interface Frame { x0: number; scale: number; timeline: Timeline }

/** The timeline as SVG text. */
export function renderTimelineSvg(timeline: Timeline, name: string): string {
    const title = `${timeline.estimated ? 'Estimated backup window' : 'Backup window'} of runbook ${timeline.title ? `"${timeline.title}"` : name} (${timeline.policies.join(', ')})`;
    const labelWidth = Math.max(140, ...timeline.lanes.map(l => textWidth(laneLabel(l))), ...timeline.folders.map(f => textWidth(f.folder))) + 2 * MARGIN;
    const frame: Frame = { x0: labelWidth, scale: PLOT_WIDTH / Math.max(timeline.duration, 1e-3), timeline };
    const note = wrap(timeline.note, WRAP);
    const problems = problemLines(timeline);
    const footer = problems.length ? problems : [{ text: noProblemText(timeline), first: false }];
    const top = 28 + note.length * LINE_HEIGHT + 30;
    const folderTop = top + timeline.lanes.length * LANE + 30;
    const footerTop = folderTop + timeline.folders.length * LANE + 20;
    const width = Math.max(labelWidth + PLOT_WIDTH + textWidth('00:00:00Z') + 2 * MARGIN, ...[...note, ...footer.map(f => f.text)].map(t => textWidth(t) + 2 * MARGIN));
    const height = footerTop + 12 + footer.length * LINE_HEIGHT + MARGIN;
    const out = [svgOpen(width, height, title)];
    out.push(textLine(MARGIN, 20, title, 'label'));
    note.forEach((line, i) => out.push(textLine(MARGIN, 20 + (i + 1) * LINE_HEIGHT, line, timeline.estimated ? 'problem-text' : 'muted', timeline.estimated ? 'problem' : 'muted')));
    out.push(axis(frame, top - 12, footerTop - 16));
    timeline.lanes.forEach((lane, i) => out.push(serverLane(frame, lane, top + i * LANE)));
    out.push(textLine(MARGIN, folderTop - 10, 'Folders held on 2+ servers: holders up', 'label'));
    timeline.folders.forEach((lane, i) => out.push(folderLane(frame, lane, folderTop + i * LANE)));
    out.push(textLine(MARGIN, footerTop + 12, problems.length ? `Problems (${timeline.problems.length})` : 'No problems:', 'label'));
    footer.forEach((f, i) => out.push(textLine(MARGIN, footerTop + 12 + (i + 1) * LINE_HEIGHT, f.text, f.first ? 'problem-text' : 'muted', f.first ? 'problem' : 'muted')));
    out.push('</svg>');
    return out.join('\n') + '\n';
}

function noProblemText(timeline: Timeline): string {
    return timeline.folders.length
        ? 'at every moment at least one holder of each folder was up.'
        : 'no folder is held on 2+ servers of this backup, so none has holders to count.';
}

function problemLines(timeline: Timeline): Array<{ text: string; first: boolean }> {
    return timeline.problems.flatMap(p => wrap(`⚠ ${p.message}`, WRAP).map((text, i) => ({ text: i === 0 ? text : `  ${text}`, first: i === 0 })));
}

function laneLabel(lane: ServerLane): string {
    return lane.role ? `${lane.server} (${lane.role})` : lane.server;
}

/** Ticks at a round step (1, 2 or 5 × 10^k seconds), about eight of them. */
function axis(frame: Frame, y: number, bottom: number): string {
    const { timeline } = frame;
    const raw = Math.max(timeline.duration, 1e-3) / 8;
    const pow = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map(m => m * pow).find(s => s >= raw) ?? raw;
    const parts = [`<g class="axis-ticks">`];
    for (let t = 0; t <= timeline.duration + 1e-9; t += step) {
        const x = frame.x0 + t * frame.scale;
        parts.push(`<line class="axis" x1="${num(x)}" y1="${num(y)}" x2="${num(x)}" y2="${num(bottom)}" stroke="${colour('muted')}" stroke-width="0.5" stroke-dasharray="2 3"/>`);
        parts.push(textLine(x + 2, y - 2, tickLabel(timeline, t), 'muted', 'muted'));
    }
    parts.push('</g>');
    return parts.join('');
}

function tickLabel(timeline: Timeline, t: number): string {
    if (!timeline.start) return `+${seconds(t)}`;
    return new Date(Date.parse(timeline.start) + t * 1000).toISOString().slice(11, 19) + 'Z';
}

function serverLane(frame: Frame, lane: ServerLane, y: number): string {
    const parts = [`<g class="lane lane-server" data-server="${xml(lane.server)}" data-id="server:${xml(lane.server)}">`, textLine(MARGIN, y + BAR - 5, laneLabel(lane))];
    for (const w of lane.windows) parts.push(windowBar(frame, w, y));
    if (lane.windows.length === 0) parts.push(textLine(frame.x0 + 4, y + BAR - 5, 'not stopped', 'muted', 'muted'));
    parts.push('</g>');
    return parts.join('');
}

function windowBar(frame: Frame, w: StopWindow, y: number): string {
    const x = frame.x0 + w.startOffset * frame.scale;
    const width = Math.max(2, (w.endOffset - w.startOffset) * frame.scale);
    const estimated = frame.timeline.estimated;
    const text = windowText(w, estimated);
    const title = `${text}${w.start ? `: ${w.start} → ${w.end}` : `: +${seconds(w.startOffset)} → +${seconds(w.endOffset)}`}${w.policy ? ` (backup ${w.policy})` : ''}`;
    const shape = estimated
        ? `<rect class="estimated" x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${BAR}" fill="${colour('box')}" stroke="${colour('accent')}" stroke-dasharray="4 2"/>`
        : `<rect class="window" x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${BAR}" fill="${colour('accent')}" stroke="${colour('accent')}" fill-opacity="0.35"/>`;
    return `<g class="stop-window"><title>${xml(title)}</title>${shape}${fitText(x, width, y, text)}</g>`;
}

function windowText(w: StopWindow, estimated: boolean): string {
    if (estimated) return `stopped ~${seconds(w.seconds)} (estimated)`;
    const how = w.open ? (w.startFailed ? ', start FAILED, not started since' : ', no start recorded') : w.recovered ? ', started by recovery' : w.startFailed ? ', start FAILED' : '';
    return `stopped ${seconds(w.seconds)}${how}`;
}

/** The text inside a bar when it fits, else just after it. */
function fitText(x: number, width: number, y: number, text: string, problem = false): string {
    const inside = textWidth(text) + 8 <= width;
    return textLine(inside ? x + 4 : x + width + 4, y + BAR - 5, text, problem ? 'problem-text' : '', problem ? 'problem' : 'fg');
}

function folderLane(frame: Frame, lane: FolderLane, y: number): string {
    const parts = [`<g class="lane lane-folder" data-folder="${xml(lane.folder)}" data-id="folder:${xml(lane.folder)}"><title>${xml(`Folder ${lane.folder} on ${lane.holders.join(', ')}: at least ${lane.minUp} of ${lane.holders.length} up at every moment`)}</title>`];
    parts.push(textLine(MARGIN, y + BAR - 5, lane.folder));
    for (const s of lane.segments) {
        const x = frame.x0 + s.startOffset * frame.scale;
        const width = Math.max(1, (s.endOffset - s.startOffset) * frame.scale);
        const none = s.up === 0;
        const cls = none ? 'problem' : s.up === lane.holders.length ? 'up-all' : 'up-some';
        const fill = none ? 'problemBg' : s.up === lane.holders.length ? 'okBg' : 'warnBg';
        const stroke = none ? 'problem' : s.up === lane.holders.length ? 'ok' : 'warn';
        const dash = none ? ' stroke-width="2" stroke-dasharray="5 3"' : '';
        const text = none ? '⚠ NONE UP' : `${s.up}/${lane.holders.length} up`;
        parts.push(`<rect class="${cls}" x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${BAR}" fill="${colour(fill)}" stroke="${colour(stroke)}"${dash}/>`);
        if (none || textWidth(text) + 8 <= width) parts.push(fitText(x, width, y, text, none));
    }
    parts.push('</g>');
    return parts.join('');
}
