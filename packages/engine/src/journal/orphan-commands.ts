/**
 * Runbook commands a killed run left running on this machine. A runner killed while its
 * stop command runs leaves that command behind (it is spawned in its own process group,
 * child-process.ts); if recovery started the application while it ran, the stop would
 * finish afterwards and leave the application down. So recovery of a killed run first
 * ends them, as the run itself does on Ctrl-C. Over SSH nothing is left: the remote
 * wrapper ends a command when its session's stdin closes (hosts/ssh/remote-scripts.ts).
 *
 *   scan /proc: processes whose environment has BACKPLAN_RUN=RUN and a BACKPLAN_ACTION
 *               other than `start` (a start's descendants are the application itself)
 *   each:       its process group when it leads one (runbook commands are spawned as
 *               group leaders), else the process alone
 *   SIGTERM → wait until they are gone (at most 2 s) → SIGKILL what is left
 *
 * Where /proc is missing or unreadable, nothing is found: recovery goes on as before.
 */
import { promises as fs } from 'node:fs';
import { processAlive } from '../tape/tape-lock.js';

/** How long orphans get between SIGTERM and SIGKILL (as an interrupted run gives its commands). */
const GRACE_MS = 2000;

/** A process of the run, and the group to signal. */
interface Orphan { pid: number; target: number }

/** Ends the commands run `run` left running here; returns their pids. */
export async function endOrphanedCommands(run: string): Promise<number[]> {
    const orphans = await findOrphans(run);
    if (orphans.length === 0) return [];
    signal(orphans, 'SIGTERM');
    const deadline = Date.now() + GRACE_MS;
    while (orphans.some(o => processAlive(o.pid)) && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
    signal(orphans.filter(o => processAlive(o.pid)), 'SIGKILL');
    return orphans.map(o => o.pid);
}

function signal(orphans: readonly Orphan[], sig: NodeJS.Signals): void {
    for (const o of orphans) {
        try { process.kill(o.target, sig); } catch { /* gone */ }
    }
}

async function findOrphans(run: string): Promise<Orphan[]> {
    let entries: string[];
    try {
        entries = (await fs.readdir('/proc')).filter(e => /^\d+$/.test(e));
    } catch {
        return [];
    }
    const ours = new Set<number>();
    for (const e of entries) {
        const pid = Number(e);
        if (pid !== process.pid && await belongsTo(pid, run)) ours.add(pid);
    }
    const out: Orphan[] = [];
    for (const pid of ours) {
        const group = await processGroup(pid);
        // Signal a group only when its leader is one of the run's commands: never the
        // runner's own group (a pipeline `backplan backup | tee log` shares it).
        out.push({ pid, target: group !== undefined && ours.has(group) && group !== process.pid ? -group : pid });
    }
    return out;
}

/** Whether a process was started by the run for anything but a start. */
async function belongsTo(pid: number, run: string): Promise<boolean> {
    let env: string[];
    try {
        env = (await fs.readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    } catch {
        return false;
    }
    if (!env.includes(`BACKPLAN_RUN=${run}`)) return false;
    const action = env.find(v => v.startsWith('BACKPLAN_ACTION='))?.slice('BACKPLAN_ACTION='.length);
    return action !== undefined && action !== 'start';
}

async function processGroup(pid: number): Promise<number | undefined> {
    try {
        const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
        const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
        return Number.isInteger(pgrp) && pgrp > 0 ? pgrp : undefined;
    } catch {
        return undefined;
    }
}
