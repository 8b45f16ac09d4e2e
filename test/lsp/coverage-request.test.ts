/**
 * `backplan/coverage` and `backplan/coverageChanged` over stdio: the data of the VS Code
 * coverage view, status bar and CodeLens (packages/language/src/lsp/coverage-request.ts).
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { LspClient, tempWorkspace, uriOf } from './lsp-client.js';

interface Location { name: string; uri: string; range: { start: { line: number; character: number } } }
interface Item extends Location {
    kind: 'folder' | 'mail'; servers: Location[]; tapes: Array<Location & { offsite: boolean; backups: string[] }>;
    copies: number; offsite: boolean; atRisk: boolean; risks: string[];
}
interface Scheduled { expression: string; range: { start: { line: number; character: number } }; description: string; next: string[]; problem?: string }
interface Runbook {
    root: string; title?: string; requireOffsite: boolean; files: string[]; items: Item[];
    servers: Array<Location & { role?: string; master: boolean; host?: string }>;
    tapes: Array<Location & { offsite: boolean }>; backups: Array<Location & { servers: string[]; tape?: string; scheduled?: Scheduled }>;
    drills: Array<Location & { servers: string[]; tape?: string; pick: string; schedule?: string; scheduled?: Scheduled }>;
}

describe('backplan/coverage', () => {
    let ws: string;
    let client: LspClient;
    let changes = 0;
    const file = (rel: string) => path.join(ws, 'examples', rel);
    const coverage = (rel?: string) =>
        client.request<{ runbooks: Runbook[] }>('backplan/coverage', rel === undefined ? {} : { uri: uriOf(file(rel)) });

    beforeAll(async () => {
        ws = tempWorkspace({ examples: 'examples' });
        client = await LspClient.start(ws);
        client.connection.onNotification('backplan/coverageChanged', () => { changes++; });
        await client.waitForDiagnostics(file('broken/coverage-single-copy.backplan'), d => d.length > 0);
    });

    afterAll(async () => {
        await client?.stop();
    });

    test('a runbook: folders and mail data with their servers, tapes, off-site mark', async () => {
        const { runbooks } = await coverage('small-master-offsite/acme.backplan');
        expect(runbooks).toHaveLength(1);
        const [acme] = runbooks;
        expect(acme.title).toBe('Acme PowerShare');
        expect(acme.requireOffsite).toBe(true);
        expect(acme.items.map(i => `${i.kind}:${i.name}`).sort()).toEqual(['folder:Engineering', 'folder:Sales', 'mail:Mail1']);
        const sales = acme.items.find(i => i.name === 'Sales')!;
        expect(sales).toMatchObject({ copies: 3, offsite: true, atRisk: false, risks: [] });
        expect(sales.servers.map(s => s.name)).toEqual(['Cat1', 'Cat2']);
        expect(sales.tapes).toMatchObject([{ name: 'Vault', offsite: true, backups: ['Nightly'] }]);
        // Ranges are those of the declarations' names.
        expect(sales.uri).toBe(uriOf(file('small-master-offsite/acme.backplan')));
        expect(client.text(file('small-master-offsite/acme.backplan')).split('\n')[sales.range.start.line].slice(sales.range.start.character))
            .toMatch(/^Sales on/);
        expect(acme.servers.find(s => s.name === 'Cat2')).toMatchObject({ role: 'catalog', master: false, host: 'ssh://admin@cat2.acme.lan:2222' });
        expect(acme.servers.find(s => s.name === 'Mail1')).toMatchObject({ role: 'mail', host: 'local' });
        expect(acme.backups).toMatchObject([{ name: 'Nightly', servers: ['Mail1', 'Cat1'], tape: 'Vault' }]);
    });

    test('drill blocks, for the Run Drill command and CodeLens: servers (listed or from the backups), tape, pick, schedule', async () => {
        const [unattended] = (await coverage('unattended/unattended.backplan')).runbooks;
        expect(unattended.drills).toMatchObject([
            { name: 'Sunday', servers: ['Cat1', 'Cat2'], tape: 'Vault', pick: 'newest', schedule: '0 6 * * sun' },
            { name: 'Monthly', servers: ['Mail'], tape: 'Vault', pick: 'random', schedule: '0 5 1 * *' }
        ]);
        expect(client.text(file('unattended/unattended.backplan')).split('\n')[unattended.drills[0].range.start.line]).toBe('drill Sunday {');
    });

    test('schedules, for the schedule CodeLens: the line, the words and next fire times of `schedule list`', async () => {
        const rel = 'unattended/unattended.backplan';
        const [unattended] = (await coverage(rel)).runbooks;
        const lines = client.text(file(rel)).split('\n');
        const blocks = [...unattended.backups, ...unattended.drills];
        expect(blocks.map(b => [b.name, b.scheduled?.expression])).toEqual([
            ['Nightly', '0 2 * * *'], ['Weekly', '30 3 * * sun'], ['Sunday', '0 6 * * sun'], ['Monthly', '0 5 1 * *']
        ]);
        for (const b of blocks) expect(lines[b.scheduled!.range.start.line]).toMatch(/^\s*schedule "/);
        // The CLI asked after the server: its first two times are among the server's three
        // (one may have passed in between, never two of a daily or rarer schedule).
        const listed = await runCli(['schedule', 'list', file(rel), '--count', '3', '--format', 'json']);
        expect(listed.code, listed.stderr).toBe(0);
        const cli = (JSON.parse(listed.stdout) as { blocks: Array<{ name: string; description: string; next: Array<{ utc: string }> }> }).blocks;
        for (const b of blocks) {
            const same = cli.find(c => c.name === b.name)!;
            expect(b.scheduled!.description).toBe(same.description);
            expect(b.scheduled!.next).toHaveLength(3);
            expect(b.scheduled!.next).toEqual(expect.arrayContaining(same.next.slice(0, 2).map(n => n.utc)));
        }
        const [invalid] = (await coverage('broken/schedule-retention.backplan')).runbooks[0].backups;
        expect(invalid.scheduled).toMatchObject({ expression: '0 0 2 * * *', next: [], problem: expect.stringMatching(/6 fields/) });
    });

    test('every runbook of the workspace, under-covered items marked with the reason', async () => {
        const { runbooks } = await coverage();
        const roots = runbooks.map(r => path.relative(path.join(ws, 'examples'), new URL(r.root).pathname));
        expect(roots).toContain('broken/coverage-single-copy.backplan');
        expect(roots).toContain('split-runbook/main.backplan');
        expect(roots).not.toContain('split-runbook/servers.backplan');
        const single = runbooks.find(r => r.root.endsWith('/coverage-single-copy.backplan'))!;
        expect(single.items.find(i => i.name === 'Sales')).toMatchObject({ copies: 1, atRisk: true, risks: ['only one copy'] });
        const offsite = runbooks.find(r => r.root.endsWith('/coverage-no-offsite.backplan'))!;
        expect(offsite.items.find(i => i.kind === 'mail')).toMatchObject({ atRisk: true, risks: ['no off-site copy'] });
    });

    test('an imported file answers with the runbook that imports it', async () => {
        const { runbooks } = await coverage('split-runbook/servers.backplan');
        expect(runbooks.map(r => r.root)).toEqual([uriOf(file('split-runbook/main.backplan'))]);
        expect(runbooks[0].files).toContain(uriOf(file('split-runbook/servers.backplan')));
    });

    test('follows edits and announces them', async () => {
        const target = file('single-mail/mail.backplan');
        await client.open(target);
        const before = changes;
        await client.change(target, client.text(target) + '\nserver Mail2 { role mail host local data "/srv/mail2" }\n');
        await client.waitForDiagnostics(target, d => d.some(x => x.code === 'coverage.single-copy'));
        await expect.poll(() => changes).toBeGreaterThan(before);
        const { runbooks } = await coverage('single-mail/mail.backplan');
        expect(runbooks[0].items.find(i => i.name === 'Mail2')).toMatchObject({ kind: 'mail', copies: 1, atRisk: true });
    });

    test('a file the server has not loaded has no runbook', async () => {
        const { runbooks } = await client.request<{ runbooks: Runbook[] }>('backplan/coverage', { uri: uriOf(path.join(ws, 'nowhere.backplan')) });
        expect(runbooks).toEqual([]);
    });
});
