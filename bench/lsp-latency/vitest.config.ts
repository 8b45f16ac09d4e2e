import { defineConfig } from 'vitest/config';

// The latency benchmark runs through the same stdio harness as test/lsp (vitest only hosts
// it; it is not a timed test and is not part of `npm test`).
export default defineConfig({
    test: {
        include: ['bench/lsp-latency/*.bench.ts'],
        testTimeout: 900_000,
        hookTimeout: 300_000,
        pool: 'forks'
    }
});
