/**
 * The editor side of the stop-window syntax (DESIGN §10): every keyword of the grammar has
 * its documentation, shown on hover and in completion, and docs/language.md lists the same
 * keywords; the formatter lays the new attributes out one per line; each mechanical quick
 * fix removes its diagnostic.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { AstUtils, EmptyFileSystem, GrammarAST, URI, type LangiumDocument } from 'langium';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver';
import { createBackplanLspServices } from '@backplan/language/lsp';

const languageDoc = readFileSync(path.resolve(__dirname, '../../../docs/language.md'), 'utf8');
let counter = 0;

/** A fresh LSP workspace holding one built and validated document. */
async function open(text: string): Promise<{ doc: LangiumDocument; services: ReturnType<typeof createBackplanLspServices>['Backplan'] }> {
    const { shared, Backplan } = createBackplanLspServices(EmptyFileSystem);
    const doc = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file(`/ws/stop-window-${counter++}.backplan`));
    shared.workspace.LangiumDocuments.addDocument(doc);
    await shared.workspace.DocumentBuilder.build([doc], { validation: true });
    return { doc, services: Backplan };
}

function applyEdits(doc: LangiumDocument, edits: readonly TextEdit[]): string {
    const text = doc.textDocument.getText();
    const sorted = [...edits].sort((a, b) => doc.textDocument.offsetAt(b.range.start) - doc.textDocument.offsetAt(a.range.start));
    return sorted.reduce((t, e) => t.slice(0, doc.textDocument.offsetAt(e.range.start)) + e.newText + t.slice(doc.textDocument.offsetAt(e.range.end)), text);
}

/** The word keywords of the grammar. */
function grammarKeywords(grammar: GrammarAST.Grammar): GrammarAST.Keyword[] {
    return AstUtils.streamAllContents(grammar).filter(GrammarAST.isKeyword).filter(k => /\w/.test(k.value)).toArray();
}

const NEW_KEYWORDS = ['snapshot', 'btrfs', 'dump', 'load', 'exclude', 'ready'];
const SERVER = 'server Dir { role catalog host local data "/srv/dir" stop "a" start "b" snapshot btrfs dump "slapcat" load "slapadd" exclude "cache" ready "probe" }\n';

describe('keyword documentation', () => {
    test('each new keyword is a row of the server table in docs/language.md', () => {
        for (const keyword of NEW_KEYWORDS.filter(k => k !== 'btrfs')) expect(languageDoc, keyword).toMatch(new RegExp(`^\\| \`${keyword}[ \`]`, 'm'));
    });

    test.each(NEW_KEYWORDS)('hover over `%s` shows its documentation', async keyword => {
        const { doc, services } = await open(SERVER);
        const offset = SERVER.indexOf(` ${keyword} `) + 2;
        const hover = await services.lsp.HoverProvider!.getHoverContent(doc, { textDocument: { uri: doc.uri.toString() }, position: doc.textDocument.positionAt(offset) });
        const value = (hover?.contents as { value: string } | undefined)?.value ?? '';
        expect(value).toContain(`\`${keyword === 'btrfs' ? 'snapshot btrfs' : keyword}`);
        expect(value).not.toMatch(/\/\*\*|\*\//);
    });

    test('completion of a server attribute carries the same documentation', async () => {
        const text = 'server Dir { role catalog host local data "/srv/dir"  }\n';
        const { doc, services } = await open(text);
        const list = await services.lsp.CompletionProvider!.getCompletion(doc, { textDocument: { uri: doc.uri.toString() }, position: doc.textDocument.positionAt(text.indexOf('  }') + 1) });
        const items = new Map(list!.items.map(i => [i.label, i]));
        for (const keyword of ['snapshot', 'dump', 'load', 'exclude', 'ready']) {
            expect((items.get(keyword)?.documentation as { value: string } | undefined)?.value, keyword).toContain(`\`${keyword}`);
        }
    });
});

describe('formatter', () => {
    test('one attribute per line; snapshot and exclude lists stay on their line', async () => {
        const text = 'server Dir { role catalog host local data "/srv/dir"   snapshot   "lvcreate" "lvremove" ;  dump "slapcat"\n load "slapadd" exclude "cache"   "run/*.pid" ready "probe" }\n'
            + 'server Cat { role catalog host local data "/srv/cat" snapshot btrfs }\n';
        const { doc, services } = await open(text);
        const edits = await services.lsp.Formatter!.formatDocument(doc, { textDocument: { uri: doc.uri.toString() }, options: { tabSize: 4, insertSpaces: true } });
        expect(applyEdits(doc, edits)).toBe([
            'server Dir {',
            '  role catalog',
            '  host local',
            '  data "/srv/dir"',
            '  snapshot "lvcreate" "lvremove";',
            '  dump "slapcat"',
            '  load "slapadd"',
            '  exclude "cache" "run/*.pid"',
            '  ready "probe"',
            '}',
            '',
            'server Cat {',
            '  role catalog',
            '  host local',
            '  data "/srv/cat"',
            '  snapshot btrfs',
            '}',
            ''
        ].join('\n'));
    });
});

/** The quick fixes of the first diagnostic with `code`, and the codes left after applying each. */
async function fixes(text: string, code: string): Promise<Array<{ title: string; text: string; codes: string[] }>> {
    const { doc, services } = await open(text);
    const diagnostic = doc.diagnostics!.find(d => d.code === code) as Diagnostic;
    expect(diagnostic, `no ${code} in:\n${text}`).toBeDefined();
    const actions = await services.lsp.CodeActionProvider!.getCodeActions(doc, {
        textDocument: { uri: doc.uri.toString() }, range: diagnostic.range, context: { diagnostics: [diagnostic] }
    }) as CodeAction[];
    return Promise.all(actions.map(async a => {
        const fixed = applyEdits(doc, a.edit!.changes![doc.uri.toString()]);
        const after = await open(fixed);
        return { title: a.title, text: fixed, codes: after.doc.diagnostics!.map(d => String(d.code)) };
    }));
}

describe('quick fixes', () => {
    const lines = (...attributes: string[]): string =>
        `tape Vault { at "/mnt/vault" }\nserver Dir {\n  role catalog\n  host local\n  data "/srv/dir"\n${attributes.map(a => `  ${a}\n`).join('')}}\nbackup Nightly { servers Dir to Vault }\n`;

    test('quiesce.conflict: keep the dump, or keep the snapshot', async () => {
        const found = await fixes(lines('stop "a"', 'start "b"', 'snapshot btrfs', 'dump "slapcat"', 'load "slapadd"'), 'quiesce.conflict');
        expect(found.map(f => f.title)).toEqual(['Keep the dump: remove `snapshot` from server Dir', 'Keep the snapshot: remove `dump` and `load` from server Dir']);
        expect(found[0].text).toBe(lines('stop "a"', 'start "b"', 'dump "slapcat"', 'load "slapadd"'));
        expect(found[1].text).toBe(lines('stop "a"', 'start "b"', 'snapshot btrfs'));
        expect(found.map(f => f.codes)).toEqual([[], []]);
    });

    test('quiesce.conflict on one line: the rest of the line stays', async () => {
        const text = 'tape Vault { at "/mnt/vault" }\nserver Dir { role catalog host local data "/srv/dir" stop "a" start "b" snapshot "c" "d"; dump "e" load "f" }\nbackup Nightly { servers Dir to Vault }\n';
        const [keepDump, keepSnapshot] = await fixes(text, 'quiesce.conflict');
        expect(keepDump.text).toContain('start "b" dump "e" load "f" }');
        expect(keepSnapshot.text).toContain('start "b" snapshot "c" "d"; }');
    });

    test('server.dump-incomplete: add the missing `load` (or `dump`)', async () => {
        const [addLoad] = await fixes(lines('stop "a"', 'start "b"', 'dump "slapcat"'), 'server.dump-incomplete');
        expect([addLoad.title, addLoad.text, addLoad.codes]).toEqual(['Add a `load` command to server Dir', lines('stop "a"', 'start "b"', 'dump "slapcat"', 'load "…"'), []]);
        const [addDump] = await fixes(lines('stop "a"', 'start "b"', 'load "slapadd"'), 'server.dump-incomplete');
        expect(addDump.text).toBe(lines('stop "a"', 'start "b"', 'load "slapadd"', 'dump "…"'));
    });

    test('restore.no-stop: add `stop` and `start` skeletons', async () => {
        const [fix] = await fixes(lines('dump "slapcat"', 'load "slapadd"'), 'restore.no-stop');
        expect([fix.title, fix.text, fix.codes]).toEqual(['Add `stop` and `start` commands to server Dir', lines('dump "slapcat"', 'load "slapadd"', 'stop "…"', 'start "…"'), []]);
    });

    test('exclude.invalid: an absolute pattern inside the data folder becomes relative to it', async () => {
        const [fix] = await fixes(lines('stop "a"', 'start "b"', 'exclude "cache" "/srv/dir/run/*.pid"'), 'exclude.invalid');
        expect([fix.title, fix.text, fix.codes]).toEqual(['Write the pattern relative to the data folder: "run/*.pid"', lines('stop "a"', 'start "b"', 'exclude "cache" "run/*.pid"'), []]);
        const [elsewhere] = await fixes(lines('stop "a"', 'start "b"', 'exclude "/tmp"'), 'exclude.invalid');
        expect(elsewhere.text).toBe(lines('stop "a"', 'start "b"', 'exclude "tmp"'));
        expect(await fixes(lines('stop "a"', 'start "b"', 'exclude "../up"'), 'exclude.invalid')).toEqual([]);
    });
});
