/** `backplan.validation.ignorePaths` patterns. */
import { describe, expect, test } from 'vitest';
import { IgnorePaths } from '../../packages/language/out/lsp/ignore-paths.js';

describe('ignorePaths', () => {
    const roots = ['/home/ops/runbooks'];
    const ignored = (globs: string[], file: string) => new IgnorePaths(globs).matches(file, roots);

    test('anchored patterns match below the workspace folder', () => {
        expect(ignored(['archive/**'], '/home/ops/runbooks/archive/2019/old.backplan')).toBe(true);
        expect(ignored(['archive/**'], '/home/ops/runbooks/sites/archive/x.backplan')).toBe(false);
        expect(ignored(['sites/*.backplan'], '/home/ops/runbooks/sites/a.backplan')).toBe(true);
        expect(ignored(['sites/*.backplan'], '/home/ops/runbooks/sites/deep/a.backplan')).toBe(false);
    });

    test('`**/` and bare names match anywhere', () => {
        expect(ignored(['**/generated/**'], '/home/ops/runbooks/a/generated/x.backplan')).toBe(true);
        expect(ignored(['generated'], '/home/ops/runbooks/a/generated/x.backplan')).toBe(true);
        expect(ignored(['*.draft.backplan'], '/home/ops/runbooks/a/b.draft.backplan')).toBe(true);
        expect(ignored(['*.draft.backplan'], '/home/ops/runbooks/a/b.backplan')).toBe(false);
        expect(ignored(['n?.backplan'], '/home/ops/runbooks/n1.backplan')).toBe(true);
    });

    test('no patterns, blank patterns: nothing is ignored', () => {
        expect(ignored([], '/home/ops/runbooks/a.backplan')).toBe(false);
        expect(ignored(['', '  '], '/home/ops/runbooks/a.backplan')).toBe(false);
    });
});
