/**
 * `backplan restore RUNBOOK --server NAME [--from tape|replica] [--archive ID]
 * [--folder NAME] [--target DIR] [--keep-old] [--dry-run] [--wait]`: bring a crashed
 * server's data back (DESIGN §4). Exit 0: restored and running; 1: refused or failed
 * (said why, and what state the server is in); 2: bad usage.
 */
import type { Command } from 'commander';
import {
    hostFor, ManifestPrefetch, planRestore, renderRestorePlanText, restorePlanJson, runRestore,
    type RestoreOptions, type RestorePlan
} from '@backplan/engine';
import type { RunbookModel } from '@backplan/language/model';
import type { CommandContext } from './command-support.js';
import { choice } from './command-support.js';
import { renderRestoreResult, restoreResultJson } from './restore-output.js';
import {
    addRunFlags, addStoppingFlags, commandLine, commandTimeoutMs, guardianLaunch, hostOptions, catalogId, loadForServers, planOrFail, readAllArchives, withRun, writeJson,
    type RunContext, type RunFlags, type StoppingFlags
} from './run-support.js';

interface RestoreFlags extends RunFlags, StoppingFlags, RestoreOptions {}

/** Registers `restore`. */
export function registerRestore(program: Command, context: CommandContext): void {
    addRunFlags(addStoppingFlags(program.command('restore')
        .description('restore a server\'s data from tape or from replicas: verify first, set the old data aside, swap in only a verified copy')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .requiredOption('--server <name>', 'the server to restore')
        .option('--from <source>', 'tape or replica (default: tape for mail; replica when every folder is on another server)', choice(['tape', 'replica'] as const))
        .option('--archive <id>', 'restore this archive (default: the newest of the server)')
        .option('--folder <name>', 'restore this folder only')
        .option('--target <dir>', 'restore into this empty folder instead of the server (no stop, no start)')
        .option('--keep-old', 'keep the set-aside copy of the previous data')))
        .action(context.action(async (file: string, flags: RestoreFlags) => {
            const ctx = await loadForServers(file, 'restore', flags, [flags.server]);
            const manifests = newestManifestAhead(ctx.model, flags);
            try {
                return await restoreWith(context, file, ctx, flags, manifests);
            } finally {
                manifests?.dispose();
            }
        }));
}

/** A restore of the newest archive reads its manifest beside the catalog's listing (engine manifest-prefetch.ts); one named, replicas or a dry run: no. */
function newestManifestAhead(model: RunbookModel, flags: RestoreFlags): ManifestPrefetch | undefined {
    const server = model.servers.find(s => s.name === flags.server);
    if (server === undefined || flags.archive !== undefined || flags.from === 'replica' || flags.dryRun) return undefined;
    const manifests = new ManifestPrefetch(hostOptions(flags));
    manifests.start(model, server, hostFor(server, hostOptions(flags)));
    return manifests;
}

/** Plans the restore from the catalog and runs it; the exit code. */
async function restoreWith(context: CommandContext, file: string, ctx: RunContext, flags: RestoreFlags, manifests: ManifestPrefetch | undefined): Promise<number> {
    const timeoutMs = commandTimeoutMs(flags.commandTimeout);
    const catalog = await readAllArchives(ctx, flags);
    const plan: RestorePlan = planOrFail(() => planRestore(ctx.model, catalog.map(c => c.info), {
        server: flags.server, from: flags.from, archive: catalogId(catalog, flags.archive), folder: flags.folder, target: flags.target, keepOld: flags.keepOld
    }));
    if (flags.dryRun) {
        if (flags.format === 'json') writeJson(restorePlanJson(plan));
        else process.stdout.write(renderRestorePlanText(plan));
        return 0;
    }
    const result = await withRun(ctx, flags, ({ reporter, journal, signal }) => {
        reporter.notice(`restore ${plan.op.server.name} from ${plan.op.kind}: ${plan.why}`);
        for (const n of plan.notes) reporter.notice(`note: ${n}`);
        return runRestore({
            verb: 'restore', ops: [plan.op], catalog, runbookPath: ctx.model.root.fsPath, journal, command: commandLine(),
            wait: flags.wait, keepOld: flags.keepOld, timeoutMs, reporter, signal,
            hostFor: server => hostFor(server, hostOptions(flags)), guardian: guardianLaunch(context.entry, file, flags), restic: hostOptions(flags), manifests
        });
    });
    if (flags.format === 'json') writeJson(restoreResultJson(result));
    else process.stdout.write(renderRestoreResult(result));
    if (!result.ok && result.error) process.stderr.write(`backplan: ${result.error}\n`);
    return result.ok ? 0 : 1;
}
