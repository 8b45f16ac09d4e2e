/**
 * Results of `drill` runs on stdout: one line per (drill, server) — which archive and why,
 * the recovery time, the test — then the failing test's output and any copy kept.
 */
import { formatBytes, type DrillRecord, type DrillRunResult } from '@backplan/engine';
import { painter } from '../terminal.js';

/** The result as text. */
export function renderDrillResult(result: DrillRunResult): string {
    const paint = painter(process.stdout);
    const lines: string[] = [];
    for (const d of result.drills) {
        const head = `${d.drill} ${d.server}${d.archive ? ` ← ${d.archive} (${pickText(d)})` : ''}`;
        lines.push(d.ok
            ? `${paint('green', 'passed')}  ${head}: ${d.files} file${d.files === 1 ? '' : 's'} (${formatBytes(d.bytes ?? 0)}) restored and verified in ${d.recoverySeconds?.toFixed(1)} s${d.test ? `, test passed in ${d.test.seconds.toFixed(1)} s` : ''}`
            : `${paint('red', 'FAILED')}  ${head}: ${d.error}`);
        if (!d.ok && d.test && !d.test.ok) for (const l of d.test.output.trimEnd().split('\n').slice(-20)) lines.push(`        | ${l}`);
        if (d.kept && d.scratch) lines.push(`        restored copy kept at ${d.scratch}`);
    }
    const failed = result.drills.filter(d => !d.ok).length;
    lines.push(result.ok ? `Run ${result.runId}: every drill passed.`
        : `Run ${result.runId} failed${failed ? `: ${failed} of ${result.drills.length} drill${result.drills.length === 1 ? '' : 's'} failed` : ''}.`);
    return lines.join('\n') + '\n';
}

/** `newest of 3`, `random 2 of 5 from RUN/DRILL/SERVER`, `given`. */
function pickText(d: DrillRecord): string {
    if (d.pick.order === 'given') return 'given with --archive';
    if (d.pick.order === 'random') return `random: ${d.pick.index + 1} of ${d.pick.of}, from ${d.pick.seed}`;
    return `${d.pick.order} of ${d.pick.of}`;
}

/** The result as a JSON-ready object. */
export function drillResultJson(result: DrillRunResult): object {
    return { version: 1, runId: result.runId, ok: result.ok, error: result.error, drills: result.drills.map(({ type: _type, run: _run, ...rest }) => rest) };
}
