/**
 * The history as a self-contained SVG (see svg-kit.ts): a table of small bars, one column
 * per backup run (oldest left), per server three rows — archive size, duration, stop
 * window — each bar scaled to the largest value of its row kind over all servers, its value
 * written beside it; then the drills, one row per drill and server, one column per drill
 * run; then the problems in words.
 *
 *   failed      dashed red cell, "⚠ failed" (nothing is said by colour alone)
 *   not reached muted "not reached": the run ended before it got to the server
 */
import { colour, LINE_HEIGHT, num, svgOpen, textLine, textWidth, wrap, xml } from './svg-kit.js';
import type { DrillEntry, History, HistoryEntry, HistoryRun, ServerHistory } from './history-model.js';
import { seconds } from './timeline-model.js';

const MARGIN = 12;
const COLUMN = 118;
const ROW = 22;
const BAR = 14;
const WRAP = 120;
const METRICS = ['archive', 'duration', 'stop window'] as const;
type Metric = typeof METRICS[number];

interface Frame { x0: number; max: Record<Metric, number> }

/** The history as SVG text. */
export function renderHistorySvg(history: History, name: string): string {
    const title = `Backup history of runbook ${history.title ? `"${history.title}"` : name} (${history.policies.join(', ')})`;
    const labelWidth = Math.max(150, ...history.servers.map(s => textWidth(serverLabel(s))), ...drillRows(history.drills).map(r => textWidth(r.label))) + 2 * MARGIN;
    const frame: Frame = { x0: labelWidth, max: maxima(history.servers) };
    const drillRuns = [...new Set(history.drills.map(d => d.run))];
    const footer = history.problems.length
        ? history.problems.flatMap(p => wrap(`⚠ ${p}`, WRAP).map((text, i) => ({ text: i ? `  ${text}` : text, problem: i === 0 })))
        : [{ text: 'no failed run, server or drill in the history shown.', problem: false }];
    const out: string[] = [];
    let y = 20;
    out.push(textLine(MARGIN, y, title, 'label'));
    y += LINE_HEIGHT;
    out.push(textLine(MARGIN, y, runsNote(history), 'muted', 'muted'));
    y += 28;
    out.push(runHeaders(frame, history.runs, y));
    y += 10;
    for (const row of history.servers) {
        out.push(serverBlock(frame, row, y));
        y += ROW * (METRICS.length + 1) + 6;
    }
    y += 20;
    out.push(textLine(MARGIN, y, history.drills.length ? 'Drills: recovery time (archive chosen → verified copy)' : 'Drills: none in the journal yet', 'label'));
    y += 8;
    if (drillRuns.length) out.push(drillTable(frame.x0, history.drills, drillRuns, y));
    y += drillRows(history.drills).length * ROW + (drillRuns.length ? ROW + 10 : 0) + 12;
    out.push(textLine(MARGIN, y, history.problems.length ? `Problems (${history.problems.length})` : 'No problems:', 'label'));
    footer.forEach((f, i) => out.push(textLine(MARGIN, y + (i + 1) * LINE_HEIGHT, f.text, f.problem ? 'problem-text' : 'muted', f.problem ? 'problem' : 'muted')));
    y += (footer.length + 1) * LINE_HEIGHT;
    const columns = Math.max(history.runs.length, drillRuns.length, 1);
    const width = Math.max(labelWidth + columns * COLUMN + MARGIN, textWidth(title) + 2 * MARGIN, ...footer.map(f => textWidth(f.text) + 2 * MARGIN));
    return [svgOpen(width, y + MARGIN, title), ...out, '</svg>'].join('\n') + '\n';
}

function runsNote(history: History): string {
    if (history.runs.length === 0) return 'No backup run in the journal yet: run a backup, and its archive sizes, durations and stop windows show here.';
    return `${history.runs.length} backup run${history.runs.length === 1 ? '' : 's'}, oldest left; each bar is scaled to the largest of its kind.`;
}

function serverLabel(row: ServerHistory): string {
    return row.role ? `${row.server} (${row.role})` : row.server;
}

function maxima(rows: readonly ServerHistory[]): Record<Metric, number> {
    const all = rows.flatMap(r => r.entries);
    const max = (values: Array<number | undefined>) => Math.max(1e-9, ...values.filter((v): v is number => v !== undefined));
    return { archive: max(all.map(e => e.bytes)), duration: max(all.map(e => e.seconds)), 'stop window': max(all.map(e => e.stopSeconds)) };
}

/** "2026-11-25 02:00" over each column, and the run's result when it is not ok. */
function runHeaders(frame: Frame, runs: readonly HistoryRun[], y: number): string {
    return runs.map((run, i) => {
        const x = frame.x0 + i * COLUMN;
        const bad = run.result !== 'ok';
        const when = run.time.slice(0, 16).replace('T', ' ');
        return `<g class="run" data-run="${xml(run.run)}"><title>${xml(`run ${run.run}: ${run.result}${run.error ? `: ${run.error}` : ''}`)}</title>`
            + textLine(x, y - 14, when, 'muted', 'muted')
            + textLine(x, y, bad ? `⚠ ${run.result}` : 'ok', bad ? 'problem-text' : 'muted', bad ? 'problem' : 'muted') + '</g>';
    }).join('');
}

function serverBlock(frame: Frame, row: ServerHistory, y: number): string {
    const parts = [`<g class="history-server" data-id="server:${xml(row.server)}"><title>${xml(`server ${row.server}`)}</title>`];
    parts.push(textLine(MARGIN, y + 14, serverLabel(row), 'label'));
    METRICS.forEach((metric, m) => {
        const top = y + (m + 1) * ROW;
        parts.push(textLine(MARGIN + 12, top + BAR - 3, metric, 'muted', 'muted'));
        row.entries.forEach((entry, i) => parts.push(cell(frame, metric, entry, frame.x0 + i * COLUMN, top, m === 0)));
    });
    parts.push('</g>');
    return parts.join('');
}

function cell(frame: Frame, metric: Metric, entry: HistoryEntry, x: number, y: number, first: boolean): string {
    const value = metric === 'archive' ? entry.bytes : metric === 'duration' ? entry.seconds : entry.stopSeconds;
    const text = value === undefined ? (metric === 'stop window' && entry.result === 'ok' ? 'not stopped' : '—') : metric === 'archive' ? bytesText(value) : seconds(value);
    const width = value === undefined ? 0 : Math.max(2, (value / frame.max[metric]) * (COLUMN - 16));
    const out = [`<g class="cell" data-metric="${metric}">`];
    if (entry.result === 'failed') {
        out.push(`<rect class="problem" x="${num(x - 2)}" y="${num(y - 2)}" width="${COLUMN - 8}" height="${BAR + 4}" fill="${colour('problemBg')}" stroke="${colour('problem')}" stroke-dasharray="5 3"/>`);
        if (first) return out.concat(`<title>${xml(entry.error ?? 'failed')}</title>`, textLine(x + 2, y + BAR - 3, '⚠ failed', 'problem-text', 'problem'), '</g>').join('');
    }
    if (entry.result === 'not reached') return out.concat(first ? textLine(x + 2, y + BAR - 3, 'not reached', 'muted', 'muted') : '', '</g>').join('');
    if (width > 0) out.push(`<rect class="window" x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${BAR}" fill="${colour('accent')}" stroke="${colour('accent')}" fill-opacity="0.35"/>`);
    out.push(textLine(x + 3, y + BAR - 3, text, value === undefined ? 'muted' : '', value === undefined ? 'muted' : 'fg'), '</g>');
    return out.join('');
}

/** "1.2 MB" (powers of 1000, as `du --si`). */
export function bytesText(bytes: number): string {
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let v = bytes;
    let u = 0;
    while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
    return `${u === 0 ? v : Math.round(v * 10) / 10} ${units[u]}`;
}

function drillRows(drills: readonly DrillEntry[]): Array<{ key: string; label: string; drill: string }> {
    const rows = new Map<string, { key: string; label: string; drill: string }>();
    for (const d of drills) {
        const key = `${d.drill}\u0000${d.server}`;
        if (!rows.has(key)) rows.set(key, { key, label: `${d.drill}: ${d.server}`, drill: d.drill });
    }
    return [...rows.values()];
}

function drillTable(x0: number, drills: readonly DrillEntry[], runs: readonly string[], y: number): string {
    const out: string[] = [];
    runs.forEach((run, i) => {
        const time = drills.find(d => d.run === run)!.time;
        out.push(textLine(x0 + i * COLUMN, y + 12, time.slice(0, 16).replace('T', ' '), 'muted', 'muted'));
    });
    drillRows(drills).forEach((row, r) => {
        const top = y + (r + 1) * ROW;
        out.push(`<g class="history-drill" data-id="drill:${xml(row.drill)}"><title>${xml(`drill ${row.label}`)}</title>`, textLine(MARGIN, top + BAR - 3, row.label));
        runs.forEach((run, i) => {
            const d = drills.find(e => e.run === run && `${e.drill}\u0000${e.server}` === row.key);
            if (d) out.push(drillCell(d, x0 + i * COLUMN, top));
        });
        out.push('</g>');
    });
    return out.join('');
}

function drillCell(d: DrillEntry, x: number, y: number): string {
    const text = d.ok ? `passed ${d.recoverySeconds === undefined ? '' : seconds(d.recoverySeconds)}`.trim() : '⚠ FAILED';
    const shape = d.ok
        ? `<rect class="up-all" x="${num(x - 2)}" y="${num(y - 2)}" width="${COLUMN - 8}" height="${BAR + 4}" fill="${colour('okBg')}" stroke="${colour('ok')}"/>`
        : `<rect class="problem" x="${num(x - 2)}" y="${num(y - 2)}" width="${COLUMN - 8}" height="${BAR + 4}" fill="${colour('problemBg')}" stroke="${colour('problem')}" stroke-dasharray="5 3"/>`;
    return `<g class="drill-result"><title>${xml(`${d.drill} of ${d.server} from ${d.tape}: ${d.ok ? 'passed' : `failed${d.error ? `: ${d.error}` : ''}`}`)}</title>${shape}`
        + textLine(x + 2, y + BAR - 3, text, d.ok ? '' : 'problem-text', d.ok ? 'fg' : 'problem') + '</g>';
}
