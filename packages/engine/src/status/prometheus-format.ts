/**
 * A runbook's status in Prometheus's text exposition format (version 0.0.4), with the
 * metric names of DESIGN §8, for `status --format prometheus` and node_exporter's textfile
 * collector (`--textfile DIR`, textfile.ts):
 *
 *   for each metric, in a fixed order: `# HELP`, `# TYPE … gauge`, then one sample per
 *   (block, server) that has a value — labels runbook, policy, server (`backplan_stale`:
 *   runbook, policy, one per block)
 *
 * A metric whose value is unknown has no sample (no run yet: no last-run metrics), except
 * the two "last success" timestamps, which are 0 when there never was one: an alert on
 * `time() - backplan_last_success_timestamp_seconds` then fires for a server that never
 * succeeded too. Drills do not exist yet: their metric is declared with no samples.
 * Label values are escaped (\\, \", \n) as the format requires; timestamps are Unix
 * seconds with milliseconds.
 */
import type { BlockStatus, RunbookStatus, ServerStatus } from './status-model.js';

interface ServerMetric {
    name: string;
    help: string;
    value: (s: ServerStatus) => number | undefined;
}

const seconds = (iso: string | undefined): number | undefined => {
    if (iso === undefined) return undefined;
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? ms / 1000 : undefined;
};

const SERVER_METRICS: readonly ServerMetric[] = [
    { name: 'backplan_last_success_timestamp_seconds', help: 'Time of the last successful backup of the server by the block (0: never).', value: s => seconds(s.lastSuccess?.time) ?? 0 },
    { name: 'backplan_last_run_timestamp_seconds', help: 'Time the last backup run of the server by the block ended.', value: s => seconds(s.lastRun?.time) },
    { name: 'backplan_last_run_success', help: 'Whether the last backup run of the server by the block succeeded (1) or failed (0).', value: s => (s.lastRun ? (s.lastRun.ok ? 1 : 0) : undefined) },
    { name: 'backplan_last_run_duration_seconds', help: 'How long the server\'s part of its last backup run took.', value: s => s.lastRun?.durationSeconds },
    { name: 'backplan_stop_window_seconds', help: 'How long the application was stopped for the last archive (stop begun to start done).', value: s => s.lastArchive?.stopWindowSeconds },
    { name: 'backplan_archive_bytes', help: 'Size on the tape of the last archive of the server by the block.', value: s => s.lastArchive?.bytes }
];

const VERIFY: ServerMetric = {
    name: 'backplan_last_verify_success_timestamp_seconds',
    help: 'Time of the last `backplan verify` that passed for an archive of the server on the block\'s tape (0: never).',
    value: s => seconds(s.lastVerifySuccess?.time) ?? 0
};

const DRILL = {
    name: 'backplan_last_drill_success_timestamp_seconds',
    help: 'Time of the last restore drill of the server by the drill block that passed.'
};

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabel(value: string): string {
    return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes HELP text: backslash and newline. */
function escapeHelp(text: string): string {
    return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labels(pairs: ReadonlyArray<readonly [string, string]>): string {
    return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function number(n: number): string {
    if (Number.isNaN(n)) return 'NaN';
    if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
    return String(n);
}

function family(name: string, help: string, samples: string[]): string[] {
    return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} gauge`, ...samples];
}

function serverSamples(status: RunbookStatus, metric: ServerMetric): string[] {
    return status.blocks.flatMap((b: BlockStatus) => b.servers.flatMap(s => {
        const v = metric.value(s);
        return v === undefined ? [] : [`${metric.name}${labels([['runbook', status.runbook], ['policy', b.policy], ['server', s.server]])} ${number(v)}`];
    }));
}

/** The drill metric: labelled with the drill block in place of the policy (DESIGN §8), once per drill and server. */
function drillSamples(status: RunbookStatus): string[] {
    return status.drills.flatMap(d => {
        const v = seconds(d.lastDrillSuccess?.time);
        return v === undefined ? [] : [`${DRILL.name}${labels([['runbook', status.runbook], ['drill', d.drill], ['server', d.server]])} ${number(v)}`];
    });
}

/** The status as Prometheus text exposition (see module comment); ends with a newline. */
export function renderPrometheus(status: RunbookStatus): string {
    const lines: string[] = [];
    for (const m of SERVER_METRICS) lines.push(...family(m.name, m.help, serverSamples(status, m)));
    lines.push(...family('backplan_stale', 'Whether the backup block is stale (1): scheduled and no success since its schedule fired more than 2 h ago, or older than its `stale after`.',
        status.blocks.map(b => `backplan_stale${labels([['runbook', status.runbook], ['policy', b.policy]])} ${b.stale ? 1 : 0}`)));
    lines.push(...family(VERIFY.name, VERIFY.help, serverSamples(status, VERIFY)));
    lines.push(...family(DRILL.name, DRILL.help, drillSamples(status)));
    return lines.join('\n') + '\n';
}
