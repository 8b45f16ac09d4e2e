/**
 * A block's last result from `backplan status RUNBOOK --format json`, for the schedule
 * CodeLens. Apart from VS Code, so that it is unit-tested.
 *
 *   backup block → its servers' last runs: none → never run; any failed → failed; else
 *                  ok; the time is the newest of them; stale and running as status says
 *   drill block  → its servers' last drills by that drill block, the same way (status
 *                  keeps each server's last drill of any block: when another drill block
 *                  ran after it on a server, that server is left out)
 */

/** The part of `backplan status --format json` read here (packages/cli/src/commands/status-output.ts). */
export interface StatusDocument {
    blocks: Array<{
        policy: string;
        stale: boolean;
        running: { run: string; since: string } | null;
        servers: Array<{
            server: string;
            lastRun: { time: string; ok: boolean } | null;
            lastDrill: { time: string; ok: boolean; drill: string } | null;
        }>;
    }>;
}

/** A block's last result, as the lens says it. */
export interface LastResult {
    /** Undefined: never run. */
    last?: { ok: boolean; time: string };
    stale: boolean;
    running: boolean;
}

/** The last result of backup or drill block `name` in a status document. */
export function lastResultOf(status: StatusDocument, kind: 'backup' | 'drill', name: string): LastResult {
    if (kind === 'backup') {
        const block = status.blocks.find(b => b.policy === name);
        if (!block) return { stale: false, running: false };
        return { last: combine(block.servers.map(s => s.lastRun)), stale: block.stale, running: block.running !== null };
    }
    // A server appears under every backup block that holds it: one drill result per server.
    const drills = new Map<string, { time: string; ok: boolean }>();
    for (const server of status.blocks.flatMap(b => b.servers)) {
        if (server.lastDrill?.drill === name) drills.set(server.server, server.lastDrill);
    }
    return { last: combine([...drills.values()]), stale: false, running: false };
}

/** Several servers' last outcomes as one: failed when one failed, at the newest time. */
function combine(outcomes: ReadonlyArray<{ time: string; ok: boolean } | null>): LastResult['last'] {
    const known = outcomes.filter((o): o is { time: string; ok: boolean } => o !== null);
    if (known.length === 0) return undefined;
    const newest = known.map(o => o.time).sort().at(-1)!;
    return { ok: known.every(o => o.ok), time: newest };
}
