/**
 * `backplan archives RUNBOOK [--tape NAME]`: archives with a manifest (id, server, time,
 * size, folders, last verified). Read-only: exit 0 whenever the tapes could be read.
 */
import type { Command } from 'commander';
import { archiveIdTime, formatBytes, type TapeStore } from '@backplan/engine';
import type { CommandContext } from './command-support.js';
import { addRunFlags, chooseTapes, loadForRun, table, withRun, writeJson, type RunFlags } from './run-support.js';

interface ArchivesFlags extends RunFlags { tape?: string }

/** Registers `archives`. */
export function registerArchives(program: Command, context: CommandContext): void {
    addRunFlags(program.command('archives')
        .description('list the archives on the tapes of a runbook')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--tape <name>', 'only this tape'))
        .action(context.action(async (file: string, flags: ArchivesFlags) => {
            const ctx = await loadForRun(file, 'archives', flags);
            const rows = await withRun(ctx, flags, () => listAll(chooseTapes(ctx.model, flags.tape)), { interrupts: false });
            if (flags.format === 'json') {
                writeJson({ version: 1, archives: rows });
                return 0;
            }
            if (rows.length === 0) {
                process.stdout.write('No archives.\n');
                return 0;
            }
            process.stdout.write(table(['ID', 'SERVER', 'TAPE', 'TIME', 'SIZE', 'FOLDERS', 'LAST VERIFIED'], rows.map(r => [
                r.id, r.server ?? '?', r.tape, r.time ?? '?', r.size === undefined ? 'MISSING' : formatBytes(r.size),
                r.folders === undefined ? '?' : r.role === 'mail' ? '(mail data)' : r.folders.join(', ') || '-',
                r.verified ? `${r.verified.time} ${r.verified.ok ? 'ok' : 'FAILED'} (${r.verified.kind})` : 'never'
            ])));
            return 0;
        }));
}

async function listAll(tapes: readonly TapeStore[]): Promise<Array<Record<string, any>>> {
    const rows: Array<Record<string, any>> = [];
    for (const tape of tapes) {
        for (const a of await tape.list()) {
            const m = a.manifest;
            rows.push({
                id: a.id, tape: tape.name, server: m?.server, role: m?.role, policy: m?.policy,
                time: archiveIdTime(a.id)?.toISOString(), size: a.archiveSize, tarSize: m?.archive.tarSize,
                files: m?.files, folders: m?.folders.map(f => f.name), compression: m?.archive.compression,
                verified: a.verified ? { time: a.verified.time, ok: a.verified.ok, kind: a.verified.kind } : null,
                problem: a.manifestError ?? (a.archiveSize === undefined ? 'archive file missing' : undefined)
            });
        }
    }
    return rows;
}
