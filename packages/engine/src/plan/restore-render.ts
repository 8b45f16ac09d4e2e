/**
 * `--dry-run` output of restore and recover plans: numbered text lines, or one JSON object.
 */
import type { RecoverPlan, RecoverRow } from './recover-plan.js';
import type { RestoreOp, RestorePlan, RestoreStep } from './restore-plan.js';

/** "3 h 5 min old" for an ISO time, relative to `now`. */
export function ageText(iso: string | undefined, now: Date): string {
    if (iso === undefined) return 'no copy';
    if (iso === 'live') return 'live';
    const secs = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
    const d = Math.floor(secs / 86400), h = Math.floor((secs % 86400) / 3600), m = Math.floor((secs % 3600) / 60);
    const parts = d ? [`${d} d`, `${h} h`] : h ? [`${h} h`, `${m} min`] : m ? [`${m} min`] : [`${secs} s`];
    return `${iso} (${parts.join(' ')} old)`;
}

function stepLines(steps: readonly RestoreStep[]): string[] {
    return steps.map(s => `${String(s.n).padStart(3)}. ${s.text}`);
}

function opLine(op: RestoreOp, now: Date): string {
    if (op.kind === 'tape') {
        const what = op.folders ? `folder${op.folders.length === 1 ? '' : 's'} ${op.folders.map(f => f.name).join(', ')}`
            : op.archive.dump ? (op.target ? 'the dump file' : 'the dump, loaded,') : 'whole data folder';
        return `${op.server.name}: ${what} from archive ${op.archive.id} on tape ${op.archive.tape}, data of ${ageText(op.archive.time, now)}`
            + (op.target ? ` → into ${op.target}` : ` → ${op.server.data}`);
    }
    if (op.viaDump) {
        const { source, folders } = op.sources[0];
        return `${op.server.name}: ${source.name}'s dump, loaded (${folders.map(f => f.name).join(', ')}; live, ${source.name} never stopped) → ${op.server.data}`;
    }
    return `${op.server.name}: ${op.sources.map(g => `${g.folders.map(f => f.name).join(', ')} from ${g.source.name}`).join('; ')} (live replicas)`;
}

/** A restore plan as text. */
export function renderRestorePlanText(plan: RestorePlan, now = new Date()): string {
    const lines = [`restore ${opLine(plan.op, now)}`, `source: ${plan.op.kind} — ${plan.why}`];
    for (const n of plan.notes) lines.push(`note: ${n}`);
    lines.push('', 'Plan (dry run: nothing was touched):', ...stepLines(plan.steps));
    return lines.join('\n') + '\n';
}

function opJson(op: RestoreOp): object {
    if (op.kind === 'tape') {
        return {
            kind: 'tape', server: op.server.name, archive: op.archive.id, tape: op.archive.tape, dataTime: op.archive.time,
            folders: op.folders?.map(f => f.name) ?? null, target: op.target ?? null, dump: op.archive.dump === true
        };
    }
    return { kind: 'replica', server: op.server.name, sources: op.sources.map(g => ({ server: g.source.name, folders: g.folders.map(f => f.name) })), dump: op.viaDump === true };
}

/** A restore plan as a JSON-ready object. */
export function restorePlanJson(plan: RestorePlan): object {
    return { version: 1, dryRun: true, source: plan.op.kind, why: plan.why, operation: opJson(plan.op), keepOld: plan.keepOld, notes: plan.notes, steps: plan.steps };
}

function rowText(r: RecoverRow, now: Date): string {
    switch (r.kind) {
        case 'archive': return `archive ${r.source}, data of ${ageText(r.age, now)}`;
        case 'live': return `replicated from ${r.source} (live)`;
        case 'dump': return `${r.source}'s dump, loaded (live; ${r.source} never stopped)`;
        case 'replica': return `replicated from ${r.source} once restored, data of ${ageText(r.age, now)}`;
        case 'none': return 'NO COPY ANYWHERE';
    }
}

/** A recover plan as text. */
export function renderRecoverPlanText(plan: RecoverPlan, now = new Date()): string {
    const lines = [`recover ${plan.lost.map(s => s.name).join(', ')}`, '', 'Where each folder comes from:'];
    const w1 = Math.max(6, ...plan.rows.map(r => r.folder.length));
    const w2 = Math.max(6, ...plan.rows.map(r => r.holder.length));
    lines.push(`  ${'folder'.padEnd(w1)}  ${'onto'.padEnd(w2)}  source`);
    for (const r of plan.rows) lines.push(`  ${r.folder.padEnd(w1)}  ${r.holder.padEnd(w2)}  ${rowText(r, now)}`);
    if (plan.rows.length === 0) lines.push('  (nothing: the lost servers hold no data Backplan knows a copy of)');
    if (plan.losses.length) {
        lines.push('', 'NO COPY ANYWHERE (lost unless found elsewhere):');
        for (const l of plan.losses) lines.push(`  ${l}`);
    }
    if (plan.ops.length) {
        lines.push('', 'Operations, in order:');
        for (const op of plan.ops) lines.push(`  ${opLine(op, now)}`);
    }
    for (const n of plan.notes) lines.push(`note: ${n}`);
    lines.push('', 'Plan (dry run: nothing was touched):', ...stepLines(plan.steps));
    return lines.join('\n') + '\n';
}

/** A recover plan as a JSON-ready object. */
export function recoverPlanJson(plan: RecoverPlan): object {
    return {
        version: 1, dryRun: true, lost: plan.lost.map(s => s.name), folders: plan.rows, losses: plan.losses,
        operations: plan.ops.map(opJson), notes: plan.notes, steps: plan.steps
    };
}
