/**
 * What the run verbs (backup, verify, archives, prune, history, unlock, repair) share:
 * their common flags, loading a runbook and refusing it per DESIGN §3 (the code list lives
 * in the engine's plan/refusal-codes.ts), choosing tapes, recovering killed runs, how a
 * run starts its guardian, SIGINT/SIGTERM handling, and writing results (stdout) and
 * diagnostics/progress (stderr).
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadRunbook } from '@backplan/language/node';
import type { RunbookModel, TapeModel } from '@backplan/language/model';
import type { LangiumDocument } from 'langium';
import {
    classifyDiagnostics, createReporter, declarationScope, hostFor, Journal, openHostByLabel, PlanRefusedError, PlanUsageError, readCatalog, recoverUnfinished, resolveStateDir, TapeStore,
    type AnyCatalogEntry, type GuardianLaunch, type PlainDiagnostic, type Reporter, type ResticCatalogOptions, type RunVerb, type ScopeRegion, type RecoveryResult
} from '@backplan/engine';
import { toCheckDiagnostic, type CheckDiagnostic } from '../check/check-result.js';
import { FailedError, UsageError } from '../cli-error.js';
import { painter } from '../terminal.js';
import { choice } from './command-support.js';

export const RUN_FORMATS = ['text', 'json'] as const;

/** Flags every run verb takes. */
export interface RunFlags {
    format: 'text' | 'json';
    sshConfig?: string;
    state?: string;
}

/** Adds --format (text or json, unless the verb has more), --ssh-config and --state. */
export function addRunFlags(cmd: Command, formats: readonly string[] = RUN_FORMATS): Command {
    return cmd
        .option('--format <format>', `output format: ${formats.join(', ')}`, choice(formats), 'text')
        .option('--ssh-config <file>', 'ssh config file passed as `ssh -F FILE` (or BACKPLAN_SSH_CONFIG)')
        .option('--state <dir>', 'state folder (default $XDG_STATE_HOME/backplan, else ~/.local/state/backplan)');
}

/** Flags of the verbs that stop applications (backup, restore, recover). */
export interface StoppingFlags {
    dryRun?: boolean;
    wait?: boolean;
    commandTimeout?: string;
}

/** Adds --dry-run, --wait and --command-timeout, the flags of every verb that stops applications. */
export function addStoppingFlags(cmd: Command, dryRunHelp = 'print the ordered plan and touch nothing'): Command {
    return cmd
        .option('--dry-run', dryRunHelp)
        .option('--wait', 'wait for a tape locked by another run instead of failing')
        .option('--command-timeout <seconds>', 'kill a stop/start command after this long (default 600, or BACKPLAN_COMMAND_TIMEOUT)');
}

/** Runs a planner: its usage errors exit 2, its refusals exit 1 (after `onRefused`, if given). */
export function planOrFail<T>(plan: () => T, onRefused?: () => void): T {
    try {
        return plan();
    } catch (err) {
        if (err instanceof PlanUsageError) throw new UsageError(err.message);
        if (err instanceof PlanRefusedError) {
            onRefused?.();
            throw new FailedError(`refused: ${err.message}`);
        }
        throw err;
    }
}

/** Host options from flags and environment. */
export function hostOptions(flags: RunFlags): { sshConfig?: string } {
    return { sshConfig: flags.sshConfig ?? process.env.BACKPLAN_SSH_CONFIG };
}

/** A loaded runbook with its diagnostics in both shapes. */
export interface RunContext {
    file: string;
    model: RunbookModel;
    diagnostics: Array<{ plain: PlainDiagnostic; shown: CheckDiagnostic }>;
}

/**
 * Loads a runbook; refuses it (exit 1) when it has errors that block the verb, and prints
 * the rest as warnings. `scoped: true` leaves that to the caller, who knows the run's
 * scope only after planning (backup): each diagnostic is then judged, and shown, once.
 */
export async function loadForRun(file: string, verb: RunVerb, flags: RunFlags, options: { scoped?: boolean } = {}): Promise<RunContext> {
    const { model, workspace } = await loadRunbook(file);
    const diagnostics = workspace.documents.flatMap((doc: LangiumDocument) => workspace.diagnostics(doc).map(d => {
        const shown = toCheckDiagnostic(doc, d);
        const plain: PlainDiagnostic = {
            code: shown.code, severity: shown.severity, message: shown.message,
            uri: doc.uri.toString(), line: d.range.start.line, character: d.range.start.character
        };
        return { plain, shown };
    }));
    const ctx = { file, model, diagnostics };
    if (!options.scoped) refuseOrWarn(ctx, verb, flags, []);
    return ctx;
}

/**
 * Loads a runbook for restore or recover of the named servers: the codes that refuse only
 * the servers brought back (`restore.no-stop`) are judged against their declarations.
 */
export async function loadForServers(file: string, verb: 'restore' | 'recover', flags: RunFlags, names: readonly string[]): Promise<RunContext> {
    const ctx = await loadForRun(file, verb, flags, { scoped: true });
    refuseOrWarn(ctx, verb, flags, declarationScope(ctx.model.servers.filter(s => names.includes(s.name)).map(s => s.node)));
    return ctx;
}

/** Refuses (throws FailedError after showing them) on blocking diagnostics; prints the other errors as warnings. */
export function refuseOrWarn(ctx: RunContext, verb: RunVerb, flags: RunFlags, scope: readonly ScopeRegion[]): void {
    const { blocking, warnings } = classifyDiagnostics(verb, ctx.diagnostics.map(d => d.plain), scope);
    const shownOf = (list: PlainDiagnostic[]): CheckDiagnostic[] => list.map(p => ctx.diagnostics.find(d => d.plain === p)!.shown);
    if (blocking.length > 0) {
        if (flags.format === 'json') {
            writeJson({ version: 1, refused: true, reason: `the runbook has errors that make ${verb} unsafe`, diagnostics: shownOf(blocking), warnings: shownOf(warnings) });
        } else {
            const paint = painter(process.stderr);
            for (const d of shownOf(blocking)) process.stderr.write(`${d.file}:${d.line}:${d.column}: ${paint('red', 'error')}: ${d.message} [${d.code}]\n`);
        }
        throw new FailedError(`refused: the runbook has ${blocking.length} error${blocking.length === 1 ? '' : 's'} that make ${verb} unsafe (fix them, see \`backplan check\`)`);
    }
    const paint = painter(process.stderr);
    for (const d of shownOf(warnings)) {
        process.stderr.write(`${d.file}:${d.line}:${d.column}: ${paint('yellow', 'warning')}: ${d.message} [${d.code}]${d.severity === 'error' ? ' (an error, not blocking this run)' : ''}\n`);
    }
}

/** The tapes named by `--tape NAME`, or every tape (a usage error for an unknown name). */
function namedTapes(model: RunbookModel, name?: string): TapeModel[] {
    if (name === undefined) return [...model.tapes];
    const tapes = model.tapes.filter(t => t.name === name);
    if (tapes.length === 0) throw new UsageError(`no tape named ${name} in this runbook (tapes: ${model.tapes.map(t => t.name).join(', ') || 'none'})`);
    return tapes;
}

/** The folder tapes a verb works on: `--tape NAME` or every tape with an `at` folder. */
export function chooseTapes(model: RunbookModel, name?: string): TapeStore[] {
    return namedTapes(model, name).filter(t => t.at !== undefined && t.at.startsWith('/')).map(t => TapeStore.of(t));
}

/** The restic tapes a verb works on: `--tape NAME` or every tape with a `restic` repository and its password file. */
export function chooseResticTapes(model: RunbookModel, name?: string): TapeModel[] {
    return namedTapes(model, name).filter(t => t.restic !== undefined && t.passwordFile !== undefined);
}

/** How the run verbs reach restic tapes: each server's host, the run's ssh config, the state folder. */
export function resticAccess(model: RunbookModel, flags: RunFlags): ResticCatalogOptions {
    return { model, hostFor: server => hostFor(server, hostOptions(flags)), run: hostOptions(flags), stateDir: resolveStateDir(flags.state) };
}

/** `--archive ID` as the catalog names it: a restic snapshot may be given by any prefix of its full ID (8 digits or more). */
export function catalogId(catalog: readonly AnyCatalogEntry[], id: string | undefined): string | undefined {
    if (id === undefined || catalog.some(c => c.info.id === id)) return id;
    const restic = catalog.filter(c => 'restic' in c && c.restic.archive.snapshot.id.startsWith(id) && id.length >= 8);
    return restic.length === 1 ? restic[0].info.id : id;
}

/** The archives of every tape of the runbook, both kinds (unreadable restic places are warnings on stderr). */
export function readAllArchives(ctx: RunContext, flags: RunFlags): Promise<AnyCatalogEntry[]> {
    return readCatalog(ctx.model.tapes, { ...resticAccess(ctx.model, flags), notice: m => process.stderr.write(`backplan: ${m}\n`) });
}

/** The journal of a runbook. */
export function journalOf(file: string, flags: RunFlags): Journal {
    return Journal.forRunbook(resolveStateDir(flags.state), file);
}

/** What a recovery of killed runs is told: who does it, where it reports, the runbook, and whether it is one run's guardian. */
export interface RecoverBy {
    /** Journalled as `by`: the command line, or `guardian`. */
    by: string;
    notice: (message: string) => void;
    /** The runbook's current start commands come from it (else the journal's are used). */
    model?: RunbookModel;
    /** Only this run, whose runner is known to be gone (the guardian). */
    only?: string;
}

/** Starts applications left stopped by killed runs (before any lock is taken), with the verb's --command-timeout and the runbook's current start commands. */
export async function recoverKilledRuns(journal: Journal, flags: RunFlags & Pick<StoppingFlags, 'commandTimeout'>, how: RecoverBy): Promise<RecoveryResult> {
    const { model } = how;
    return recoverUnfinished(journal, {
        hostFor: label => openHostByLabel(label, hostOptions(flags)),
        timeoutMs: commandTimeoutMs(flags.commandTimeout),
        // A pending restart uses the runbook's current start (the admin may have fixed it).
        currentStart: model && (name => model.servers.find(s => s.name === name)?.start),
        by: how.by,
        notice: how.notice,
        only: how.only
    });
}

/**
 * Loads a runbook for `repair` and the guardian, which never refuse: with errors that
 * refuse every run (a start command may be half-typed), undefined and a warning — the
 * start commands recorded in the journal are used instead.
 */
export async function loadForRepair(file: string, notice: (message: string) => void): Promise<RunContext | undefined> {
    const ctx = await loadForRun(file, 'repair', { format: 'text' }, { scoped: true });
    const { blocking } = classifyDiagnostics('repair', ctx.diagnostics.map(d => d.plain));
    if (blocking.length === 0) return ctx;
    const first = ctx.diagnostics.find(d => d.plain === blocking[0])!.shown;
    notice(`warning: the runbook has ${blocking.length} error${blocking.length === 1 ? '' : 's'} (${first.file}:${first.line}:${first.column}: ${first.message} [${first.code}]): `
        + 'the start commands recorded in the journal are used instead of its own');
    return undefined;
}

/**
 * How a run verb starts its guardian (kernel/guardian.ts): this CLI's hidden `guardian`
 * command with the run's runbook, state folder, ssh config and command timeout.
 * BACKPLAN_NO_GUARDIAN=1 starts none (tests of what the next command or `repair` does).
 */
export function guardianLaunch(entry: string, file: string, flags: RunFlags & Pick<StoppingFlags, 'commandTimeout'>): GuardianLaunch | undefined {
    if (process.env.BACKPLAN_NO_GUARDIAN === '1') return undefined;
    const state = resolveStateDir(flags.state);
    const { sshConfig } = hostOptions(flags);
    return {
        argv: [process.execPath, entry, 'guardian', path.resolve(file), '--state', state,
            ...(sshConfig ? ['--ssh-config', sshConfig] : []),
            ...(flags.commandTimeout !== undefined ? ['--command-timeout', flags.commandTimeout] : [])],
        log: path.join(state, 'guardian.log')
    };
}

/** The longest timeout in seconds: Node's timers hold at most 2^31-1 ms, and fire at once above it. */
export const MAX_COMMAND_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * The stop/start timeout: --command-timeout, BACKPLAN_COMMAND_TIMEOUT (seconds), default 600.
 * A whole number from 1 to {@link MAX_COMMAND_TIMEOUT_SECONDS}; anything else is a usage error.
 */
export function commandTimeoutMs(option?: string): number {
    const raw = option ?? process.env.BACKPLAN_COMMAND_TIMEOUT;
    if (raw === undefined) return 10 * 60 * 1000;
    const secs = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!(secs >= 1 && secs <= MAX_COMMAND_TIMEOUT_SECONDS)) {
        const name = option !== undefined ? '--command-timeout' : 'BACKPLAN_COMMAND_TIMEOUT';
        throw new UsageError(`${name} must be a whole number of seconds from 1 to ${MAX_COMMAND_TIMEOUT_SECONDS} (about 24 days), not "${raw}"`);
    }
    return secs * 1000;
}

/** What a verb's work gets from {@link withRun}. */
export interface RunSession {
    reporter: Reporter;
    journal: Journal;
    /** Aborted by the first SIGINT/SIGTERM. */
    signal: AbortSignal;
    /** What the recovery of killed runs did (undefined when `recover` was false). */
    recovered?: RecoveryResult;
    /** The signal that interrupted the run, if one did. */
    interrupted(): NodeJS.Signals | undefined;
}

/**
 * Runs a verb's work with a progress reporter on stderr, the runbook's journal and
 * Ctrl-C handling, after starting what killed runs left stopped (unless `recover` is
 * false: dry runs touch nothing); the reporter and the signal handlers are closed
 * however the work ends. `interrupts: false` leaves Ctrl-C as it is (verbs that only
 * read end at once).
 */
export async function withRun<T>(
    runbook: string | RunContext, flags: RunFlags & Pick<StoppingFlags, 'commandTimeout'>, work: (run: RunSession) => Promise<T>,
    options: { recover?: boolean; interrupts?: boolean } = {}
): Promise<T> {
    const file = typeof runbook === 'string' ? runbook : runbook.file;
    const reporter = stderrReporter();
    const journal = journalOf(file, flags);
    const interrupts = options.interrupts === false ? undefined : handleInterrupts(reporter);
    try {
        const model = typeof runbook === 'string' ? undefined : runbook.model;
        const recovered = options.recover === false ? undefined
            : await recoverKilledRuns(journal, flags, { by: commandLine(), notice: m => reporter.notice(`backplan: ${m}`), model });
        return await work({
            reporter, journal, signal: interrupts?.signal ?? new AbortController().signal, recovered,
            interrupted: () => interrupts?.interrupted()
        });
    } finally {
        reporter.close();
        interrupts?.dispose();
    }
}

/** A progress reporter on stderr. */
function stderrReporter(): Reporter {
    return createReporter(process.stderr);
}

/** Prints one JSON document on stdout. */
export function writeJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** The command line, for locks and the journal. */
export function commandLine(): string {
    return ['backplan', ...process.argv.slice(2)].join(' ');
}

/**
 * SIGINT/SIGTERM: the first aborts the run (archives in flight are killed, every stopped
 * application is started again); later ones are reported and ignored until that is done.
 */
function handleInterrupts(reporter: Reporter): { signal: AbortSignal; dispose(): void; interrupted(): NodeJS.Signals | undefined } {
    const controller = new AbortController();
    let got: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals): void => {
        if (!got) {
            got = sig;
            reporter.notice(`backplan: ${sig}: stopping — archives in flight are abandoned, stopped applications are started again`);
            controller.abort(new Error(`interrupted by ${sig}`));
        } else {
            reporter.notice(`backplan: ${sig} again: still starting applications, please wait`);
        }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return {
        signal: controller.signal,
        interrupted: () => got,
        dispose: () => {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
        }
    };
}

/** Column-aligned text table. */
export function table(header: string[], rows: string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)));
    const line = (cells: string[]): string => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i])).join('  ').trimEnd();
    return [line(header), ...rows.map(line)].join('\n') + '\n';
}
