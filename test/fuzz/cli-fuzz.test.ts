/**
 * Fuzz, end to end: two dozen seeded mutants of the examples (some with raw random bytes,
 * so not even valid UTF-8) are written to files and checked by the built bin, each format in
 * turn. Exit code 0 or 1, nothing on stderr (no stack trace, no internal error), and the
 * json and sarif outputs still parse. The first inputs are crashes the in-process fuzz found.
 * BACKPLAN_FUZZ_SEED / BACKPLAN_FUZZ_MUTANTS explore further; the suite uses the defaults.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { exampleRunbooks } from '../helpers/examples.js';
import { mutate, prng, withRawBytes } from '../helpers/mutate.js';
import { hasStackTrace, runCli } from '../helpers/run-cli.js';
import { removeTree, tempTree, writeTree } from '../helpers/temp-tree.js';

const SEED = Number(process.env.BACKPLAN_FUZZ_SEED ?? 77);
const COUNT = Number(process.env.BACKPLAN_FUZZ_MUTANTS ?? 24);
const FORMATS = ['text', 'json', 'sarif', 'github'];
const REGRESSIONS = ['tape at "/var/backups/shelf" }\nbackup\n', 'import\n', 'backup B { schedule "0 0 31 4,6,9,11 *" }\n'];

interface Case { name: string; files: Record<string, string>; target: string; bytes?: Buffer }

function cases(): Case[] {
    const runbooks = exampleRunbooks();
    const random = prng(SEED);
    const result: Case[] = REGRESSIONS.map((text, i) => ({ name: `regression ${i}`, files: { 'main.backplan': text }, target: 'main.backplan' }));
    while (result.length < COUNT) {
        const runbook = runbooks[Math.floor(random() * runbooks.length)];
        const names = Object.keys(runbook.files);
        const target = names[Math.floor(random() * names.length)];
        const { text, kinds } = mutate(runbook.files[target], random);
        const raw = random() < 0.25;
        result.push({
            name: `mutant ${result.length} of ${runbook.name}/${target} by ${kinds.join('+')}${raw ? '+bytes' : ''}`,
            files: { ...runbook.files, [target]: text }, target,
            bytes: raw ? withRawBytes(text, random) : undefined
        });
    }
    return result;
}

const root = tempTree({}, 'backplan-fuzz-');
afterAll(() => removeTree(root));

test(`${COUNT} mutants through the CLI: exit 0 or 1, no stack trace, parseable output (seed ${SEED})`, async () => {
    const all = cases();
    const failures: string[] = [];
    const runOne = async (c: Case, i: number) => {
        const dir = path.join(root, String(i));
        writeTree(dir, c.files);
        if (c.bytes) writeFileSync(path.join(dir, c.target), c.bytes);
        const format = FORMATS[i % FORMATS.length];
        const result = await runCli(['check', '--format', format, '.'], { cwd: dir });
        const problems: string[] = [];
        if (result.code !== 0 && result.code !== 1) problems.push(`exit ${result.code}`);
        if (result.stderr !== '' || hasStackTrace(result.stdout)) problems.push(`stderr: ${result.stderr.slice(0, 400)}`);
        if (format === 'json' || format === 'sarif') {
            try { JSON.parse(result.stdout); } catch { problems.push(`${format} output does not parse`); }
        }
        if (problems.length > 0) failures.push(`${c.name} (--format ${format}, ${dir}): ${problems.join('; ')}`);
    };
    // A few at a time: two cores, and each run is a cold node start.
    for (let i = 0; i < all.length; i += 4) await Promise.all(all.slice(i, i + 4).map((c, k) => runOne(c, i + k)));
    expect(failures).toEqual([]);
}, 180_000);
