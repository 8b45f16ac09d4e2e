/**
 * `exclude` patterns as GNU tar reads them with `--anchored` (wildcards match `/`, a match on
 * a leading folder excludes what is below it): which ones reach into a folder, and which
 * are unusable.
 */
import { describe, expect, test } from 'vitest';
import { excludeProblem, excludeReaches } from '@backplan/language/model';

describe('excludeReaches', () => {
    test.each([
        ['People', 'People'], ['People/cache', 'People'], ['People/', 'People'], ['Peo*', 'People'], ['*', 'People'],
        ['*.pid', 'People'], // `*` matches "/": People/x.pid
        ['?eople', 'People'], ['[A-Z]eople', 'People'], ['[!a-z]eople/x', 'People'], ['\\People', 'People'],
        ['dept', 'dept/People'], ['dept/*', 'dept/People'], ['dept/People/deep/er', 'dept/People'],
        ['Sales Dept/tmp', 'Sales Dept'], ['People', './People/']
    ])('%s reaches into %s', (pattern, folder) => {
        expect(excludeReaches(pattern, folder)).toBe(true);
    });

    test.each([
        ['cache', 'People'], ['Peo', 'People'], ['Peoples', 'People'], ['People2/x', 'People'], ['run/*.pid', 'People'],
        ['Sales', 'Sales Dept'], ['[a-z]eople', 'People'], ['[!P]eople', 'People'], ['dept/Other', 'dept/People'],
        ['People[', 'People'], // an unclosed `[` is a literal
        ['\\*', 'People']
    ])('%s does not reach into %s', (pattern, folder) => {
        expect(excludeReaches(pattern, folder)).toBe(false);
    });

    test('a long pattern against a long path stays linear', () => {
        const pattern = '*a'.repeat(2000);
        expect(excludeReaches(pattern, 'b'.repeat(5000))).toBe(true); // `*` matches "/" and what follows
        expect(excludeReaches(`x${pattern}`, 'b'.repeat(5000))).toBe(false);
    });
});

describe('excludeProblem', () => {
    test.each([['/srv/cache', 'is absolute'], ['a/../b', 'contains a ".." segment'], ['..', 'contains a ".." segment'],
        ['', 'is empty'], ['.', 'names the data folder itself'], ['./', 'names the data folder itself']])('%j %s', (pattern, problem) => {
        expect(excludeProblem(pattern)).toBe(problem);
    });

    test.each(['cache', 'run/*.pid', './cache', '..cache', 'a/..b'])('%j is fine', pattern => {
        expect(excludeProblem(pattern)).toBeUndefined();
    });
});
