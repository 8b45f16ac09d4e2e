// Preloaded (`node --import`) into the measured CLI process when /usr/bin/time is missing:
// on exit, writes the process's CPU time and peak resident set size (KiB) to $BACKPLAN_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BACKPLAN_BENCH_RSS_FILE;
if (file) {
    process.on('exit', () => {
        const usage = process.resourceUsage();
        // Same layout as GNU time -f '%U %S %M': user s, system s, peak RSS KiB.
        writeFileSync(file, `${usage.userCPUTime / 1e6} ${usage.systemCPUTime / 1e6} ${usage.maxRSS}`);
    });
}
