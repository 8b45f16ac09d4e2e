/**
 * Proves that the coverage model and the runbook-wide rules are near-linear in the size of
 * the runbook, by counting (never timing): doubling a synthetic runbook (folders, servers,
 * backups) must about double the property reads each stage makes; a loop over all folders
 * × all backups would quadruple them. Also proves that name lookup builds one scope per
 * document and reference type, not one per reference.
 */
import { describe, expect, test } from 'vitest';
import { buildRunbookModel, computeCoverage, type RunbookModel } from '@backplan/language';
import { runRunbookRules } from '../out/validation/runbook-validator.js';
import { ReadCounter, syntheticRunbook } from './counting.js';
import { checkFiles, createServices } from './helpers.js';

const SIZES = [2000, 4000, 8000];

function growth(counts: number[]): number[] {
    return counts.slice(1).map((c, i) => c / counts[i]);
}

function countReads(stage: (counter: ReadCounter, model: RunbookModel) => void): number[] {
    return SIZES.map(n => {
        const model = buildRunbookModel(syntheticRunbook(n)[0].uri, syntheticRunbook(n));
        const counter = new ReadCounter();
        stage(counter, model);
        return counter.reads;
    });
}

describe('near-linear work, counted', () => {
    test('the synthetic runbook is what the stages see: every folder covered, findings scale with it', () => {
        const model = buildRunbookModel(syntheticRunbook(2000)[0].uri, syntheticRunbook(2000));
        expect([model.servers.length, model.folders.length, model.backups.length]).toEqual([100, 2000, 20]);
        expect([...model.coverage.values()].every(c => c.copies >= 2)).toBe(true);
        expect(runRunbookRules(model).map(f => f.info.code)).toContain('backup.all-copies-down');
    });

    test('building the model reads the AST a linear number of times', () => {
        const counts = SIZES.map(n => {
            const counter = new ReadCounter();
            const docs = syntheticRunbook(n);
            buildRunbookModel(docs[0].uri, counter.wrap(docs));
            return counter.reads;
        });
        for (const ratio of growth(counts)) expect(ratio).toBeLessThan(2.2);
    });

    test('computing coverage reads servers, folders and backups a linear number of times', () => {
        const counts = countReads((counter, model) => {
            computeCoverage(counter.wrap(model.servers), counter.wrap(model.folders), counter.wrap(model.backups));
        });
        for (const ratio of growth(counts)) expect(ratio).toBeLessThan(2.2);
    });

    test('the runbook-wide rules read the model a near-linear number of times', () => {
        const counts = countReads((counter, model) => {
            const counted = runRunbookRules(counter.wrap(model)).map(f => f.message);
            expect(counted).toEqual(runRunbookRules(model).map(f => f.message));
        });
        for (const ratio of growth(counts)) expect(ratio).toBeLessThan(2.2);
    });
});

describe('name lookup', () => {
    test('one scope per document and reference type, however many references', async () => {
        const services = createServices();
        const index = services.shared.workspace.IndexManager;
        let calls = 0;
        const allElements = index.allElements.bind(index);
        index.allElements = (...args: Parameters<typeof allElements>) => { calls++; return allElements(...args); };
        const folders = Array.from({ length: 1000 }, (_, i) => `folder F${i} on Cat1, Cat2\n`).join('');
        const result = await checkFiles({
            'main.backplan': `import "servers.backplan"\n${folders}backup B { servers Cat1, Cat2 to T }\n`,
            'servers.backplan': 'server Cat1 { role catalog host local data "/a" stop "x" start "y" }\nserver Cat2 { role catalog host local data "/b" stop "x" start "y" }\ntape T { at "/t" }\n'
        }, services);
        expect(result.diagnostics('main.backplan')).toEqual([]);
        // Two documents, two reference types (Server, Tape): at most one lookup table each.
        expect(calls).toBeLessThanOrEqual(4);
    });
});
