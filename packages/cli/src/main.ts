/**
 * The `backplan` command line. Thin: parses flags and calls the language and engine
 * packages. Exit codes everywhere: 0 success, 1 failed run or check, 2 bad usage or input.
 */
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.js';
import { registerBackup } from './commands/backup.js';
import { registerVerify } from './commands/verify.js';
import { registerArchives } from './commands/archives.js';
import { registerPrune } from './commands/prune.js';
import { registerHistory } from './commands/history.js';
import { registerStatus } from './commands/status.js';
import { registerUnlock } from './commands/unlock.js';
import { registerRestore } from './commands/restore.js';
import { registerRecover } from './commands/recover.js';
import { registerSchedule } from './commands/schedule.js';
import { registerGraph } from './commands/graph.js';
import { registerTimeline } from './commands/timeline.js';
import { registerRepair } from './commands/repair.js';
import { registerGuardian } from './commands/guardian.js';
import { registerDrill } from './commands/drill.js';
import { createCommandContext } from './commands/command-support.js';

declare const BACKPLAN_VERSION: string;
const version = typeof BACKPLAN_VERSION === 'string' ? BACKPLAN_VERSION : '0.0.0-dev';

/** Builds the program with every command registered. */
export function createProgram(): Command {
    const program = new Command('backplan')
        .description('Backup runbooks: prove every folder has a second copy, then run backups, restores and recoveries.')
        .version(version, '-V, --version')
        .showHelpAfterError('(run with --help for usage)')
        .exitOverride()
        .configureOutput({ outputError: (text, write) => write(`backplan: ${text.replace(/^error: /, '')}`) });
    // In the bundle, this module's URL is the bundle's: what a timer or cron job runs.
    const context = createCommandContext(version, fileURLToPath(import.meta.url));
    registerCheck(program, context);
    registerBackup(program, context);
    registerVerify(program, context);
    registerArchives(program, context);
    registerPrune(program, context);
    registerHistory(program, context);
    registerStatus(program, context);
    registerUnlock(program, context);
    registerRestore(program, context);
    registerRecover(program, context);
    registerSchedule(program, context);
    registerGraph(program, context);
    registerTimeline(program, context);
    registerRepair(program, context);
    registerGuardian(program, context);
    registerDrill(program, context);
    for (const command of program.commands) command.exitOverride();
    return program;
}

async function main(argv: string[]): Promise<void> {
    const program = createProgram();
    try {
        await program.parseAsync(argv);
    } catch (err) {
        if (err instanceof CommanderError) {
            // Help and version exit 0; every other commander error is bad usage.
            process.exitCode = err.exitCode === 0 ? 0 : 2;
            return;
        }
        throw err;
    }
}

// `backplan … | head`: once the reader of stdout is gone, further output is dropped and the
// command runs to its end: a backup or restore in progress still starts every application it
// stopped and releases its lock (exiting here could leave one stopped). Never a SIGPIPE
// listener: it would also fire for a pipe to tar or ssh that breaks mid-restore.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.stdout.write = (() => true) as typeof process.stdout.write;
});
await main(process.argv);
