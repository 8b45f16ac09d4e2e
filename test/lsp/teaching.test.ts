/**
 * The editor teaches the language (issue 16.4, 16.6), over the real protocol: keyword hovers
 * and completion items documented from docs/language.md, completion that offers only what
 * may still be written (no attribute twice, snippets only where a declaration may start),
 * a typed space that opens completion after `on`, `servers`, `to` and `role` only, and
 * diagnostics whose hover and code link lead to their own rule.
 */
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
    CompletionItemKind, CompletionTriggerKind, type CompletionItem, type CompletionList, type Diagnostic, type Hover, type Position
} from 'vscode-languageserver-protocol';
import { LspClient, REPO, tempWorkspace, uriOf } from './lsp-client.js';

/** The position of the `nth` occurrence of `needle` in `text` (plus `shift` characters). */
function positionOf(text: string, needle: string, nth = 1, shift = 0): Position {
    let at = -1;
    for (let i = 0; i < nth; i++) {
        at = text.indexOf(needle, at + 1);
        if (at < 0) throw new Error(`"${needle}" #${nth} not in the text`);
    }
    return positionAt(text, at + shift);
}

function positionAt(text: string, offset: number): Position {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('keyword hover and completion, context-aware completion', () => {
    let ws: string;
    let client: LspClient;
    let opened = false;
    const probe = () => path.join(ws, 'probe.backplan');

    /** Writes and opens (or changes) the probe file, and waits until it is checked. */
    async function write(text: string): Promise<void> {
        writeFileSync(probe(), text);
        if (opened) {
            await client.change(probe(), text);
        } else {
            client.forgetDiagnostics(probe());
            await client.open(probe());
            opened = true;
        }
        await client.waitForDiagnostics(probe());
    }

    async function hoverAt(position: Position): Promise<string> {
        const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: uriOf(probe()) }, position });
        return (hover?.contents as { value: string } | undefined)?.value ?? '';
    }

    async function complete(position: Position, triggerCharacter?: string): Promise<CompletionItem[]> {
        const context = triggerCharacter
            ? { triggerKind: CompletionTriggerKind.TriggerCharacter, triggerCharacter }
            : { triggerKind: CompletionTriggerKind.Invoked };
        const list = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri: uriOf(probe()) }, position, context });
        return list.items;
    }

    const labels = (items: CompletionItem[], kind: CompletionItemKind = CompletionItemKind.Keyword) => items.filter(i => i.kind === kind).map(i => i.label);

    beforeAll(async () => {
        ws = tempWorkspace({});
        writeFileSync(probe(), '');
        client = await LspClient.start(ws);
    });
    afterAll(async () => {
        await client?.stop();
        rmSync(ws, { recursive: true, force: true });
    });

    test('hover on a keyword: what it means where it is written, and where to read more', async () => {
        const text = [
            'runbook "Acme" { require offsite }',
            'tape Vault { at "/mnt/vault" offsite keep last 3 daily 7 }',
            'server Cat1 { role catalog master host local data "/srv/cat1" stop "true" start "true" timeout 5m }',
            'folder People on Cat1 { path "people" }',
            'backup Nightly { servers Cat1 to Vault schedule "0 2 * * *" rolling }',
            ''
        ].join('\n');
        await write(text);
        const tapeOffsite = await hoverAt(positionOf(text, 'offsite', 2, 2));
        expect(tapeOffsite).toContain('`offsite` · *optional* — The tape leaves the building');
        expect(tapeOffsite).toContain(`(${uriOf(path.join(REPO, 'docs/language.md'))}#tape)`);
        expect(await hoverAt(positionOf(text, 'offsite', 1, 2))).toContain('`require offsite` — every folder');
        expect(await hoverAt(positionOf(text, 'master'))).toContain('The master catalog server, which must hold every folder');
        expect(await hoverAt(positionOf(text, 'rolling'))).toContain('One server at a time');
        expect(await hoverAt(positionOf(text, 'daily'))).toContain('`daily N` — the newest archive of each of the last N days');
        expect(await hoverAt(positionOf(text, 'timeout'))).toContain('How long its `stop`, `start`, `dump` and `load` may each take');
        expect(await hoverAt(positionOf(text, 'tape'))).toContain('`tape` — A backup destination');
        // On a name, the declaration's hover, not a keyword's.
        expect(await hoverAt(positionOf(text, 'Vault', 2))).toContain('**tape** `Vault`');
        // Every keyword of the file has a hover.
        for (const keyword of ['runbook', 'require', 'at', 'keep', 'last', 'server', 'role', 'catalog', 'host', 'local', 'data', 'stop', 'start',
            'folder', 'on', 'path', 'backup', 'servers', 'to', 'schedule']) {
            const at = new RegExp(`(?<![\\w"/-])${keyword}(?![\\w"-])`).exec(text)!.index;
            expect(await hoverAt(positionAt(text, at + 1)), keyword).toMatch(/ — /);
        }
    });

    test('completion items of keywords carry the same documentation', async () => {
        const text = 'server Cat1 {\n  role catalog\n  \n}\n';
        await write(text);
        const items = await complete({ line: 2, character: 2 });
        const host = items.find(i => i.label === 'host' && i.kind === CompletionItemKind.Keyword)!;
        expect(host.detail).toBe('host local · host "ssh://[user@]host[:port]"');
        expect((host.documentation as { value: string }).value).toContain('The server is this machine');
        expect((host.documentation as { value: string }).value).toContain('language.md#server');
    });

    test('an attribute already set is not offered again; `keep` may repeat', async () => {
        const text = [
            'server S { role mail host local data "/srv/mail"  }',
            'tape T { at "/x" keep last 1 offsite  }',
            'backup B { servers S to T rolling  }',
            'folder F on S { path "f"  }',
            ''
        ].join('\n');
        await write(text);
        const server = labels(await complete(positionOf(text, '"/srv/mail" ', 1, 12)));
        expect(server).toEqual(expect.arrayContaining(['stop', 'start', 'timeout']));
        expect(server).not.toEqual(expect.arrayContaining(['role']));
        for (const set of ['role', 'host', 'data']) expect(server).not.toContain(set);
        const tape = labels(await complete(positionOf(text, 'offsite ', 1, 8)));
        expect(tape).toEqual(expect.arrayContaining(['keep', 'key-file']));
        expect(tape).not.toContain('at');
        expect(tape).not.toContain('offsite');
        const backup = labels(await complete(positionOf(text, 'rolling ', 1, 8)));
        expect(backup).toContain('schedule');
        for (const set of ['servers', 'to', 'rolling', 'parallel']) expect(backup).not.toContain(set);
        expect(labels(await complete(positionOf(text, '"f" ', 1, 4)))).not.toContain('path');
        // Values inside an attribute are still offered: `master` after `role catalog`.
        const role = 'server C { role catalog  host local }\n';
        await write(role);
        expect(labels(await complete(positionOf(role, 'catalog ', 1, 8)))).toContain('master');
    });

    test('declaration snippets only where a declaration may start', async () => {
        const text = 'server Cat1 { role catalog host local data "/srv/cat1" }\n\nserver Cat2 {  }\nfolder F on \n';
        await write(text);
        const top = await complete({ line: 1, character: 0 });
        expect(labels(top, CompletionItemKind.Snippet).sort()).toEqual(['backup', 'drill', 'folder', 'folder', 'server', 'tape']);
        const snippet = top.find(i => i.kind === CompletionItemKind.Snippet && i.label === 'server')!;
        expect(snippet.insertTextFormat).toBe(2);
        expect((snippet.documentation as { value: string }).value).toContain('A machine that holds data');
        const inside = await complete(positionOf(text, 'Cat2 { ', 1, 7));
        expect(labels(inside, CompletionItemKind.Snippet)).toEqual([]);
        expect(labels(inside)).toContain('role');
        const afterOn = await complete(positionOf(text, 'on ', 1, 3));
        expect(labels(afterOn, CompletionItemKind.Snippet)).toEqual([]);
        expect(labels(afterOn)).toEqual([]);
        expect(afterOn.map(i => i.label)).toEqual(expect.arrayContaining(['Cat1', 'Cat2']));
    });

    test('a typed space opens completion after `on`, `servers`, `to` and `role`, and nowhere else', async () => {
        expect(client.initializeResult!.capabilities.completionProvider?.triggerCharacters).toContain(' ');
        const text = [
            'tape Vault { at "/mnt/vault" }',
            'server Mail { role mail host local data "/srv/mail" stop "systemctl to " start "x" }',
            'server Cat1 { role  }',
            'folder F on ',
            'backup B { servers Mail to  }',
            'backup C { servers  }',
            ''
        ].join('\n');
        await write(text);
        const names = async (p: Position) => (await complete(p, ' ')).map(i => i.label);
        expect(await names(positionOf(text, 'F on ', 1, 5))).toEqual(expect.arrayContaining(['Cat1']));
        expect(await names(positionOf(text, 'role  ', 1, 5))).toEqual(expect.arrayContaining(['mail', 'catalog']));
        expect(await names(positionOf(text, 'to  ', 1, 3))).toEqual(expect.arrayContaining(['Vault']));
        expect(await names(positionOf(text, 'C { servers ', 1, 12))).toEqual(expect.arrayContaining(['Mail', 'Cat1']));
        // Elsewhere a space yields nothing: after other keywords, names, or inside a string.
        expect(await names(positionOf(text, 'Vault { ', 1, 8))).toEqual([]);
        expect(await names(positionOf(text, 'host local ', 1, 11))).toEqual([]);
        expect(await names(positionOf(text, 'systemctl to ', 1, 13))).toEqual([]);
        expect(await names(positionOf(text, 'backup B ', 1, 9))).toEqual([]);
        // Invoked by hand, the same place completes as usual.
        expect((await complete(positionOf(text, 'Vault { ', 1, 8))).map(i => i.label)).toContain('offsite');
    });
});

describe('diagnostics link to their rule', () => {
    test('codeDescription.href: the rule\'s section of rules.md, or a command URI when the client asks for one', async () => {
        const ws = tempWorkspace({ broken: 'examples/broken' });
        const file = path.join(ws, 'broken/schedule-retention.backplan');
        let client = await LspClient.start(ws);
        try {
            const diagnostics = await client.waitForDiagnostics(file, d => d.length > 0);
            const schedule = diagnostics.find(d => d.code === 'schedule.invalid')!;
            expect(schedule.codeDescription?.href).toBe(`${uriOf(path.join(REPO, 'docs/rules.md'))}#schedule-invalid`);
            await client.open(file);
            const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: uriOf(file) }, position: schedule.range.start });
            const value = (hover.contents as { value: string }).value;
            // The message as Markdown: backticks stay code, a cron's stars are not emphasis.
            expect(value).toContain('**Error** `schedule.invalid`: Schedule "0 0 2 \\* \\* \\*" has 6 fields');
            expect(value).toContain('*Why:* The seed\'s first rule wants a copy "on tape"');
            expect(value).toContain(`[Rule \`schedule.invalid\`: when, why, how to fix](${schedule.codeDescription!.href})`);
            const retention = diagnostics.find(d => d.code === 'retention.invalid')!;
            const hover2 = await client.request<Hover>('textDocument/hover', { textDocument: { uri: uriOf(file) }, position: retention.range.start });
            expect((hover2.contents as { value: string }).value).toContain('`keep daily 0`');
        } finally {
            await client.stop();
        }
        client = await LspClient.start(ws, { initializationOptions: { docLinkCommand: 'backplan.showDocumentation' } });
        try {
            const diagnostics: Diagnostic[] = await client.waitForDiagnostics(file, d => d.length > 0);
            const href = diagnostics.find(d => d.code === 'schedule.invalid')!.codeDescription!.href;
            expect(href.startsWith('command:backplan.showDocumentation?')).toBe(true);
            expect(JSON.parse(decodeURIComponent(href.slice(href.indexOf('?') + 1)))).toEqual(['rules.md', 'schedule-invalid']);
        } finally {
            await client.stop();
            rmSync(ws, { recursive: true, force: true });
        }
    });
});
