/**
 * `--format json`: exactly one object, `{"version":1,"files","errors","warnings","diagnostics"}`
 * (DESIGN.md §3).
 */
import type { CheckResult } from './check-result.js';

/** Formats a check result as the JSON object of DESIGN.md §3. */
export function formatJson(result: CheckResult): string {
    return JSON.stringify({
        version: 1,
        files: result.files,
        errors: result.errors,
        warnings: result.warnings,
        diagnostics: result.diagnostics.map(d => ({
            file: d.file, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn,
            severity: d.severity, code: d.code, message: d.message
        }))
    }) + '\n';
}
