import { defineConfig } from 'vitest/config';

// The SSH benchmark runs on the real-sshd lab of test/helpers/sshd.ts (vitest only hosts it;
// it is not a timed test and is not part of `npm test`).
export default defineConfig({
    test: {
        include: ['bench/parallel-ssh/*.bench.ts'],
        testTimeout: 3_600_000,
        hookTimeout: 600_000,
        pool: 'forks'
    }
});
