/**
 * The shape of a rule's test table: failing runbooks with the exact ranges the rule must
 * mark (⟦…⟧), and near-identical passing runbooks that must give no diagnostic at all.
 */

/** One failing runbook. */
export interface FailCase {
    readonly title: string;
    /** The file `main.backplan`; every ⟦range⟧ carries exactly one diagnostic of the code. */
    readonly fail: string;
    /** Other files of the workspace (unmarked). */
    readonly extra?: Readonly<Record<string, string>>;
    /** Codes of other rules that fire on `fail` too (each finding is also its own rule's). */
    readonly also?: readonly string[];
    /** What every message of the code must say. */
    readonly message?: RegExp;
}

/** One passing runbook: zero diagnostics. */
export interface PassCase {
    readonly title: string;
    readonly text: string;
    readonly extra?: Readonly<Record<string, string>>;
}

/** Every case of one diagnostic code. */
export interface RuleCases {
    readonly code: string;
    readonly severity: 'error' | 'warning';
    readonly fail: readonly FailCase[];
    readonly pass: readonly PassCase[];
}

/** A catalog server line on `local` (each with its own data folder). */
export function catalog(name: string, extra = ''): string {
    return `server ${name} { role catalog ${extra} host local data "/srv/${name.toLowerCase()}" stop "systemctl stop slapd" start "systemctl start slapd" }\n`;
}

/** The shelf tape every table uses. */
export const SHELF = 'tape Shelf { at "/var/backups/shelf" }\n';
