/**
 * Stop-window rules (DESIGN §10) on one server declaration: how its application is quiesced
 * for a consistent copy, and what its archives leave out.
 *
 *   quiesce.conflict        `dump` (no stop at all) and `snapshot` (stop, freeze, start) together
 *   server.dump-incomplete  `dump` without `load` (a dump nothing can restore), or `load` without `dump`
 *   restore.no-stop         `dump` without `stop`/`start`: backups need neither, a restore needs both
 *   exclude.invalid         an `exclude` pattern that is absolute, has a `..` segment, or is empty
 */
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { BackplanAstType, Server } from '../generated/ast.js';
import { excludeProblem } from '../model/exclude-pattern.js';
import { Code } from './rule-codes.js';

function checkConflict(server: Server, accept: ValidationAcceptor): void {
    if (server.dump.length === 0 || server.snapshot.length === 0) return;
    accept('error', `Server '${server.name}' has both \`dump\` and \`snapshot\`: a dump is read while the application runs, a snapshot is taken while it is stopped. `
        + 'Keep one: `dump` for an application that can export itself online (slapcat), `snapshot` for one that must be quit.',
    { node: server.snapshot[0], code: Code.QuiesceConflict });
}

function checkDumpLoad(server: Server, accept: ValidationAcceptor): void {
    if (server.dump.length > 0 && server.load.length === 0) {
        accept('error', `Server '${server.name}' has \`dump\` but no \`load\`: its archives hold a dump that no restore could read back. `
            + 'Add `load "…"`, the command that reads the dump on its standard input (for `slapcat`: `slapadd -q`).',
        { node: server, property: 'dump', index: 0, code: Code.DumpIncomplete });
    }
    if (server.load.length > 0 && server.dump.length === 0) {
        accept('error', `Server '${server.name}' has \`load\` but no \`dump\`: \`load\` restores a dump, and its archives hold files, not a dump. `
            + 'Add `dump "…"` (the command whose output is the dump), or delete `load`.',
        { node: server, property: 'load', index: 0, code: Code.DumpIncomplete });
    }
}

function checkRestoreStop(server: Server, accept: ValidationAcceptor): void {
    if (server.dump.length === 0) return;
    const missing = [server.stop.length === 0 ? 'stop' : '', server.start.length === 0 ? 'start' : ''].filter(Boolean);
    if (missing.length === 0) return;
    accept('error', `Server '${server.name}' has \`dump\` but no ${missing.map(m => `\`${m}\``).join(' or ')} command: backups read the dump while it runs, `
        + `but a restore must quit the application before it clears the data and loads the dump; add ${missing.map(m => `\`${m} "…"\``).join(' and ')}.`,
    { node: server, property: 'dump', index: 0, code: Code.RestoreNoStop });
}

function checkExcludes(server: Server, accept: ValidationAcceptor): void {
    server.exclude.forEach((pattern, index) => {
        const problem = excludeProblem(pattern);
        if (!problem) return;
        accept('error', `Exclude pattern "${pattern}" of server '${server.name}' ${problem}: patterns are relative to its data folder${server.data[0] ? ` "${server.data[0]}"` : ''} `
            + 'and stay inside it, e.g. "cache" or "run/*.pid".',
        { node: server, property: 'exclude', index, code: Code.ExcludeInvalid });
    });
}

/** Checks on how single servers are quiesced and what they leave out. */
export const quiesceChecks: ValidationChecks<BackplanAstType> = {
    Server: [checkConflict, checkDumpLoad, checkRestoreStop, checkExcludes]
};
