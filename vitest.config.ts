import { defineConfig } from 'vitest/config';

// Unit tests live beside each package (`packages/*/test`), cross-package tests (CLI end to
// end, LSP over stdio, SSH drills) in `test/`. They run against the built packages:
// `npm test` builds first.
export default defineConfig({
    test: {
        include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
        exclude: ['**/node_modules/**', 'test/vscode/**'],
        testTimeout: 60_000,
        hookTimeout: 120_000,
        pool: 'forks'
    }
});
