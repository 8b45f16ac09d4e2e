/**
 * `--dry-run` output of a backup plan: numbered text lines, or one JSON object.
 */
import type { BackupPlan, PlanStep } from './backup-plan.js';

/** `A`, `A and B`, `A, B and C`. */
function joinNames(names: readonly string[]): string {
    return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The steps of a backup to a restic tape that differ from a folder tape's. */
function describeRestic(step: PlanStep, repo: string): string | undefined {
    const who = step.server ? `${step.server}: ` : '';
    switch (step.action) {
        case 'lock': return `lock tape ${step.tape} (backup ${step.policy}; restic repository ${repo}): Backplan's lock in the state folder; `
            + 'on each host, create the repository (restic init) if pre-flight found none, and remove stale restic locks (restic unlock) when the journal shows no live run';
        case 'archive': return `${who}restic backup of ${step.source ?? 'the data folder'} on the server's host into ${repo} (--host ${step.server}, tags backplan, run:…, policy:${step.policy}, folder:…); `
            + 'beside it, where that folder cannot change and the server has no exclude, its walk on the host';
        case 'verify': return `${who}the manifest: that walk, when restic's summary counts it and nothing changed meanwhile; else the snapshot listed back from the repository (restic find)`;
        case 'record': return `${who}store the manifest as a second snapshot, last (the commit), and the journal record; a backup that fails before this forgets what it saved`;
        default: return undefined;
    }
}

function describe(step: PlanStep): string {
    const who = step.server ? `${step.server}: ` : '';
    const restic = step.restic === undefined ? undefined : describeRestic(step, step.restic);
    if (restic !== undefined) return restic;
    switch (step.action) {
        case 'preflight': return `preflight: check ${step.servers!.join(', ')} (host, data folder, tar/zstd, tape writable with room; restic tapes: restic ≥ 0.14 on the host, password file, repository reachable); stops nothing`;
        case 'lock': return `lock tape ${step.tape} (backup ${step.policy})`;
        case 'stop': return `${who}stop the application: ${step.command}`;
        case 'archive': return `${who}stream ${step.source ?? 'the data folder'} into tape ${step.tape} (tar | zstd, SHA-256 of every file)`;
        case 'start': return `${who}start the application again (always, even after a failure): ${step.command}`;
        case 'snapshot': return `${who}take a read-only snapshot of the data folder (the application is still stopped)`;
        case 'drop-snapshot': return `${who}delete the snapshot (always, even after a failure)`;
        case 'dump': return `${who}dump the application's data without stopping it: ${step.command}`;
        case 'drop-dump': return `${who}remove the dump file (always)`;
        case 'verify': return `${who}re-read the archive and check its SHA-256`;
        case 'record': return `${who}write the manifest (commit) and the journal record`;
        case 'unlock': return `unlock tape ${step.tape}`;
    }
}

/** The plan as text. */
export function renderPlanText(plan: BackupPlan): string {
    const lines: string[] = [];
    for (const item of plan.items) {
        const mode = item.parallel > 1
            ? `parallel ${item.parallel}: up to ${item.parallel} servers at once, never the last running holder of a folder`
            : 'rolling: one server at a time';
        const where = item.tape.restic !== undefined ? `restic repository ${item.tape.restic}, restic runs on each server's host` : item.tape.at;
        lines.push(`backup ${item.backup.name} → tape ${item.tape.name} (${where}), ${mode}`);
        for (const s of item.servers) {
            const held = s.server.role === 'mail' ? 'mail data' : s.folders.length ? `folders ${s.folders.map(f => f.name).join(', ')}` : 'no declared folder';
            lines.push(`  ${s.server.name}: ${s.server.data} (${held})`);
        }
    }
    lines.push('', 'Plan (dry run: nothing was touched):');
    for (const step of plan.steps) {
        const w = step.waitsFor;
        const waits = w === undefined ? '' : w.down.length === 1
            ? `: waits while ${w.down[0]}, the other holder of ${w.folder}, is stopped`
            : `: waits while ${joinNames(w.down)}, the other holders of ${w.folder}, are stopped`;
        const batch = step.concurrent !== undefined ? ` [batch ${step.concurrent}${waits}]` : '';
        lines.push(`${String(step.n).padStart(3)}. ${describe(step)}${batch}`);
    }
    return lines.join('\n') + '\n';
}

/** The plan as a JSON-ready object. */
export function planJson(plan: BackupPlan): object {
    return {
        version: 1,
        dryRun: true,
        backups: plan.items.map(item => ({
            name: item.backup.name,
            tape: { name: item.tape.name, at: item.tape.at, restic: item.tape.restic },
            parallel: item.parallel,
            servers: item.servers.map(s => ({
                name: s.server.name, role: s.server.role, data: s.server.data,
                host: s.server.host?.kind === 'ssh' ? `ssh://${s.server.host.hostname}:${s.server.host.port}` : 'local',
                folders: s.folders.map(f => ({ name: f.name, path: f.path }))
            }))
        })),
        steps: plan.steps
    };
}
