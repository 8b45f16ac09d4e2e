/**
 * The Prometheus text exposition of a status: the metric names of DESIGN §8 exactly, HELP
 * and TYPE before the samples, labels escaped, values for what is known (0 for a last
 * success that never was), no sample for what is not.
 */
import { expect, it } from 'vitest';
import { escapeLabel, renderPrometheus } from '../src/status/prometheus-format.js';
import type { RunbookStatus } from '../src/status/status-model.js';

const STATUS: RunbookStatus = {
    version: 1, runbook: 'acme', file: '/rb/acme.backplan', journal: '/state/j', now: '2026-11-25T10:00:00.000Z', ok: false, pendingRestarts: [], drills: [], problems: [],
    blocks: [{
        policy: 'Nightly', tape: 'Vault', schedule: '0 2 * * *', stale: true, staleReason: 'x',
        servers: [
            {
                server: 'Mail1',
                lastRun: { run: 'r2', time: '2026-11-25T02:00:30.500Z', ok: false, error: 'stop failed', durationSeconds: 3 },
                lastSuccess: { run: 'r1', time: '2026-11-24T02:00:30.000Z', ok: true, durationSeconds: 30 },
                lastArchive: { id: 'a', run: 'r1', time: '2026-11-24T02:00:30.000Z', stopWindowSeconds: 12.25, bytes: 1048576 },
                lastVerifySuccess: { archive: 'a', time: '2026-11-24T05:00:00.000Z', ok: true }
            },
            { server: 'Cat1' }
        ]
    }]
};

const NAMES = [
    'backplan_last_success_timestamp_seconds', 'backplan_last_run_timestamp_seconds', 'backplan_last_run_success',
    'backplan_last_run_duration_seconds', 'backplan_stop_window_seconds', 'backplan_archive_bytes', 'backplan_stale',
    'backplan_last_verify_success_timestamp_seconds', 'backplan_last_drill_success_timestamp_seconds'
];

it('declares every metric of DESIGN §8, HELP and TYPE first, and writes a sample per known value', () => {
    const text = renderPrometheus(STATUS);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    for (const name of NAMES) {
        const help = lines.indexOf(lines.find(l => l.startsWith(`# HELP ${name} `))!);
        expect(help, name).toBeGreaterThanOrEqual(0);
        expect(lines[help + 1]).toBe(`# TYPE ${name} gauge`);
        lines.forEach((l, i) => { if (l.startsWith(`${name}{`)) expect(i, l).toBeGreaterThan(help + 1); });
    }
    for (const l of lines.filter(x => !x.startsWith('#'))) expect(l).toMatch(/^backplan_[a-z_]+\{(runbook|policy|server)="[^"]*"(,(policy|server)="[^"]*")*\} (-?[0-9.e+]+|NaN)$/);
    const m = `{runbook="acme",policy="Nightly",server="Mail1"}`;
    const c = `{runbook="acme",policy="Nightly",server="Cat1"}`;
    expect(lines).toEqual(expect.arrayContaining([
        `backplan_last_success_timestamp_seconds${m} 1795485630`, `backplan_last_success_timestamp_seconds${c} 0`,
        `backplan_last_run_timestamp_seconds${m} 1795572030.5`, `backplan_last_run_success${m} 0`, `backplan_last_run_duration_seconds${m} 3`,
        `backplan_stop_window_seconds${m} 12.25`, `backplan_archive_bytes${m} 1048576`, 'backplan_stale{runbook="acme",policy="Nightly"} 1',
        `backplan_last_verify_success_timestamp_seconds${m} 1795496400`, `backplan_last_verify_success_timestamp_seconds${c} 0`
    ]));
    expect(lines.some(l => l.startsWith(`backplan_last_run_success${c}`))).toBe(false);
    expect(lines.some(l => l.startsWith('backplan_last_drill_success_timestamp_seconds{'))).toBe(false);
});

it('escapes label values as the exposition format asks', () => {
    expect(escapeLabel('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = renderPrometheus({ ...STATUS, runbook: 'we"ird\\name' });
    expect(text).toContain('backplan_stale{runbook="we\\"ird\\\\name",policy="Nightly"} 1');
});
