/**
 * `--format text`: one line per diagnostic in the compilers' `file:line:col: severity:
 * message [code]` shape (editors and VS Code's `$backplan` problem matcher read it), then
 * a summary line.
 */
import type { Paint } from '../terminal.js';
import type { CheckResult } from './check-result.js';

const STYLE = { error: 'red', warning: 'yellow', info: 'cyan', hint: 'dim' } as const;

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Formats a check result as text. */
export function formatText(result: CheckResult, paint: Paint): string {
    const lines = result.diagnostics.map(d =>
        `${paint('bold', `${d.file}:${d.line}:${d.column}`)}: ${paint(STYLE[d.severity], d.severity)}: ${d.message} ${paint('dim', `[${d.code}]`)}`);
    const files = plural(result.files, 'file');
    if (result.errors === 0 && result.warnings === 0) {
        lines.push(paint('green', `No problems in ${files}.`));
    } else {
        lines.push(`${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')} in ${files}.`);
    }
    return lines.join('\n') + '\n';
}
