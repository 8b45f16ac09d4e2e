/**
 * `backplan archives RUNBOOK [--tape NAME]`: archives with a manifest (id, server, time,
 * size, folders, last verified); on a restic tape one row per data snapshot that has its
 * manifest (engine restic/restic-catalog.ts). Read-only: exit 0 whenever the tapes could
 * be read (a restic place that could not be read: said on stderr, exit 1).
 */
import type { Command } from 'commander';
import type { RunbookModel } from '@backplan/language/model';
import { archiveIdTime, formatBytes, readResticCatalog, type ResticPlaceProblem, type TapeStore } from '@backplan/engine';
import type { CommandContext } from './command-support.js';
import { addRunFlags, chooseResticTapes, chooseTapes, loadForRun, resticAccess, table, withRun, writeJson, type RunFlags } from './run-support.js';

interface ArchivesFlags extends RunFlags { tape?: string }

/** Registers `archives`. */
export function registerArchives(program: Command, context: CommandContext): void {
    addRunFlags(program.command('archives')
        .description('list the archives on the tapes of a runbook')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--tape <name>', 'only this tape'))
        .action(context.action(async (file: string, flags: ArchivesFlags) => {
            const ctx = await loadForRun(file, 'archives', flags);
            const { rows, problems } = await withRun(ctx, flags, async () => {
                const restic = await listRestic(ctx.model, flags);
                return { rows: [...await listAll(chooseTapes(ctx.model, flags.tape)), ...restic.rows], problems: restic.problems };
            }, { interrupts: false });
            for (const p of problems) process.stderr.write(`backplan: ${p.text}\n`);
            if (flags.format === 'json') {
                writeJson({ version: 1, archives: rows });
                return 0;
            }
            if (rows.length === 0) {
                process.stdout.write('No archives.\n');
                return problems.length ? 1 : 0;
            }
            process.stdout.write(table(['ID', 'SERVER', 'TAPE', 'TIME', 'SIZE', 'FOLDERS', 'LAST VERIFIED'], rows.map(r => [
                r.id, r.server ?? '?', r.tape, r.time ?? '?', r.kind === 'restic' ? '(restic)' : r.size === undefined ? 'MISSING' : formatBytes(r.size),
                r.folders === undefined ? '?' : r.role === 'mail' ? '(mail data)' : r.folders.join(', ') || '-',
                r.verified ? `${r.verified.time} ${r.verified.ok ? 'ok' : 'FAILED'} (${r.verified.kind})` : 'never'
            ])));
            return problems.length ? 1 : 0;
        }));
}

/** One row per Backplan snapshot of the restic tapes (the last verify from the state folder). */
async function listRestic(model: RunbookModel, flags: ArchivesFlags): Promise<{ rows: Array<Record<string, any>>; problems: ResticPlaceProblem[] }> {
    const { entries, problems } = await readResticCatalog(chooseResticTapes(model, flags.tape), resticAccess(model, flags));
    const rows: Array<Record<string, any>> = [];
    for (const { info, store, restic } of entries) {
        const verified = await store.readVerification(info.id);
        rows.push({
            id: info.id, kind: 'restic', tape: info.tape, server: info.server, role: model.servers.find(s => s.name === info.server)?.role,
            policy: restic.policy, time: info.time, snapshot: restic.archive.snapshot.id, repository: info.at, host: restic.place.host.label,
            folders: info.folders.map(f => f.name), verified: verified ? { time: verified.time, ok: verified.ok, kind: verified.kind } : null
        });
    }
    return { rows, problems };
}

async function listAll(tapes: readonly TapeStore[]): Promise<Array<Record<string, any>>> {
    const rows: Array<Record<string, any>> = [];
    for (const tape of tapes) {
        for (const a of await tape.list()) {
            const m = a.manifest;
            rows.push({
                id: a.id, kind: 'folder', tape: tape.name, server: m?.server, role: m?.role, policy: m?.policy,
                time: archiveIdTime(a.id)?.toISOString(), size: a.archiveSize, tarSize: m?.archive.tarSize,
                files: m?.files, folders: m?.folders.map(f => f.name), compression: m?.archive.compression,
                verified: a.verified ? { time: a.verified.time, ok: a.verified.ok, kind: a.verified.kind } : null,
                problem: a.manifestError ?? (a.archiveSize === undefined ? 'archive file missing' : undefined)
            });
        }
    }
    return rows;
}
