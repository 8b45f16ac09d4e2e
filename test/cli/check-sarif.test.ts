/**
 * Proves `--format sarif`: the log validates against the official SARIF 2.1.0 JSON schema
 * (test/fixtures/sarif-schema-2.1.0.json, OASIS errata01, draft-04: ajv-draft-04 with
 * ajv-formats), lists every rule with a helpUri into docs/rules.md, and says the same as
 * `--format json`: one result per diagnostic with its rule, level, message and region
 * (UTF-16 columns, end exclusive), relative artifact URIs below the working folder and
 * file:// URIs outside it.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RULES } from '@backplan/language';
import { removeTree, tempTree } from '../helpers/temp-tree.js';
import { REPO, runCli } from '../helpers/run-cli.js';
import { VALID } from './fixtures.js';

const schema = JSON.parse(readFileSync(path.join(REPO, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'));
// Both are CommonJS with `exports.default`: the same reference under Node's ESM interop and TS.
const ajv = new Ajv.default({ allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const dir = tempTree({
    'with space/ünïcode.backplan': `${VALID}/* 😀 */ server Cat { role catalog }\n`,
    'clean.backplan': VALID,
    'work/.keep': ''
});
afterAll(() => removeTree(dir));

interface Json { diagnostics: Array<{ file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; code: string; message: string }> }

async function both(args: string[], cwd: string) {
    const sarif = await runCli(['check', '--format', 'sarif', ...args], { cwd });
    const json = await runCli(['check', '--format', 'json', ...args], { cwd });
    expect(sarif.code).toBe(json.code);
    expect(sarif.stderr).toBe('');
    return { log: JSON.parse(sarif.stdout), json: JSON.parse(json.stdout) as Json };
}

function expectValid(log: unknown): void {
    const ok = validate(log);
    expect(ok ? [] : validate.errors).toEqual([]);
}

describe('schema', () => {
    let broken: Awaited<ReturnType<typeof both>>;
    beforeAll(async () => { broken = await both(['examples/broken'], REPO); });

    test('the schema is the official one and the validator rejects what it should', () => {
        expect(schema.id).toBe('https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json');
        expect(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] })).toBe(false);
        expect(validate({ runs: [] })).toBe(false);
    });

    test('the broken examples give a valid log', () => expectValid(broken.log));

    test('a clean check gives a valid log with no results', async () => {
        const { log } = await both(['clean.backplan'], dir);
        expectValid(log);
        expect(log.runs[0].results).toEqual([]);
    });

    test('absolute and escaped artifact URIs are valid too', async () => {
        const outside = await both(['..'], path.join(dir, 'work'));
        expectValid(outside.log);
        expect(outside.log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri)
            .toBe(`file://${encodeURI(path.join(dir, 'with space', 'ünïcode.backplan'))}`);
        const inside = await both(['.'], dir);
        expectValid(inside.log);
        expect(inside.log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('with%20space/%C3%BCn%C3%AFcode.backplan');
    });

    describe('content', () => {
        test('one run of the backplan tool, UTF-16 columns, every rule with a helpUri into docs/rules.md', () => {
            const [run] = broken.log.runs;
            expect(broken.log.version).toBe('2.1.0');
            expect(broken.log.runs).toHaveLength(1);
            expect(run.columnKind).toBe('utf16CodeUnits');
            expect(run.tool.driver.name).toBe('backplan');
            expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(RULES.map(r => r.code));
            for (const [i, rule] of run.tool.driver.rules.entries()) {
                expect(rule.helpUri).toMatch(new RegExp(`/docs/rules\\.md#${RULES[i].code.replace(/\./g, '-')}$`));
                expect(rule.defaultConfiguration.level).toBe(RULES[i].severity);
                expect(rule.shortDescription.text).toBe(RULES[i].summary);
            }
        });

        test('each result is a JSON diagnostic: rule, level, message, file and region', () => {
            const [run] = broken.log.runs;
            const level = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as Record<string, string>;
            expect(run.results).toHaveLength(broken.json.diagnostics.length);
            expect(run.results.map((r: { ruleIndex: number }) => run.tool.driver.rules[r.ruleIndex].id)).toEqual(run.results.map((r: { ruleId: string }) => r.ruleId));
            expect(run.results).toEqual(broken.json.diagnostics.map(d => ({
                ruleId: d.code,
                ruleIndex: expect.any(Number),
                level: level[d.severity],
                message: { text: d.message },
                locations: [{ physicalLocation: { artifactLocation: { uri: d.file }, region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn } } }]
            })));
        });
    });
});
