/**
 * The language server over stdio, as an editor drives it: `node out/lsp/main.js --stdio`,
 * a temporary workspace copied from examples/, the real protocol (vscode-jsonrpc).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
    CodeAction, CompletionList, Diagnostic, Hover, InitializeResult, InlayHint, SemanticTokens, TextEdit, WorkspaceEdit
} from 'vscode-languageserver-protocol';
import { applyEdits, LspClient, REPO, tempWorkspace, uriOf } from './lsp-client.js';

const codes = (diagnostics: Diagnostic[]) => diagnostics.map(d => d.code);
const hasCode = (code: string) => (d: Diagnostic[]) => codes(d).includes(code);
const lacksCode = (code: string) => (d: Diagnostic[]) => !codes(d).includes(code);

/** Applies a workspace edit's changes to the files open in the client (others are opened first). */
async function applyWorkspaceEdit(client: LspClient, edit: WorkspaceEdit): Promise<void> {
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
        const file = new URL(uri).pathname;
        const text = client.text(file);
        await client.change(file, applyEdits(text, edits));
    }
}

describe('language server on a copy of examples/', () => {
    let ws: string;
    let client: LspClient;
    let init: InitializeResult;
    const file = (rel: string) => path.join(ws, 'examples', rel);

    beforeAll(async () => {
        ws = tempWorkspace({ examples: 'examples' });
        // An unrelated runbook in the same folder that also declares Dir1: rename must not touch it.
        writeFileSync(path.join(ws, 'examples/split-runbook/other.backplan'),
            'server Dir1 { role catalog host local data "/srv/other" }\nfolder Other on Dir1, Dir1b\nserver Dir1b { role catalog host local data "/srv/other-b" }\n');
        client = await LspClient.start(ws);
        init = client.initializeResult!;
    });
    afterAll(async () => {
        await client?.stop();
        rmSync(ws, { recursive: true, force: true });
    });

    test('publishes diagnostics at start-up for files nobody opened', async () => {
        const single = await client.waitForDiagnostics(file('broken/coverage-single-copy.backplan'), hasCode('coverage.single-copy'));
        expect(single.find(d => d.code === 'coverage.single-copy')!.message).toContain("Folder 'Sales'");
        expect(await client.waitForDiagnostics(file('small-master-offsite/acme.backplan'))).toEqual([]);
        expect(await client.waitForDiagnostics(file('split-runbook/folders.backplan'))).toEqual([]);
    });

    test('completion: roles, keep periods, keywords, and only the server names visible through imports', async () => {
        const probe = file('split-runbook/probe.backplan');
        const text = 'import "servers.backplan"\ntape T { at "/x" keep  }\nserver S { role  host  }\nfolder F on  \nbackup B { servers Dir1 to T  }\n\nserver R { role catalog  }\ntape U {  }\nbackup C { servers Dir1,  }\n';
        writeFileSync(probe, text);
        await client.open(probe);
        const labels = async (line: number, character: number) => {
            const list = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri: uriOf(probe) }, position: { line, character } });
            return list.items.map(i => i.label);
        };
        expect(await labels(1, 22)).toEqual(expect.arrayContaining(['last', 'daily', 'weekly', 'monthly', 'yearly', 'hourly']));
        expect(await labels(2, 16)).toEqual(expect.arrayContaining(['mail', 'catalog']));
        expect(await labels(2, 22)).toContain('local');
        const servers = await labels(3, 12);
        expect(servers).toEqual(expect.arrayContaining(['S', 'Dir1', 'Dir2', 'R']));
        expect(servers).not.toContain('Mail'); // a mail server holds no folders
        expect(servers).not.toContain('Cat1'); // declared in other runbooks only
        expect(servers).not.toContain('Dir1b');
        const backedUp = await labels(8, 25);
        expect(backedUp).toEqual(expect.arrayContaining(['Mail', 'Dir2']));
        expect(backedUp).not.toContain('Dir1'); // already in the list
        const backup = await labels(4, 29);
        expect(backup).toEqual(expect.arrayContaining(['rolling', 'parallel', 'schedule']));
        expect(backup).not.toContain('servers'); // set once already
        expect(backup).not.toContain('to');
        expect(await labels(5, 0)).toEqual(expect.arrayContaining(['tape', 'server', 'folder', 'backup']));
        expect(await labels(6, 24)).toEqual(expect.arrayContaining(['master', 'host', 'data', 'stop', 'start']));
        expect(await labels(7, 9)).toEqual(expect.arrayContaining(['at', 'offsite', 'keep']));
    });

    test('hover: kind and doc comment, folder copies, rule explanation', async () => {
        const acme = file('small-master-offsite/acme.backplan');
        await client.open(acme);
        const hover = async (f: string, line: number, character: number) =>
            (await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: uriOf(f) }, position: { line, character } }))?.contents as { value: string } | undefined;
        const cat1 = await hover(acme, 23, 8);
        expect(cat1!.value).toContain('**server** `Cat1`');
        expect(cat1!.value).toContain('The master: holds every folder');
        const engineering = await hover(acme, 39, 10);
        expect(engineering!.value).toContain('3 copies · 1 off-site');
        expect(engineering!.value).toContain('tape **Vault** (off-site)');
        expect(engineering!.value).toContain('server **Cat2** on `ssh://admin@cat2.acme.lan:2222`, `/srv/powershare/catalog/Engineering`');
        const single = file('broken/coverage-single-copy.backplan');
        await client.open(single);
        await client.waitForDiagnostics(single, hasCode('coverage.single-copy'));
        const rule = await hover(single, 5, 9);
        expect(rule!.value).toContain("**Error** `coverage.single-copy`: Folder 'Sales' exists only on Cat2");
        expect(rule!.value).toContain("*Why:* This is the seed's first rule");
        expect(rule!.value).toContain(`(${uriOf(path.join(REPO, 'docs/rules.md'))}#coverage-single-copy)`);
    });

    test('quick fix for coverage.single-copy: the edit removes the diagnostic', async () => {
        const single = file('broken/coverage-single-copy.backplan');
        await client.open(single);
        const diagnostics = await client.waitForDiagnostics(single, hasCode('coverage.single-copy'));
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
            textDocument: { uri: uriOf(single) }, range: diagnostics[0].range, context: { diagnostics }
        });
        expect(actions.map(a => a.title)).toEqual(["Add Cat1 to the servers of folder 'Sales'", 'Add Cat2 to backup Nightly']);
        for (const action of actions) {
            // Every action alone fixes the finding.
            const text = client.text(single);
            await applyWorkspaceEdit(client, action.edit!);
            await client.waitForDiagnostics(single, d => lacksCode('coverage.single-copy')(d) && !hasCode('linking-error')(d));
            await client.change(single, text);
            await client.waitForDiagnostics(single, hasCode('coverage.single-copy'));
        }
    });

    test('quick fixes for parallel → rolling and master.incomplete', async () => {
        const down = file('broken/backup-all-catalogs-down.backplan');
        await client.open(down);
        let diagnostics = await client.waitForDiagnostics(down, hasCode('backup.all-catalogs-down'));
        let d = diagnostics.find(x => x.code === 'backup.all-catalogs-down')!;
        let actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(down) }, range: d.range, context: { diagnostics: [d] } });
        expect(actions[0].edit!.changes![uriOf(down)]).toEqual([expect.objectContaining({ newText: 'rolling' })]);
        await applyWorkspaceEdit(client, actions[0].edit!);
        expect(client.text(down)).toContain('to Shelf rolling }');
        await client.waitForDiagnostics(down, d => lacksCode('backup.all-catalogs-down')(d) && lacksCode('backup.all-copies-down')(d));

        const copies = file('broken/backup-all-copies-down.backplan');
        await client.open(copies);
        d = (await client.waitForDiagnostics(copies, hasCode('backup.all-copies-down'))).find(x => x.code === 'backup.all-copies-down')!;
        actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(copies) }, range: d.range, context: { diagnostics: [d] } });
        expect(actions.map(a => [a.title, a.isPreferred])).toEqual([['Back up one server at a time (`rolling`)', true]]);
        await applyWorkspaceEdit(client, actions[0].edit!);
        expect(client.text(copies)).toContain('backup Nightly { servers Cat1, Cat2, Cat3 to Shelf rolling }');
        await client.waitForDiagnostics(copies, lacksCode('backup.all-copies-down'));

        const master = file('broken/master-rules.backplan');
        await client.open(master);
        diagnostics = await client.waitForDiagnostics(master, hasCode('master.incomplete'));
        d = diagnostics.find(x => x.code === 'master.incomplete')!;
        actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(master) }, range: d.range, context: { diagnostics: [d] } });
        expect(actions.map(a => a.title)).toEqual(["Add master Cat1 to the servers of folder 'Sales'"]);
        await applyWorkspaceEdit(client, actions[0].edit!);
        expect(client.text(master)).toContain('folder Sales on Cat2, Cat1');
        await client.waitForDiagnostics(master, lacksCode('master.incomplete'));
    });

    test('quick fix for coverage.no-offsite: back the holder up to an off-site tape', async () => {
        const offsite = file('broken/no-offsite-fixable.backplan');
        writeFileSync(offsite, [
            'runbook "Off-site" { require offsite }',
            'tape Shelf { at "/var/backups/shelf" }',
            'tape Vault { at "/mnt/vault" offsite }',
            'server Mail { role mail host local data "/srv/mail" stop "true" start "true" }',
            'server Cat1 { role catalog host local data "/srv/cat1" stop "true" start "true" }',
            'server Cat2 { role catalog host local data "/srv/cat2" stop "true" start "true" }',
            'folder People on Cat1, Cat2',
            'backup Nightly { servers Mail, Cat1 to Shelf }',
            'backup Weekly {',
            '  servers Cat1',
            '  to Vault',
            '}',
            ''
        ].join('\n'));
        await client.open(offsite);
        const diagnostics = await client.waitForDiagnostics(offsite, hasCode('coverage.no-offsite'));
        const d = diagnostics.find(x => x.code === 'coverage.no-offsite' && x.message.includes('Mail'))!;
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(offsite) }, range: d.range, context: { diagnostics: [d] } });
        expect(actions.map(a => a.title)).toEqual(['Add Mail to backup Weekly (off-site tape Vault)']);
        await applyWorkspaceEdit(client, actions[0].edit!);
        expect(client.text(offsite)).toContain('  servers Cat1, Mail\n');
        await client.waitForDiagnostics(offsite, lacksCode('coverage.no-offsite'));
    });

    test('quick fix for backup.no-stop keeps a one-line server on one line', async () => {
        const noStop = file('broken/backup-no-stop.backplan');
        await client.open(noStop);
        const d = (await client.waitForDiagnostics(noStop, hasCode('backup.no-stop'))).find(x => x.code === 'backup.no-stop')!;
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(noStop) }, range: d.range, context: { diagnostics: [d] } });
        await applyWorkspaceEdit(client, actions[0].edit!);
        expect(client.text(noStop)).toContain('server Mail { role mail host local data "/srv/mail" stop "…" start "…" }');
        await client.waitForDiagnostics(noStop, lacksCode('backup.no-stop'));
    });

    test('rename across the files of one runbook, and not in an unrelated runbook', async () => {
        const servers = file('split-runbook/servers.backplan');
        await client.open(servers);
        // `server Dir1 {` is on line 10.
        const edit = await client.request<WorkspaceEdit>('textDocument/rename', {
            textDocument: { uri: uriOf(servers) }, position: { line: 10, character: 8 }, newName: 'Directory1'
        });
        const files = Object.keys(edit.changes ?? {}).map(u => path.basename(new URL(u).pathname)).sort();
        // probe.backplan (written by the completion test) imports servers.backplan too; other.backplan does not.
        expect(files).toEqual(['folders.backplan', 'main.backplan', 'probe.backplan', 'servers.backplan']);
        const folders = file('split-runbook/folders.backplan');
        expect(applyEdits(client.text(folders), edit.changes![uriOf(folders)])).toContain('folder Staff on Directory1, Dir2');
        await expect(client.request('textDocument/rename', {
            textDocument: { uri: uriOf(servers) }, position: { line: 10, character: 8 }, newName: 'server'
        })).rejects.toThrow(/not a valid name/);
    });

    test('editing an imported file re-validates the files that import it', async () => {
        const servers = file('split-runbook/servers.backplan');
        const folders = file('split-runbook/folders.backplan');
        await client.open(servers);
        const text = client.text(servers);
        await client.change(servers, text.replace('role catalog\n  host "ssh://backup@dir2', 'role mail\n  host "ssh://backup@dir2'));
        await client.waitForDiagnostics(folders, hasCode('folder.on-mail-server'));
        await client.change(servers, text);
        await client.waitForDiagnostics(folders, d => d.length === 0);
    });

    test('import paths are links to the imported files', async () => {
        const main = file('split-runbook/main.backplan');
        await client.open(main);
        const links = await client.request<Array<{ range: { start: { line: number; character: number } }; target: string }>>(
            'textDocument/documentLink', { textDocument: { uri: uriOf(main) } });
        expect(links.map(l => [l.range.start.line, l.range.start.character, path.basename(new URL(l.target).pathname)])).toEqual([
            [4, 8, 'servers.backplan'], [5, 8, 'folders.backplan']
        ]);
    });

    test('definition and references across imports', async () => {
        const folders = file('split-runbook/folders.backplan');
        await client.open(folders);
        const line = client.text(folders).split('\n').findIndex(l => l.startsWith('folder Staff'));
        const definition = await client.request<Array<{ uri?: string; targetUri?: string }>>('textDocument/definition', {
            textDocument: { uri: uriOf(folders) }, position: { line, character: 17 }
        });
        expect(definition.map(l => path.basename(l.targetUri ?? l.uri!))).toEqual(['servers.backplan']);
        const references = await client.request<Array<{ uri: string }>>('textDocument/references', {
            textDocument: { uri: uriOf(folders) }, position: { line, character: 17 }, context: { includeDeclaration: false }
        });
        expect([...new Set(references.map(r => path.basename(new URL(r.uri).pathname)))].sort()).toEqual(['folders.backplan', 'main.backplan', 'probe.backplan']);
    });

    test('formatting over the protocol', async () => {
        const messy = file('split-runbook/messy.backplan');
        writeFileSync(messy, 'import "servers.backplan"\nfolder  Extra on Dir1 ,Dir2 {path "x"}\nbackup Weekly { servers Dir2   to Nas2 }\ntape Nas2 {at "/mnt/n"}\n');
        await client.open(messy);
        const edits = await client.request<TextEdit[]>('textDocument/formatting', {
            textDocument: { uri: uriOf(messy) }, options: { tabSize: 8, insertSpaces: false }
        });
        expect(applyEdits(client.text(messy), edits)).toBe(
            'import "servers.backplan"\n\nfolder Extra on Dir1, Dir2 { path "x" }\n\nbackup Weekly {\n  servers Dir2\n  to Nas2\n}\n\ntape Nas2 {\n  at "/mnt/n"\n}\n');
    });

    test('restic tapes: completion offers restic and password-file, hover and folder copies name the repository, formatting', async () => {
        const vault = file('split-runbook/restic-vault.backplan');
        writeFileSync(vault, 'import "servers.backplan"\nimport "folders.backplan"\ntape Vault {restic "sftp:backup@vault.lan:/srv/restic/acme"  password-file   "/etc/backplan/vault.pass" offsite}\nbackup Off { servers Dir1 to Vault }\ntape Probe {  }\n');
        await client.open(vault);
        const list = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri: uriOf(vault) }, position: { line: 4, character: 13 } });
        expect(list.items.map(i => i.label)).toEqual(expect.arrayContaining(['at', 'restic', 'password-file', 'offsite', 'keep']));
        const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: uriOf(vault) }, position: { line: 2, character: 7 } });
        expect((hover!.contents as { value: string }).value).toContain('**tape** `Vault` (off-site) restic `sftp:backup@vault.lan:/srv/restic/acme`');
        const edits = await client.request<TextEdit[]>('textDocument/formatting', {
            textDocument: { uri: uriOf(vault) }, options: { tabSize: 2, insertSpaces: true }
        });
        expect(applyEdits(client.text(vault), edits)).toContain(
            'tape Vault {\n  restic "sftp:backup@vault.lan:/srv/restic/acme"\n  password-file "/etc/backplan/vault.pass"\n  offsite\n}\n');
        rmSync(vault);
    });

    test('inlay hints after folders and mail servers', async () => {
        const acme = file('small-master-offsite/acme.backplan');
        await client.open(acme);
        const hints = await client.request<InlayHint[]>('textDocument/inlayHint', {
            textDocument: { uri: uriOf(acme) }, range: { start: { line: 0, character: 0 }, end: { line: 50, character: 0 } }
        });
        expect(hints.map(h => [h.position.line, h.label])).toEqual([
            [14, 'mail: 2 copies · 1 off-site'], [39, '3 copies · 1 off-site'], [40, '3 copies · 1 off-site']
        ]);
    });

    test('semantic tokens mark declarations and references by kind', async () => {
        const acme = file('small-master-offsite/acme.backplan');
        await client.open(acme);
        const legend = init.capabilities.semanticTokensProvider!.legend;
        const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: uriOf(acme) } });
        expect(tokens.data.length).toBeGreaterThan(0);
        const decoded: Array<{ line: number; character: number; length: number; type: string }> = [];
        let line = 0;
        let character = 0;
        for (let i = 0; i < tokens.data.length; i += 5) {
            const [dl, dc, length, type] = tokens.data.slice(i, i + 4);
            line += dl;
            character = dl === 0 ? character + dc : dc;
            decoded.push({ line, character, length, type: legend.tokenTypes[type] });
        }
        const lines = client.text(acme).split('\n');
        const text = (t: typeof decoded[0]) => lines[t.line].slice(t.character, t.character + t.length);
        const byText = new Map(decoded.map(t => [`${text(t)}@${t.line}`, t.type]));
        expect(byText.get('Vault@8')).toBe('struct');
        expect(byText.get('Cat1@23')).toBe('class');
        expect(byText.get('Engineering@39')).toBe('namespace');
        expect(byText.get('Nightly@42')).toBe('function');
        expect(byText.get('catalog@24')).toBe('enumMember');
    });

    test('outline and folding', async () => {
        const acme = file('small-master-offsite/acme.backplan');
        const symbols = await client.request<Array<{ name: string; kind: number }>>('textDocument/documentSymbol', { textDocument: { uri: uriOf(acme) } });
        expect(symbols.map(s => `${s.name}:${s.kind}`)).toEqual(['Vault:23', 'Mail1:5', 'Cat1:5', 'Cat2:5', 'Engineering:4', 'Sales:4', 'Nightly:24']);
        const folds = await client.request<Array<{ startLine: number; endLine: number; kind?: string }>>('textDocument/foldingRange', { textDocument: { uri: uriOf(acme) } });
        expect(folds).toEqual(expect.arrayContaining([
            expect.objectContaining({ startLine: 0, endLine: 3, kind: 'comment' }),
            expect.objectContaining({ startLine: 8, endLine: 11 })
        ]));
    });
});

describe('language server: imports from outside the workspace folder', () => {
    let client: LspClient;
    let root: string;
    afterAll(async () => {
        await client?.stop();
        rmSync(root, { recursive: true, force: true });
    });

    test('loads them, validates them, and re-validates importers when one is edited', async () => {
        root = mkdtempSync(path.join(tmpdir(), 'backplan-lsp-outside-'));
        mkdirSync(path.join(root, 'ws'));
        mkdirSync(path.join(root, 'shared'));
        const main = path.join(root, 'ws/main.backplan');
        const shared = path.join(root, 'shared/servers.backplan');
        writeFileSync(shared, 'server Mail {\n  role mail\n  host local\n  data "/srv/mail"\n}\n');
        writeFileSync(main, 'import "../shared/servers.backplan"\n\ntape Shelf {\n  at "/var/backups/shelf"\n}\n\nbackup Nightly {\n  servers Mail\n  to Shelf\n}\n');
        client = await LspClient.start(path.join(root, 'ws'));
        const diagnostics = await client.waitForDiagnostics(main, hasCode('backup.no-stop'));
        expect(codes(diagnostics)).not.toContain('linking-error');
        expect(codes(diagnostics)).not.toContain('import.unresolved');
        await client.waitForDiagnostics(shared); // published for the outside file too

        // The quick fix edits the server's file, outside the workspace folder.
        await client.open(main);
        const d = diagnostics.find(x => x.code === 'backup.no-stop')!;
        const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(main) }, range: d.range, context: { diagnostics: [d] } });
        expect(actions.map(a => a.title)).toEqual(['Add `stop` and `start` commands to server Mail']);
        expect(Object.keys(actions[0].edit!.changes!)).toEqual([uriOf(shared)]);
        await client.open(shared);
        await applyWorkspaceEdit(client, actions[0].edit!);
        expect(client.text(shared)).toBe('server Mail {\n  role mail\n  host local\n  data "/srv/mail"\n  stop "…"\n  start "…"\n}\n');
        // Editing the imported file re-validates the runbook that imports it.
        await client.waitForDiagnostics(main, lacksCode('backup.no-stop'));
    });

    test('an import added by an edit is loaded from disk', async () => {
        const main = path.join(root, 'ws/main.backplan');
        writeFileSync(path.join(root, 'shared/tapes.backplan'), 'tape Vault {\n  at "/mnt/vault"\n  offsite\n}\n');
        const text = client.text(main).replace('to Shelf', 'to Vault').replace('import "../shared/servers.backplan"', 'import "../shared/servers.backplan"\nimport "../shared/tapes.backplan"');
        await client.change(main, text);
        const diagnostics = await client.waitForDiagnostics(main, d => lacksCode('import.unresolved')(d) && lacksCode('linking-error')(d));
        expect(codes(diagnostics)).toEqual(['tape.unused']); // Shelf is now unused; Vault resolved
    });

    test('the client is asked to watch the outside folder, and a change reported there is re-checked', async () => {
        const tapes = path.join(root, 'shared/tapes.backplan');
        const watchers = client.registrations.filter(r => r.method === 'workspace/didChangeWatchedFiles')
            .flatMap(r => (r.registerOptions as { watchers: Array<{ globPattern: unknown }> }).watchers.map(w => w.globPattern));
        expect(watchers).toContainEqual({ baseUri: uriOf(path.join(root, 'shared')), pattern: '*.backplan' });
        writeFileSync(tapes, 'tape Vault {\n  at "relative/vault"\n  offsite\n}\n');
        client.diagnostics.delete(uriOf(tapes));
        await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(tapes), type: 2 }] });
        await client.waitForDiagnostics(tapes, hasCode('tape.location-invalid'));
    });
});

describe('language server: start-up timeline', () => {
    test('backplan/startupTimeline answers the milestones of start-up in their order, with the files read', async () => {
        const ws = tempWorkspace({ examples: 'examples/split-runbook' });
        const client = await LspClient.start(ws);
        try {
            await client.waitForDiagnostics(path.join(ws, 'examples/main.backplan'));
            const t = await client.request<Record<string, number> & { cpuAt: Record<string, number> }>('backplan/startupTimeline', null);
            const order = ['loaded', 'initialize', 'initialized', 'workspaceRead', 'linked', 'validated'];
            for (const [a, b] of order.slice(1).map((key, i) => [order[i], key])) expect(t[a], `${a} ≤ ${b}`).toBeLessThanOrEqual(t[b]);
            expect(t.files).toBe(3);
            expect(t.cpu).toBe(t.cpuAt.validated);
        } finally {
            await client.stop();
            rmSync(ws, { recursive: true, force: true });
        }
    });
});

describe('language server: backplan.validation.ignorePaths', () => {
    test('a configuration answered late still keeps the ignored files out', async () => {
        const ws = tempWorkspace({ examples: 'examples' });
        // The answer waits until the test has seen the question and let it go.
        let asked!: () => void;
        let release!: () => void;
        const question = new Promise<void>(resolve => { asked = resolve; });
        const released = new Promise<void>(resolve => { release = resolve; });
        const client = await LspClient.start(ws, {
            settings: { backplan: { validation: { ignorePaths: ['**/broken/**'] } } },
            beforeConfiguration: () => { asked(); return released; }
        });
        try {
            await question;
            release();
            await client.waitForDiagnostics(path.join(ws, 'examples/small-master-offsite/acme.backplan'));
            await client.waitForDiagnostics(path.join(ws, 'examples/split-runbook/main.backplan'));
            expect([...client.diagnostics.keys()].filter(u => u.includes('/broken/'))).toEqual([]);
            const coverage = await client.request<{ runbooks: Array<{ root: string }> }>('backplan/coverage', {});
            expect(coverage.runbooks.filter(r => r.root.includes('/broken/'))).toEqual([]);
        } finally {
            await client.stop();
            rmSync(ws, { recursive: true, force: true });
        }
    });

    test('files matching a pattern are not loaded from the workspace', async () => {
        const ws = tempWorkspace({ examples: 'examples' });
        const client = await LspClient.start(ws, { settings: { backplan: { validation: { ignorePaths: ['**/broken/**'] } } } });
        try {
            await client.waitForDiagnostics(path.join(ws, 'examples/small-master-offsite/acme.backplan'));
            await client.waitForDiagnostics(path.join(ws, 'examples/split-runbook/main.backplan'));
            expect([...client.diagnostics.keys()].filter(u => u.includes('/broken/'))).toEqual([]);
        } finally {
            await client.stop();
            rmSync(ws, { recursive: true, force: true });
        }
    });
});
