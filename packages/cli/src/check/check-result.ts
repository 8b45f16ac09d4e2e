/**
 * The result of `backplan check`, independent of its output format.
 */
import * as path from 'node:path';
import type { LangiumDocument } from 'langium';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { LoadedWorkspace } from '@backplan/language/node';

/** One diagnostic as the CLI reports it: 1-based lines and UTF-16 columns, end exclusive. */
export interface CheckDiagnostic {
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    severity: 'error' | 'warning' | 'info' | 'hint';
    code: string;
    message: string;
}

/** Everything a formatter needs. */
export interface CheckResult {
    files: number;
    errors: number;
    warnings: number;
    diagnostics: CheckDiagnostic[];
}

const SEVERITY: Record<number, CheckDiagnostic['severity']> = {
    [DiagnosticSeverity.Error]: 'error',
    [DiagnosticSeverity.Warning]: 'warning',
    [DiagnosticSeverity.Information]: 'info',
    [DiagnosticSeverity.Hint]: 'hint'
};

/** A path relative to the working folder when the file lies below it, else absolute. */
export function displayPath(fsPath: string, cwd = process.cwd()): string {
    const rel = path.relative(cwd, fsPath);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : fsPath;
}

/** Converts one Langium diagnostic. */
export function toCheckDiagnostic(doc: LangiumDocument, d: Diagnostic): CheckDiagnostic {
    return {
        file: displayPath(doc.uri.fsPath),
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        severity: SEVERITY[d.severity ?? DiagnosticSeverity.Error],
        code: String(d.code ?? (d.data as { code?: string } | undefined)?.code ?? 'unknown'),
        message: d.message
    };
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Collects and sorts every diagnostic of a loaded workspace. */
export function checkResult(workspace: LoadedWorkspace): CheckResult {
    const diagnostics = workspace.documents.flatMap(doc => workspace.diagnostics(doc).map(d => toCheckDiagnostic(doc, d)));
    // Plain code-unit order, not localeCompare: the same output on every machine and locale.
    diagnostics.sort((a, b) => compare(a.file, b.file) || a.line - b.line || a.column - b.column || compare(a.code, b.code));
    return {
        files: workspace.documents.length,
        errors: diagnostics.filter(d => d.severity === 'error').length,
        warnings: diagnostics.filter(d => d.severity === 'warning').length,
        diagnostics
    };
}
