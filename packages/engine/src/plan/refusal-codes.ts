/**
 * Which diagnostics refuse which verb (DESIGN §3 "Run verbs refuse…"): the one list.
 *
 *   every run verb: errors that leave the plan undefined or unsafe (syntax, linking,
 *                   imports, names, server.*, host.invalid, tape.location-invalid,
 *                   tape.key-invalid, tape.restic-password, tape.inside-data, folder.path-invalid,
 *                   quiesce.conflict, exclude.invalid,
 *                   duration.invalid, notify.invalid: a run must not guess a timeout, or
 *                   whom to tell about its result)
 *   backup:         + backup.no-stop / backup.no-tape of a server or backup in this run
 *                   (a server with `dump` is backed up without stopping: never no-stop)
 *   restore, recover: + restore.no-stop of a server in this run (a dump server without
 *                   stop/start backs up, but its restore must quit the application)
 *   prune:          + retention.invalid
 *   repair:         the list alone, and it does not refuse: it starts applications with the
 *                   start commands recorded in the journal instead (commands/repair.ts)
 *   drill:          + drill.invalid of a drill in this run (a broken drill never stops a
 *                   backup, nor another drill)
 *   schedule:       the list alone (a chosen block's invalid schedule is refused by
 *                   scheduled-blocks.ts: it cannot be translated)
 *   everything else (coverage, master, schedule, …) is shown as a warning and runs on:
 *   a new, uncovered folder must never stop last night's backups.
 */

/** Verbs that run against a runbook. */
export type RunVerb = 'backup' | 'verify' | 'archives' | 'prune' | 'history' | 'status' | 'unlock' | 'restore' | 'recover' | 'schedule' | 'repair' | 'drill';

/** Codes that refuse every run verb. */
export const ALWAYS_REFUSING: readonly string[] = [
    'parsing-error', 'lexing-error', 'linking-error', 'import.unresolved', 'name.duplicate', 'attribute.duplicate',
    'server.incomplete', 'server.data-relative', 'server.data-overlap',
    'server.data-root', 'server.dump-incomplete',
    'quiesce.conflict', 'exclude.invalid',
    'tape.inside-data',
    'host.invalid', 'tape.location-invalid', 'tape.key-invalid', 'tape.restic-password', 'folder.path-invalid',
    'duration.invalid', 'notify.invalid'
];

/** Codes that refuse a verb only when they concern a server or backup of this run. */
export const SCOPED_REFUSING: Readonly<Partial<Record<RunVerb, readonly string[]>>> = {
    backup: ['backup.no-stop', 'backup.no-tape'],
    restore: ['restore.no-stop'],
    recover: ['restore.no-stop'],
    drill: ['drill.invalid']
};

/** Codes that refuse one verb wherever they are. */
export const VERB_REFUSING: Readonly<Partial<Record<RunVerb, readonly string[]>>> = {
    prune: ['retention.invalid']
};

/** A diagnostic as the engine sees it (0-based positions, as in LSP). */
export interface PlainDiagnostic {
    code: string;
    severity: 'error' | 'warning' | 'info' | 'hint';
    message: string;
    uri: string;
    line: number;
    character: number;
}

/** A region of a document (a server or backup declaration of the run). */
export interface ScopeRegion {
    uri: string;
    start: { line: number; character: number };
    end: { line: number; character: number };
}

/** Diagnostics split into those that refuse the verb and the errors shown as warnings. */
export interface Refusal {
    blocking: PlainDiagnostic[];
    warnings: PlainDiagnostic[];
}

/** Splits diagnostics for a verb; `scope` holds the declarations of this run (backup: its backups and servers; restore, recover: the servers brought back). */
export function classifyDiagnostics(verb: RunVerb, diagnostics: readonly PlainDiagnostic[], scope: readonly ScopeRegion[] = []): Refusal {
    const blocking: PlainDiagnostic[] = [];
    const warnings: PlainDiagnostic[] = [];
    for (const d of diagnostics) {
        if (d.severity !== 'error') {
            if (d.severity === 'warning') warnings.push(d);
            continue;
        }
        const refuses = ALWAYS_REFUSING.includes(d.code)
            || (VERB_REFUSING[verb]?.includes(d.code) ?? false)
            || ((SCOPED_REFUSING[verb]?.includes(d.code) ?? false) && scope.some(r => within(d, r)));
        (refuses ? blocking : warnings).push(d);
    }
    return { blocking, warnings };
}

function within(d: PlainDiagnostic, r: ScopeRegion): boolean {
    if (d.uri !== r.uri) return false;
    const after = d.line > r.start.line || (d.line === r.start.line && d.character >= r.start.character);
    const before = d.line < r.end.line || (d.line === r.end.line && d.character <= r.end.character);
    return after && before;
}

/** What a region is read from: a declaration node, its text range and the document above it. */
interface DeclarationNode {
    $cstNode?: { range: { start: ScopeRegion['start']; end: ScopeRegion['end'] } };
    $container?: DeclarationNode;
    $document?: { uri: { toString(): string } };
}

/** The regions of declarations (the servers a restore or recover brings back, the drills a drill runs): the scope of `restore.no-stop` and `drill.invalid`. */
export function declarationScope(nodes: readonly unknown[]): ScopeRegion[] {
    const regions: ScopeRegion[] = [];
    for (const node of nodes as DeclarationNode[]) {
        let root: DeclarationNode | undefined = node;
        while (root && !root.$document) root = root.$container;
        const uri = root?.$document?.uri.toString();
        const range = node.$cstNode?.range;
        if (uri && range) regions.push({ uri, start: range.start, end: range.end });
    }
    return regions;
}
