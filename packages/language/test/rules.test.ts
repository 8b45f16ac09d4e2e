/**
 * Proves every diagnostic code of DESIGN §2 (and Backplan's additions): each failing case
 * gives exactly the marked ranges with the code and its severity, in `Diagnostic.code`, and
 * only the listed other codes; each passing case gives no diagnostic at all; the tables
 * cover every code of `RULES`.
 */
import { describe, expect, test } from 'vitest';
import { RULES } from '@backplan/language';
import { checkFiles, marked, rows } from './helpers.js';
import { backupCases } from './rules/backup.cases.js';
import { coverageCases } from './rules/coverage.cases.js';
import { drillCases } from './rules/drill.cases.js';
import { masterFolderCases } from './rules/master-folder.cases.js';
import { namesSyntaxCases } from './rules/names-syntax.cases.js';
import { notifyCases } from './rules/notify.cases.js';
import type { RuleCases } from './rules/rule-case.js';
import { serverTapeCases } from './rules/server-tape.cases.js';
import { stopWindowCases } from './rules/stop-window.cases.js';

const TABLES: readonly RuleCases[] = [...coverageCases, ...backupCases, ...masterFolderCases, ...serverTapeCases, ...namesSyntaxCases, ...stopWindowCases, ...notifyCases, ...drillCases];

test('the tables cover every rule code, with the severity RULES gives it', () => {
    expect(TABLES.map(t => t.code).sort()).toEqual(RULES.map(r => r.code).sort());
    for (const rule of RULES) {
        expect(TABLES.find(t => t.code === rule.code)!.severity, rule.code).toBe(rule.severity);
    }
});

for (const table of TABLES) {
    describe(table.code, () => {
        test.each(table.fail.map(c => [c.title, c] as const))('fails: %s', async (_title, c) => {
            const { text, ranges } = marked(c.fail);
            const result = await checkFiles({ 'main.backplan': text, ...c.extra });
            const diagnostics = result.diagnostics('main.backplan');
            expect(rows(diagnostics, table.code)).toEqual(ranges.map(range => ({ code: table.code, severity: table.severity, range })));
            const others = [...new Set(rows(diagnostics).map(r => r.code).filter(code => code !== table.code))].sort();
            expect(others).toEqual([...c.also ?? []].sort());
            if (c.message) {
                for (const d of diagnostics.filter(x => x.code === table.code)) expect(d.message).toMatch(c.message);
            }
        });
        test.each(table.pass.map(c => [c.title, c] as const))('passes: %s', async (_title, c) => {
            const result = await checkFiles({ 'main.backplan': c.text, ...c.extra });
            const all = [...result.documents.keys()].flatMap(name => rows(result.diagnostics(name)));
            expect(all).toEqual([]);
        });
    });
}
