/**
 * `--format sarif`: SARIF 2.1.0 for code-scanning upload. Every rule of DESIGN.md §2 is
 * listed in `tool.driver.rules` with a `helpUri` into docs/rules.md.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES } from '@backplan/language';
import type { CheckResult } from './check-result.js';

/** Where docs/rules.md is published; anchors are the codes with dots as dashes. */
export const RULES_DOC_URL = 'https://github.com/backplan/backplan/blob/main/docs/rules.md';

/** The anchor of a rule in docs/rules.md. */
export function ruleAnchor(code: string): string {
    return code.replace(/\./g, '-');
}

/** A relative path stays relative (to the checkout root); an absolute one becomes a file URI. */
function artifactUri(file: string): string {
    return path.isAbsolute(file) ? pathToFileURL(file).href : file.split(path.sep).map(encodeURIComponent).join('/');
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;

/** Formats a check result as a SARIF 2.1.0 log. */
export function formatSarif(result: CheckResult, version: string): string {
    const index = new Map(RULES.map((rule, i) => [rule.code as string, i]));
    const log = {
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        version: '2.1.0',
        runs: [{
            tool: {
                driver: {
                    name: 'backplan',
                    version,
                    informationUri: 'https://github.com/backplan/backplan',
                    rules: RULES.map(rule => ({
                        id: rule.code,
                        name: rule.code.replace(/(^|[.-])(\w)/g, (_m, _s, c: string) => c.toUpperCase()),
                        shortDescription: { text: rule.summary },
                        helpUri: `${RULES_DOC_URL}#${ruleAnchor(rule.code)}`,
                        defaultConfiguration: { level: rule.severity }
                    }))
                }
            },
            columnKind: 'utf16CodeUnits',
            results: result.diagnostics.map(d => ({
                ruleId: d.code,
                ...(index.has(d.code) ? { ruleIndex: index.get(d.code) } : {}),
                level: LEVEL[d.severity],
                message: { text: d.message },
                locations: [{
                    physicalLocation: {
                        artifactLocation: { uri: artifactUri(d.file) },
                        region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn }
                    }
                }]
            }))
        }]
    };
    return JSON.stringify(log, null, 2) + '\n';
}
