import { defineConfig } from 'vitest/config';

// The webview benchmark runs through the stdio harness of test/lsp (vitest only hosts it;
// it is not a timed test and is not part of `npm test`).
export default defineConfig({
    test: {
        include: ['bench/webview/*.bench.ts'],
        testTimeout: 900_000,
        hookTimeout: 300_000,
        pool: 'forks'
    }
});
