/**
 * Quick fixes as the light bulb lists them (issue 16.5): one entry per edit, even when two
 * diagnostics are fixed by the same edit, and the `source.fixAll.backplan` source action
 * that applies every mechanical fix of a file.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CodeAction, Diagnostic, Range } from 'vscode-languageserver-protocol';
import { applyEdits, LspClient, tempWorkspace, uriOf } from './lsp-client.js';

const overlaps = (a: Range, b: Range) =>
    !(a.end.line < b.start.line || (a.end.line === b.start.line && a.end.character < b.start.character)
        || b.end.line < a.start.line || (b.end.line === a.start.line && b.end.character < a.start.character));

describe('code actions', () => {
    let ws: string;
    let client: LspClient;
    const file = (name: string) => path.join(ws, name);

    async function openWith(name: string, lines: string[]): Promise<Diagnostic[]> {
        writeFileSync(file(name), lines.join('\n') + '\n');
        await client.open(file(name));
        return client.waitForDiagnostics(file(name), d => d.length > 0);
    }

    /** What the light bulb asks on a diagnostic: every diagnostic touching its range is in the context. */
    async function lightBulb(name: string, diagnostics: Diagnostic[], at: Diagnostic, only?: string[]): Promise<CodeAction[]> {
        return client.request<CodeAction[]>('textDocument/codeAction', {
            textDocument: { uri: uriOf(file(name)) }, range: at.range,
            context: { diagnostics: diagnostics.filter(d => overlaps(d.range, at.range)), only }
        });
    }

    beforeAll(async () => {
        ws = tempWorkspace({});
        client = await LspClient.start(ws);
    });
    afterAll(async () => {
        await client?.stop();
        rmSync(ws, { recursive: true, force: true });
    });

    test('`parallel 3` → `rolling` fixes both concurrency warnings: one entry, listing both', async () => {
        const diagnostics = await openWith('down.backplan', [
            'tape Shelf { at "/var/backups/shelf" }',
            'server Cat1 { role catalog host local data "/srv/cat1" stop "true" start "true" }',
            'server Cat2 { role catalog host local data "/srv/cat2" stop "true" start "true" }',
            'folder People on Cat1, Cat2',
            'backup Nightly { servers Cat1, Cat2 to Shelf parallel 2 }'
        ]);
        const copies = diagnostics.find(d => d.code === 'backup.all-copies-down')!;
        expect(diagnostics.map(d => d.code)).toEqual(expect.arrayContaining(['backup.all-copies-down', 'backup.all-catalogs-down']));
        const actions = await lightBulb('down.backplan', diagnostics, copies);
        expect(actions.map(a => a.title)).toEqual(['Back up one server at a time (`rolling`)']);
        expect(actions[0].diagnostics!.map(d => d.code).sort()).toEqual(['backup.all-catalogs-down', 'backup.all-copies-down']);
    });

    test('adding the master to a folder fixes master.incomplete and coverage.single-copy: one entry', async () => {
        const diagnostics = await openWith('master.backplan', [
            'server Cat1 { role catalog master host local data "/srv/cat1" }',
            'server Cat2 { role catalog host local data "/srv/cat2" }',
            'folder People on Cat1, Cat2',
            'folder Sales on Cat2'
        ]);
        const incomplete = diagnostics.find(d => d.code === 'master.incomplete')!;
        expect(diagnostics.filter(d => overlaps(d.range, incomplete.range)).map(d => d.code).sort()).toEqual(['coverage.single-copy', 'master.incomplete']);
        const actions = await lightBulb('master.backplan', diagnostics, incomplete);
        expect(actions.map(a => [a.title, a.isPreferred])).toEqual([["Add master Cat1 to the servers of folder 'Sales'", true]]);
        expect(actions[0].diagnostics!.map(d => d.code).sort()).toEqual(['coverage.single-copy', 'master.incomplete']);
    });

    test('adding a mail server to an off-site backup fixes single-copy and no-offsite: one entry', async () => {
        const diagnostics = await openWith('offsite.backplan', [
            'runbook "Off-site" { require offsite }',
            'tape Vault { at "/mnt/vault" offsite }',
            'server Mail { role mail host local data "/srv/mail" stop "true" start "true" }',
            'server Cat1 { role catalog host local data "/srv/cat1" stop "true" start "true" }',
            'folder People on Cat1',
            'backup Weekly { servers Cat1 to Vault }'
        ]);
        const mail = diagnostics.find(d => d.code === 'coverage.no-offsite' && d.message.includes('Mail'))!;
        const actions = await lightBulb('offsite.backplan', diagnostics, mail);
        expect(actions.map(a => a.title)).toEqual(['Add Mail to backup Weekly (off-site tape Vault)']);
        expect(actions[0].diagnostics!.map(d => d.code).sort()).toEqual(['coverage.no-offsite', 'coverage.single-copy']);
    });

    test('no two entries make the same edit, on any diagnostic of the broken examples', async () => {
        const broken = tempWorkspace({ broken: 'examples/broken' });
        const other = await LspClient.start(broken);
        try {
            for (const name of readdirSync(path.join(broken, 'broken')).filter(f => f.endsWith('.backplan'))) {
                const f = path.join(broken, 'broken', name);
                const diagnostics = await other.waitForDiagnostics(f);
                await other.open(f);
                for (const at of diagnostics) {
                    const actions = await other.request<CodeAction[]>('textDocument/codeAction', {
                        textDocument: { uri: uriOf(f) }, range: at.range, context: { diagnostics: diagnostics.filter(d => overlaps(d.range, at.range)) }
                    });
                    const edits = actions.map(a => JSON.stringify(a.edit));
                    expect(new Set(edits).size, `${name}: ${actions.map(a => a.title).join(' | ')}`).toBe(edits.length);
                }
            }
        } finally {
            await other.stop();
            rmSync(broken, { recursive: true, force: true });
        }
    });

    test('source.fixAll.backplan applies every mechanical fix: the file has no problem left', async () => {
        const name = 'fix-all.backplan';
        const diagnostics = await openWith(name, [
            'tape Shelf { at "/var/backups/shelf" }',
            '',
            'server Cat1 {',
            '  role catalog master',
            '  host local',
            '  data "/srv/cat1"',
            '}',
            'server Cat2 { role catalog host local data "/srv/cat2" stop "true" start "true" }',
            'server Cat3 { role catalog host local data "/srv/cat3" }',
            '',
            'folder People on Cat1, Cat2',
            'folder Sales on Cat2, Cat3',
            '',
            'backup Nightly { servers Cat1, Cat2, Cat3 to Shelf parallel 3 }'
        ]);
        expect([...new Set(diagnostics.map(d => d.code))].sort()).toEqual(['backup.all-catalogs-down', 'backup.all-copies-down', 'backup.no-stop', 'master.incomplete']);
        const whole = { start: { line: 0, character: 0 }, end: { line: 14, character: 0 } };
        const ask = (only?: string[]) => client.request<CodeAction[]>('textDocument/codeAction', {
            textDocument: { uri: uriOf(file(name)) }, range: whole, context: { diagnostics: [], only }
        });
        // Offered when source actions are asked for, not in the light bulb of a diagnostic.
        for (const only of [['source.fixAll.backplan'], ['source.fixAll'], ['source']]) {
            expect((await ask(only)).map(a => [a.title, a.kind]), only[0]).toEqual([['Fix all Backplan problems', 'source.fixAll.backplan']]);
        }
        expect(await ask(['quickfix'])).toEqual([]);
        const [fixAll] = await ask(['source.fixAll.backplan']);
        await client.change(file(name), applyEdits(client.text(file(name)), fixAll.edit!.changes![uriOf(file(name))]));
        expect(await client.waitForDiagnostics(file(name))).toEqual([]);
        const text = client.text(file(name));
        expect(text).toContain('  data "/srv/cat1"\n  stop "…"\n  start "…"\n}');
        expect(text).toContain('server Cat3 { role catalog host local data "/srv/cat3" stop "…" start "…" }');
        expect(text).toContain('folder Sales on Cat2, Cat3, Cat1');
        expect(text).toContain('to Shelf rolling }');
        // Nothing left to fix: no action.
        expect(await ask(['source.fixAll.backplan'])).toEqual([]);
    });
});
