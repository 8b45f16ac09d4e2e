/**
 * Proves that every ```backplan example in docs/language.md, docs/tapes.md and README.md is
 * valid syntax: the reference shows the language the parser accepts (no lexing or parsing
 * errors). Its list of reserved words is checked against the grammar in keyword-docs.test.ts.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { parse } from './parse-support.js';

const docs = ['docs/language.md', 'docs/tapes.md', 'README.md'].map(file => [file, readFileSync(path.resolve(__dirname, '../../..', file), 'utf8')] as const);
const blocks = docs.flatMap(([file, text]) => [...text.matchAll(/```backplan\n([\s\S]*?)```/g)]
    .map(m => [`${file}:${text.slice(0, m.index).split('\n').length}`, m[1]] as const));

test('the docs have examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
});

test.each(blocks)('%s parses', (_where, text) => {
    const result = parse(text);
    expect([...result.lexerErrors, ...result.parserErrors].map(e => e.message)).toEqual([]);
});

