/**
 * What `backplan schedule` prints: a plan (dry run), what applying it did, and the list of
 * scheduled blocks — as text for people and as one JSON document for scripts.
 */
import type { ScheduleApplyResult, ScheduleListEntry, SchedulePlan, ScheduleTarget } from '@backplan/engine';
import { painter } from '../terminal.js';

/** Where a target is, in words. */
function targetText(target: ScheduleTarget): string {
    return target.kind === 'cron' ? `cron file ${target.file} (jobs run as ${target.user})`
        : `systemd ${target.user ? 'user ' : ''}units in ${target.unitDir}`;
}

/** The dry run of install or remove: every file with its text, every systemctl call. */
export function renderPlan(verb: 'install' | 'remove', runbook: string, plan: SchedulePlan): string {
    const lines = [`Dry run of schedule ${verb} for ${runbook}: ${targetText(plan.target)}; nothing is written.`];
    if (plan.changes.length === 0) lines.push('Nothing is installed there for this runbook.');
    for (const args of plan.before) lines.push(`would run: systemctl ${args.join(' ')}${plan.systemd ? '' : ' (systemd is not running here: it would not)'}`);
    for (const change of plan.changes) {
        if (change.action === 'delete') lines.push(`would remove ${change.path}`);
        else if (change.action === 'unchanged') lines.push(`unchanged ${change.path}`);
        else lines.push(`would write ${change.path}:`, ...(change.text ?? '').trimEnd().split('\n').map(l => `    ${l}`));
    }
    for (const args of plan.after) lines.push(`would run: systemctl ${args.join(' ')}${plan.systemd ? '' : ' (systemd is not running here: it would not)'}`);
    return lines.join('\n') + '\n';
}

/** What install or remove did. */
export function renderApply(verb: 'install' | 'remove', runbook: string, plan: SchedulePlan, result: ScheduleApplyResult): string {
    const paint = painter(process.stdout);
    const lines = [...result.done];
    if (plan.changes.length === 0) lines.push(`Nothing was installed for ${runbook} in the ${targetText(plan.target)}.`);
    else if (!result.ok) lines.push(paint('red', `schedule ${verb} did not finish: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} (below).`));
    else if (verb === 'install') {
        for (const block of plan.blocks) lines.push(`${paint('green', 'scheduled')} ${block.kind} ${block.name} (${block.schedule})`);
        if (plan.target.kind === 'cron' && !plan.target.file.startsWith('/etc/cron.d/')) lines.push(`cron reads /etc/cron.d by itself; ${plan.target.file} runs only where cron is told to read it.`);
    } else lines.push(`Removed ${plan.removed.join(', ')} of ${runbook} from the ${targetText(plan.target)}.`);
    return lines.join('\n') + '\n';
}

/** The JSON document of install or remove. */
export function planJsonOf(verb: 'install' | 'remove', plan: SchedulePlan, dryRun: boolean): Record<string, unknown> {
    return {
        version: 1, action: verb, dryRun, target: plan.target, blocks: plan.blocks, removed: plan.removed,
        changes: plan.changes.map(c => ({ path: c.path, action: c.action, ...(c.action === 'write' ? { text: c.text } : {}) })),
        systemctl: { running: plan.systemd, calls: [...plan.before, ...plan.after] }
    };
}

/** `2026-12-04 02:00 +01:00`: a time in the machine's zone, with its offset. */
export function localTime(date: Date): string {
    const offset = -date.getTimezoneOffset();
    const sign = offset >= 0 ? '+' : '-';
    const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
    const mm = String(Math.abs(offset) % 60).padStart(2, '0');
    const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 16).replace('T', ' ');
    return `${local} ${sign}${hh}:${mm}`;
}

function utcTime(date: Date): string {
    return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `schedule list` as text. */
export function renderList(runbook: string, entries: readonly ScheduleListEntry[]): string {
    if (entries.length === 0) return `No backup block of ${runbook} has a schedule.\n`;
    const lines: string[] = [];
    for (const e of entries) {
        lines.push(`${e.block.kind} ${e.block.name}: ${e.block.schedule} — ${e.description}`);
        lines.push(e.installed.length === 0 ? '  not installed (backplan schedule install)' : `  installed: ${e.installed.map(i => `${i.kind} ${i.path}`).join(', ')}`);
        lines.push('  next runs (local time, UTC):');
        for (const d of e.next) lines.push(`    ${localTime(d)}   ${utcTime(d)}`);
    }
    return lines.join('\n') + '\n';
}

/** `schedule list` as JSON. */
export function listJsonOf(runbook: string, entries: readonly ScheduleListEntry[]): Record<string, unknown> {
    return {
        version: 1, runbook,
        blocks: entries.map(e => ({
            kind: e.block.kind, name: e.block.name, schedule: e.block.schedule, description: e.description,
            next: e.next.map(d => ({ local: localTime(d), utc: d.toISOString() })),
            installed: e.installed
        }))
    };
}
