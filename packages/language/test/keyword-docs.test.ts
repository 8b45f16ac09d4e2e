/**
 * Every keyword of the grammar is documented in docs/language.md, in the section of each
 * declaration that uses it — the one source of keyword hovers and completion items. The
 * keywords are read from the grammar, so a new keyword without a row (or a paragraph) in
 * language.md fails here.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AstUtils, GrammarAST, GrammarUtils } from 'langium';
import { describe, expect, test } from 'vitest';
import { attributeOf } from '../out/lsp/keyword-context.js';
import { DefaultKeywordDocumentation, keywordsOf } from '../out/lsp/keyword-documentation.js';
import { createServices } from './helpers.js';

const LANGUAGE_MD = path.resolve(__dirname, '../../../docs/language.md');
const grammar = createServices().Grammar;
const docs = new DefaultKeywordDocumentation();
docs.useFile(LANGUAGE_MD);

const isWord = (k: GrammarAST.Keyword) => /\p{L}/u.test(k.value);

/** The rules a rule calls, directly. */
function callees(rule: GrammarAST.AbstractRule): GrammarAST.ParserRule[] {
    return AstUtils.streamAllContents(rule).filter(GrammarAST.isRuleCall)
        .map(call => call.rule.ref).filter((r): r is GrammarAST.ParserRule => GrammarAST.isParserRule(r)).toArray();
}

/** The rules a rule reaches through calls, itself included. */
function reachable(rule: GrammarAST.ParserRule, seen = new Set<GrammarAST.ParserRule>()): Set<GrammarAST.ParserRule> {
    if (seen.has(rule)) return seen;
    seen.add(rule);
    for (const callee of callees(rule)) reachable(callee, seen);
    return seen;
}

function keywordsIn(rule: GrammarAST.AbstractRule): GrammarAST.Keyword[] {
    return AstUtils.streamAllContents(rule).filter(GrammarAST.isKeyword).filter(isWord).toArray();
}

/** The top-level declarations (the entry rule's callees; a keyword-less union such as Declaration stands for its members). */
function topLevelRules(): GrammarAST.ParserRule[] {
    const expand = (rule: GrammarAST.ParserRule): GrammarAST.ParserRule[] =>
        keywordsIn(rule).length === 0 ? callees(rule).flatMap(expand) : [rule];
    return callees(GrammarUtils.getEntryRule(grammar)!).flatMap(expand);
}

/** Every (section, keyword) the grammar allows: the declaration's first keyword, and each keyword it may contain. */
const uses = topLevelRules().flatMap(rule => {
    const section = keywordsIn(rule)[0].value;
    const keywords = new Set([...reachable(rule)].flatMap(keywordsIn).map(k => k.value));
    return [...keywords].map(keyword => [section, keyword] as const);
});

describe('keyword documentation (docs/language.md)', () => {
    test('the grammar has the declarations and keywords this test walks', () => {
        expect(topLevelRules().map(r => r.name)).toEqual(expect.arrayContaining(['Import', 'RunbookHeader', 'Tape', 'Server', 'Folder', 'Backup']));
        expect(uses.length).toBeGreaterThan(30);
    });

    test.each(uses)('in `%s`, `%s` is documented', (section, keyword) => {
        const entries = docs.entries(keyword).filter(e => e.section === section);
        expect(entries, `add a row for \`${keyword}\` to a table of the \`${section}\` section of docs/language.md`).not.toHaveLength(0);
        const doc = docs.describe(keyword, section)!;
        expect(doc.markdown).toContain(`language.md#${section}`);
        expect(doc.detail).toContain(keyword);
    });

    test('the reserved words listed in "Files, comments, names" are exactly the grammar\'s keywords', () => {
        const text = readFileSync(LANGUAGE_MD, 'utf8');
        const list = /cannot be names:\s*\n\n([\s\S]*?)\n\n/.exec(text)![1];
        const listed = [...list.matchAll(/`([^`]+)`/g)].map(m => m[1]).sort();
        const keywords = [...new Set(AstUtils.streamAllContents(grammar).filter(GrammarAST.isKeyword).filter(isWord).map(k => k.value))].sort();
        expect(listed).toEqual(keywords);
    });

    test('a keyword is explained where it is written', () => {
        expect(docs.describe('offsite', 'tape')!.markdown).toMatch(/^`offsite` · \*optional\* — The tape leaves the building/);
        expect(docs.describe('offsite', 'runbook')!.markdown).toMatch(/^`require offsite` — every folder/);
        expect(docs.describe('role', 'server')!.detail).toBe('role mail · role catalog · role catalog master');
        expect(docs.describe('master', 'server')!.detail).toBe('role catalog master');
        expect(docs.describe('host', 'server')!.detail).toBe('host local · host "ssh://[user@]host[:port]"');
        // A declaration keyword at the top level, whatever declaration precedes the cursor.
        expect(docs.describe('tape', 'server')!.markdown).toMatch(/^`tape` — A backup destination/);
        // Links of the reference become absolute: the hover is not in docs/.
        expect(docs.describe('at', 'tape')!.markdown).toContain('(file://');
        expect(docs.describe('at', 'tape')!.markdown).not.toContain('](rules.md');
    });

    test('the words a table row documents: its code, quoted text left out', () => {
        expect(keywordsOf('`host "ssh://[user@]host[:port]"`')).toEqual(['host']);
        expect(keywordsOf('`role catalog master`')).toEqual(['role', 'catalog', 'master']);
        expect(keywordsOf('`servers S1, S2, …`')).toEqual(['servers']);
        expect(keywordsOf('`key-file "PATH"`')).toEqual(['key-file']);
        expect(keywordsOf('folder `Sales`')).toEqual([]);
    });

    test('the attribute an attribute keyword starts, read from the grammar', () => {
        const rule = (name: string) => grammar.rules.find(r => r.name === name) as GrammarAST.ParserRule;
        const keyword = (ruleName: string, value: string) => keywordsIn(rule(ruleName)).find(k => k.value === value)!;
        expect(attributeOf(keyword('Tape', 'at'), rule('Tape'))).toBe('at');
        expect(attributeOf(keyword('Tape', 'offsite'), rule('Tape'))).toBe('offsite');
        expect(attributeOf(keyword('Tape', 'key-file'), rule('Tape'))).toBe('keyFile');
        expect(attributeOf(keyword('Keep', 'keep'), rule('Tape'))).toBe('keep');
        expect(attributeOf(keyword('Role', 'role'), rule('Server'))).toBe('role');
        expect(attributeOf(keyword('Concurrency', 'rolling'), rule('Backup'))).toBe('mode');
        expect(attributeOf(keyword('Concurrency', 'parallel'), rule('Backup'))).toBe('mode');
        expect(attributeOf(keyword('ServerList', 'servers'), rule('Backup'))).toBe('servers');
        expect(attributeOf(keyword('Folder', 'path'), rule('Folder'))).toBe('path');
        // Not the start of an attribute: the value of one, or the declaration's own keywords.
        expect(attributeOf(keyword('Role', 'master'), rule('Server'))).toBeUndefined();
        expect(attributeOf(keyword('Host', 'local'), rule('Server'))).toBeUndefined();
        expect(attributeOf(keyword('Folder', 'on'), rule('Folder'))).toBeUndefined();
        expect(attributeOf(keyword('Tape', 'tape'), rule('Tape'))).toBeUndefined();
    });
});
