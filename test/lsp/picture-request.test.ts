/**
 * `backplan/picture` over stdio (packages/language/src/lsp/picture-request.ts, served by
 * the extension's server entry packages/cli/src/server/language-server.ts, or the bundle in
 * BACKPLAN_PICTURE_SERVER): the topology, backup window and history of a runbook as SVG
 * with the declaration of every drawn element; the picture follows an edit of the runbook;
 * the history and backup window read the journal of the state folder given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { journalFile } from '@backplan/engine';
import { LspClient, REPO, tempWorkspace, uriOf } from './lsp-client.js';
import { expectSelfContainedSvg } from '../picture/picture-support.js';

const SERVER = process.env.BACKPLAN_PICTURE_SERVER ?? path.join(REPO, 'packages/cli/out/server/language-server.js');

interface Result {
    root?: string; title?: string; svg?: string; message?: string;
    declarations: Record<string, { name: string; uri: string; range: { start: { line: number; character: number } } }>;
}

describe('backplan/picture', () => {
    let ws: string;
    let state: string;
    let client: LspClient;
    let file: string;
    const picture = (kind: string) => client.request<Result>('backplan/picture', { uri: uriOf(file), kind, state });

    beforeAll(async () => {
        ws = tempWorkspace({ acme: 'examples/small-master-offsite' });
        state = path.join(ws, '.state');
        file = path.join(ws, 'acme', 'acme.backplan');
        client = await LspClient.start(ws, { server: SERVER });
        await client.open(file);
        await client.waitForDiagnostics(file);
    });

    afterAll(async () => {
        await client?.stop();
        fs.rmSync(ws, { recursive: true, force: true });
    });

    test('topology: the SVG of `backplan graph`, and each element\'s declaration', async () => {
        const r = await picture('topology');
        expect(r.root).toBe(uriOf(file));
        expect(r.title).toBe('Acme PowerShare');
        expectSelfContainedSvg(r.svg!);
        for (const id of ['server:Cat1', 'server:Mail1', 'tape:Vault', 'folder:Sales', 'mail:Mail1']) expect(r.svg).toContain(`data-id="${id}"`);
        const lines = client.text(file).split('\n');
        const at = (id: string) => lines[r.declarations[id].range.start.line].slice(r.declarations[id].range.start.character);
        expect(at('server:Cat2')).toMatch(/^Cat2 \{/);
        expect(at('tape:Vault')).toMatch(/^Vault \{/);
        expect(at('folder:Sales')).toMatch(/^Sales on/);
        expect(at('backup:Nightly')).toMatch(/^Nightly/);
        expect(r.declarations['server:Cat2'].uri).toBe(uriOf(file));
    });

    test('follows an edit: a server added to the text is drawn, and declared where it was typed', async () => {
        const text = client.text(file);
        await client.change(file, `${text}\nserver Cat9 { role catalog host local data "/srv/c9" stop "true" start "true" }\nfolder Archive9 on Cat9\n`);
        const r = await picture('topology');
        expect(r.svg).toContain('data-id="server:Cat9"');
        expect(r.svg).toContain('data-id="folder:Archive9"');
        const cat9 = r.declarations['server:Cat9'].range.start;
        expect(client.text(file).split('\n')[cat9.line].slice(cat9.character)).toMatch(/^Cat9 \{/);
        expect(cat9.line).toBeGreaterThanOrEqual(text.split('\n').length - 1);
        // Archive9 has one copy: the picture says so in words.
        expect(r.svg).toContain('only one copy');
        await client.change(file, text);
        expect((await picture('topology')).svg).not.toContain('server:Cat9');
    });

    test('backup window and history: before any run, the estimate and an empty history; then the journal of the state folder', async () => {
        const before = await picture('backupWindow');
        expectSelfContainedSvg(before.svg!);
        expect(before.svg).toContain('Estimated backup window');
        expect(before.svg).toContain('data-id="server:Cat1"');
        const empty = await picture('history');
        expectSelfContainedSvg(empty.svg!);
        expect(empty.svg).toContain('No backup run in the journal yet');

        const journal = journalFile(state, file);
        fs.mkdirSync(path.dirname(journal), { recursive: true });
        const t = (s: number) => new Date(Date.UTC(2026, 10, 25, 2, 0, s)).toISOString();
        const step = (event: string, name: string, s: number, extra: object = {}) => ({ type: 'step', event, run: 'R1', time: t(s), step: name, server: 'Cat1', policy: 'Nightly', tape: 'Vault', ...extra });
        fs.writeFileSync(journal, [
            { type: 'run', event: 'begin', run: 'R1', time: t(0), verb: 'backup', command: 'backplan backup', pid: 1, host: 'h', runbook: file },
            step('begin', 'stop', 1, { restart: { command: 'true', host: 'local', env: {} } }), step('end', 'stop', 2, { ok: true }),
            step('begin', 'archive', 2), step('end', 'archive', 5, { ok: false, error: 'ssh: connect to host cat1.acme.lan: Connection refused' }),
            step('begin', 'start', 5), step('end', 'start', 6, { ok: true }),
            { type: 'run', event: 'end', run: 'R1', time: t(7), ok: false, error: 'Cat1: archive failed' }
        ].map(r => JSON.stringify(r)).join('\n') + '\n');
        const window = await picture('backupWindow');
        expect(window.svg).toContain('backup run R1');
        expect(window.svg).toContain('stopped 5 s');
        const history = await picture('history');
        expect(history.svg).toContain('⚠ failed');
        expect(history.svg).toContain('Connection refused');
    });

    test('a runbook without a backup block: no window, a message that says why; an unknown kind is refused', async () => {
        const text = client.text(file);
        await client.change(file, text.replace(/backup Nightly \{[^}]*\}/, ''));
        const r = await picture('backupWindow');
        expect(r.svg).toBeUndefined();
        expect(r.message).toMatch(/no backup block/);
        expect((await picture('topology')).svg).toContain('data-id="server:Cat1"');
        await client.change(file, text);
        await expect(picture('map')).rejects.toThrow(/unknown picture kind map/);
    });
});
