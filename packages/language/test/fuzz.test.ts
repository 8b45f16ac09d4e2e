/**
 * Fuzz, in process: thousands of seeded mutants of the examples (delete, duplicate, swap
 * tokens, truncate, random characters) are parsed, linked and validated with the CLI's
 * services. The checker never throws, never logs an exception (Langium turns a throwing
 * check into console.error and an "An error occurred" diagnostic), and reports only known
 * codes on sane ranges. Same seed, same mutants: a failure names the seed and the mutant.
 */
import { URI, type LangiumDocument } from 'langium';
import { afterEach, beforeEach, expect, test, vi, type MockInstance } from 'vitest';
import { RULES, type Document } from '@backplan/language';
import { exampleRunbooks } from '../../../test/helpers/examples.js';
import { mutate, prng } from '../../../test/helpers/mutate.js';
import { createServices } from './helpers.js';

// BACKPLAN_FUZZ_SEED / BACKPLAN_FUZZ_MUTANTS explore further; the suite uses the defaults.
const SEED = Number(process.env.BACKPLAN_FUZZ_SEED ?? 20261125);
const MUTANTS = Number(process.env.BACKPLAN_FUZZ_MUTANTS ?? 3000);
const KNOWN = new Set<string>(RULES.map(r => r.code));

let logged: MockInstance;
beforeEach(() => { logged = vi.spyOn(console, 'error'); });
afterEach(() => logged.mockRestore());

test(`${MUTANTS} mutants of the examples: no throw, no logged exception, only known codes (seed ${SEED})`, async () => {
    const runbooks = exampleRunbooks();
    expect(runbooks.length).toBeGreaterThanOrEqual(20);
    const services = createServices();
    const { LangiumDocuments, LangiumDocumentFactory, DocumentBuilder } = services.shared.workspace;
    const random = prng(SEED);
    const seen = new Set<string>();
    const problems = new Map<string, string>(); // first mutant of each distinct problem
    const report = (problem: string, context: string) => { if (!problems.has(problem)) problems.set(problem, `${context}\n→ ${problem}`); };
    let previous: URI[] = [];
    for (let i = 0; i < MUTANTS; i++) {
        const runbook = runbooks[Math.floor(random() * runbooks.length)];
        const names = Object.keys(runbook.files);
        const target = names[Math.floor(random() * names.length)];
        const mutant = mutate(runbook.files[target], random);
        // As read from a file: UTF-8 decoding turns a lone surrogate into U+FFFD.
        const text = Buffer.from(mutant.text, 'utf8').toString('utf8');
        const kinds = mutant.kinds;
        const context = `mutant ${i} (seed ${SEED}) of ${runbook.name}/${target} by ${kinds.join('+')}:\n${text}`;
        // Remove the previous mutant through update(), so the runbook caches are cleared.
        await DocumentBuilder.update([], previous);
        const docs: LangiumDocument<Document>[] = names.map(name => {
            const doc = LangiumDocumentFactory.fromString<Document>(name === target ? text : runbook.files[name], URI.parse(`file:///fuzz/${i}/${name}`));
            LangiumDocuments.addDocument(doc);
            return doc;
        });
        previous = docs.map(d => d.uri);
        try {
            await DocumentBuilder.build(docs, { validation: true });
        } catch (err) {
            report(`threw ${(err as Error).message}`, context);
        }
        for (const doc of docs) {
            for (const d of doc.diagnostics ?? []) {
                if (!KNOWN.has(String(d.code))) report(`unknown code ${String(d.code)}: ${d.message}`, context);
                const { start, end } = d.range;
                if (![start.line, start.character, end.line, end.character].every(n => Number.isInteger(n) && n >= 0)) report(`bad range ${JSON.stringify(d.range)}`, context);
                seen.add(String(d.code));
            }
        }
        if (logged.mock.calls.length > 0) report(`logged ${String(logged.mock.calls[0][0])}`, context);
        logged.mockClear();
    }
    expect([...problems.values()].slice(0, 5)).toEqual([]);
    // The mutants reach the runbook-wide rules, not only the parser.
    for (const code of ['parsing-error', 'linking-error', 'coverage.single-copy', 'name.duplicate', 'attribute.duplicate']) expect(seen).toContain(code);
}, 600_000);
