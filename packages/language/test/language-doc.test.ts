/**
 * Proves that every ```backplan example in docs/language.md and README.md is valid syntax:
 * the reference shows the language the parser accepts (no lexing or parsing errors); and
 * that its list of reserved words is the grammar's.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { AstUtils, GrammarAST } from 'langium';
import { createServices } from './helpers.js';
import { parse } from './parse-support.js';

const docs = ['docs/language.md', 'README.md'].map(file => [file, readFileSync(path.resolve(__dirname, '../../..', file), 'utf8')] as const);
const blocks = docs.flatMap(([file, text]) => [...text.matchAll(/```backplan\n([\s\S]*?)```/g)]
    .map(m => [`${file}:${text.slice(0, m.index).split('\n').length}`, m[1]] as const));

test('the docs have examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
});

test.each(blocks)('%s parses', (_where, text) => {
    const result = parse(text);
    expect([...result.lexerErrors, ...result.parserErrors].map(e => e.message)).toEqual([]);
});

test('the reserved words of docs/language.md are exactly the keywords of the grammar', () => {
    const services = createServices();
    const keywords = AstUtils.streamAllContents(services.Grammar).filter(GrammarAST.isKeyword).map(k => k.value)
        .filter(k => /^[a-z]/.test(k)).toArray();
    const doc = docs.find(([file]) => file === 'docs/language.md')![1];
    const list = /cannot be names:\n\n([\s\S]*?)\n\n/.exec(doc)![1];
    expect([...list.matchAll(/`([^`]+)`/g)].map(m => m[1]).sort()).toEqual([...new Set(keywords)].sort());
});
