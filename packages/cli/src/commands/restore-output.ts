/**
 * Results of `restore` and `recover` runs on stdout: one line per operation, what state
 * each server is in when something failed, where kept copies are.
 */
import type { RestoreRunResult } from '@backplan/engine';
import { painter } from '../terminal.js';

/** The result as text. */
export function renderRestoreResult(result: RestoreRunResult): string {
    const paint = painter(process.stdout);
    const lines: string[] = [];
    for (const b of result.badArchives) {
        lines.push(`${paint('red', 'REFUSED')} archive ${b.id}: ${b.problems.slice(0, 5).join('; ')}`);
    }
    for (const o of result.outcomes) {
        const from = o.kind === 'tape' ? `archive ${o.archive}` : o.dump ? `the dump of ${o.sources?.join(', ')}` : `replicas on ${o.sources?.join(', ')}`;
        const what = o.folders ? ` (${o.folders.join(', ')})` : '';
        const done = o.dump ? 'the dump, verified, loaded' : `${o.files} files${o.target ? ` into ${o.target}` : ''}, verified`;
        lines.push(o.ok
            ? `${paint('green', 'ok')}      ${o.server}${what} ← ${from}: ${done}`
            : `${paint('red', 'FAILED')}  ${o.server}${what} ← ${from}: ${o.error}`);
        if (o.started === false) lines.push(`        ${paint('red', `${o.server} is NOT running: start it by hand`)}`);
        for (const k of o.kept) lines.push(`        previous data kept at ${k}`);
        if (!o.ok && o.output) for (const l of o.output.trimEnd().split('\n').slice(-10)) lines.push(`        | ${l}`);
    }
    lines.push(result.ok ? `Run ${result.runId}: restored.` : `Run ${result.runId} failed.`);
    return lines.join('\n') + '\n';
}

/** The result as a JSON-ready object. */
export function restoreResultJson(result: RestoreRunResult): object {
    return { version: 1, runId: result.runId, ok: result.ok, error: result.error, refusedArchives: result.badArchives, operations: result.outcomes };
}
