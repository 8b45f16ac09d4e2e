/**
 * `--format github`: GitHub Actions workflow commands, one per diagnostic, which show as
 * annotations on the pull request's changed lines.
 */
import type { CheckResult } from './check-result.js';

const COMMAND = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' } as const;

function escapeData(text: string): string {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
    return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Formats a check result as workflow commands. */
export function formatGithub(result: CheckResult): string {
    return result.diagnostics.map(d => {
        const props = [
            `file=${escapeProperty(d.file)}`, `line=${d.line}`, `col=${d.column}`,
            `endLine=${d.endLine}`, `endColumn=${d.endColumn}`, `title=${escapeProperty(d.code)}`
        ].join(',');
        return `::${COMMAND[d.severity]} ${props}::${escapeData(`${d.message} [${d.code}]`)}\n`;
    }).join('');
}
