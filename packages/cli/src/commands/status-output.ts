/**
 * `status` as text on stdout: per backup block a headline (ok, STALE, FAILED, running) and
 * a table of its servers, then the failures' reasons, the applications left stopped and
 * what could not be read. Times are UTC to the minute with their age.
 */
import { durationText, formatBytes, type BlockStatus, type RunbookStatus, type ServerStatus } from '@backplan/engine';
import { painter, type Paint } from '../terminal.js';
import { table } from './run-support.js';

/** "3m", "8h", "12d": how long ago. */
export function age(iso: string, now: Date): string {
    const s = Math.max(0, (now.getTime() - Date.parse(iso)) / 1000);
    if (s < 90) return `${Math.round(s)}s`;
    if (s < 90 * 60) return `${Math.round(s / 60)}m`;
    if (s < 48 * 3600) return `${Math.round(s / 3600)}h`;
    return `${Math.round(s / 86400)}d`;
}

function when(iso: string | undefined, now: Date): string {
    if (iso === undefined) return 'never';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return `${d.toISOString().slice(0, 16).replace('T', ' ')}Z (${age(iso, now)} ago)`;
}

function headline(b: BlockStatus, paint: Paint): string {
    const what = [b.tape ? `tape ${b.tape}` : 'no tape', b.schedule ? `schedule "${b.schedule}"` : 'no schedule',
        b.staleAfterSeconds !== undefined ? `stale after ${durationText(b.staleAfterSeconds * 1000)}` : ''].filter(Boolean).join(', ');
    const failed = b.servers.filter(s => s.lastRun && !s.lastRun.ok).length;
    const state = b.stale ? paint('red', 'STALE') : failed ? paint('red', 'FAILED') : paint('green', 'ok');
    const running = b.running ? `; running since ${b.running.since} (run ${b.running.run}, pid ${b.running.pid})` : '';
    return `${b.policy} (${what}): ${state} — ${b.staleReason}${failed ? `; ${failed} server${failed > 1 ? 's' : ''} failed ${failed > 1 ? 'their' : 'its'} last run` : ''}${running}`;
}

function row(s: ServerStatus, now: Date): string[] {
    const verify = s.lastVerify ? `${when(s.lastVerify.time, now)} ${s.lastVerify.ok ? 'ok' : 'FAILED'}` : 'never';
    return [
        s.server, when(s.lastRun?.time, now), s.lastRun ? (s.lastRun.ok ? 'ok' : 'FAILED') : '-', when(s.lastSuccess?.time, now),
        s.lastArchive?.stopWindowSeconds !== undefined ? `${s.lastArchive.stopWindowSeconds.toFixed(1)} s` : '-',
        s.lastArchive?.bytes !== undefined ? formatBytes(s.lastArchive.bytes) : '-',
        verify, s.lastDrill ? `${when(s.lastDrill.time, now)} ${s.lastDrill.ok ? 'ok' : 'FAILED'}${s.lastDrill.recoverySeconds !== undefined ? ` (${s.lastDrill.recoverySeconds.toFixed(1)} s)` : ''}` : '-'
    ];
}

const clip = (text: string, n = 300): string => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** The status as text (see module comment). */
export function renderStatusText(status: RunbookStatus, textfile?: string): string {
    const paint = painter(process.stdout);
    const now = new Date(status.now);
    const out: string[] = [`Runbook ${status.title ? `"${status.title}" ` : ''}(${status.runbook}) at ${status.now}`];
    if (status.blocks.length === 0) out.push('No backup blocks.');
    for (const b of status.blocks) {
        out.push('', headline(b, paint));
        out.push(table(['SERVER', 'LAST RUN', 'RESULT', 'LAST SUCCESS', 'STOP WINDOW', 'ARCHIVE', 'LAST VERIFY', 'LAST DRILL'], b.servers.map(s => row(s, now))).trimEnd());
        for (const s of b.servers.filter(x => x.lastRun && !x.lastRun.ok)) out.push(`${s.server}: ${clip(s.lastRun!.error ?? 'failed')} (run ${s.lastRun!.run})`);
    }
    if (status.pendingRestarts.length) out.push('');
    for (const p of status.pendingRestarts) {
        out.push(`${paint('red', `${p.server} may be NOT running`)}: run ${p.run} stopped it at ${p.stopped} and ${p.runEnded ? 'its start failed' : 'was killed before starting it again'}; \`backplan repair\` (or any run verb) starts it`);
    }
    if (status.problems.length) out.push('');
    for (const p of status.problems) out.push(`${paint('yellow', 'warning')}: ${p}`);
    if (textfile) out.push('', `Metrics written to ${textfile}.`);
    return out.join('\n') + '\n';
}

/** The status as one JSON document: what is unknown is null, so every key is always there. */
export function statusJson(status: RunbookStatus, textfile?: string): object {
    return {
        ...status,
        title: status.title ?? null,
        blocks: status.blocks.map(b => ({
            ...b, tape: b.tape ?? null, schedule: b.schedule ?? null, staleAfterSeconds: b.staleAfterSeconds ?? null,
            lastFire: b.lastFire ?? null, lastSuccess: b.lastSuccess ?? null, running: b.running ?? null,
            servers: b.servers.map(s => ({
                server: s.server, lastRun: s.lastRun ?? null, lastSuccess: s.lastSuccess ?? null, lastArchive: s.lastArchive ?? null,
                lastVerify: s.lastVerify ?? null, lastVerifySuccess: s.lastVerifySuccess ?? null, lastDrill: s.lastDrill ?? null, lastDrillSuccess: s.lastDrillSuccess ?? null
            }))
        })),
        drills: status.drills.map(d => ({ ...d, lastDrillSuccess: d.lastDrillSuccess ?? null })),
        textfile: textfile ?? null
    };
}
