/**
 * Hand-made journals for the status tests: backup runs written record by record as the
 * runner writes them (run-ledger.ts reads them back), at chosen times.
 */
import type { JournalRecord } from '../src/journal/journal-record.js';

/** One server's part in a made-up backup run. */
export interface MadePart {
    server: string;
    policy: string;
    tape?: string;
    /** The step that fails (default: none); `killed` ends the records after the stop began. */
    fails?: 'stop' | 'archive' | 'start' | 'verify' | 'killed';
    /** Written on the start end and archive end, as the runner will. */
    window?: number;
    bytes?: number;
}

/** A made-up backup run. */
export interface MadeRun {
    run: string;
    /** When it began (ISO); each step takes 10 s. */
    at: string;
    parts: MadePart[];
    command?: string;
    pid?: number;
    host?: string;
    /** false: no run end (killed); default: an end, ok when every part is. */
    ends?: boolean;
    /** Fails the whole run before any server (pre-flight or lock) with this reason. */
    failsFirst?: string;
    /** Servers skipped in pre-flight (a record with the server and no policy). */
    skipped?: string[];
}

/** The records of a made-up run, in the runner's order. */
export function madeRun(r: MadeRun): JournalRecord[] {
    let t = Date.parse(r.at);
    const time = (): string => new Date(t += 10_000).toISOString();
    const out: JournalRecord[] = [{ type: 'run', event: 'begin', run: r.run, time: new Date(t).toISOString(), verb: 'backup', command: r.command ?? 'backplan backup /rb/main.backplan', pid: r.pid ?? 999_999, host: r.host ?? 'made-up-host', runbook: '/rb/main.backplan' }];
    const step = (rec: Omit<Extract<JournalRecord, { type: 'step' }>, 'type' | 'run' | 'time'>): void => { out.push({ type: 'step', run: r.run, time: time(), ...rec }); };
    if (r.failsFirst) {
        step({ event: 'end', step: 'preflight', ok: false, error: r.failsFirst });
        out.push({ type: 'run', event: 'end', run: r.run, time: time(), ok: false, error: `pre-flight failed, nothing was stopped: ${r.failsFirst}` });
        return out;
    }
    step({ event: 'end', step: 'preflight', ok: !r.skipped?.length });
    for (const server of r.skipped ?? []) step({ event: 'end', step: 'preflight', server, ok: false, error: 'host unreachable' });
    let ok = !r.skipped?.length;
    for (const p of r.parts) {
        const base = { server: p.server, policy: p.policy, tape: p.tape ?? 'Vault' };
        const archive = `${new Date(t).toISOString().replace(/[-:]/g, '')}-${p.server}-0001`;
        step({ ...base, event: 'begin', step: 'stop', restart: { command: `start ${p.server}`, host: 'local', env: {} } });
        if (p.fails === 'killed') return out;
        step({ ...base, event: 'end', step: 'stop', ok: p.fails !== 'stop', error: p.fails === 'stop' ? 'stop exited with code 1' : undefined });
        if (p.fails !== 'stop') {
            step({ ...base, event: 'begin', step: 'archive', archive });
            step({ ...base, event: 'end', step: 'archive', archive, ok: p.fails !== 'archive', bytes: p.bytes, error: p.fails === 'archive' ? 'archive failed: tar exited 2' : undefined });
        }
        step({ ...base, event: 'begin', step: 'start' });
        step({ ...base, event: 'end', step: 'start', ok: p.fails !== 'start', window: p.window, error: p.fails === 'start' ? 'start exited with code 1' : undefined });
        if (p.fails === undefined || p.fails === 'start' || p.fails === 'verify') {
            step({ ...base, event: 'begin', step: 'verify', archive });
            step({ ...base, event: 'end', step: 'verify', archive, ok: p.fails !== 'verify', error: p.fails === 'verify' ? 'the archive read back differs' : undefined });
            if (p.fails !== 'verify') step({ ...base, event: 'end', step: 'record', archive, ok: true });
        }
        ok &&= p.fails === undefined;
    }
    if (r.ends !== false) out.push({ type: 'run', event: 'end', run: r.run, time: time(), ok, error: ok ? undefined : 'some server failed' });
    return out;
}

/** JSON lines of records. */
export function jsonLines(records: readonly JournalRecord[]): string {
    return records.map(r => JSON.stringify(r)).join('\n') + '\n';
}
