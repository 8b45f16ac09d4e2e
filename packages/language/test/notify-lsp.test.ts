/**
 * The editor features for `notify` blocks and `stale after`, on the language services the
 * server uses: hover says what a block does, completion in a `for` list offers the backups
 * not yet named, every `notify.invalid` with a mechanical fix gets a quick fix whose edit
 * removes the diagnostic, and the formatter lays a notify block out like the others.
 */
import { describe, expect, test } from 'vitest';
import type { CompletionList } from 'vscode-languageserver';
import { MAIL_RUNBOOK } from './helpers.js';
import { codesAfter, fixes as fixesOf, format, hover, position, workspace } from './lsp-support.js';

const RUNBOOK = `${MAIL_RUNBOOK.replace('to Shelf', 'to Shelf schedule "0 2 * * *" stale after 26h')}backup Weekly { servers Mail to Shelf schedule "@weekly" }\n`;

const fixes = (text: string): ReturnType<typeof fixesOf> => fixesOf(text, 'notify.invalid');

describe('hover', () => {
    test('a backup: its schedule in words and its stale age', async () => {
        expect(await hover(RUNBOOK, 'Nightly')).toContain('**backup** `Nightly` — Mail to `Shelf`, rolling; runs at 02:00 (`0 2 * * *`), stale after 26h');
    });

    test('a notify block: events, blocks, target', async () => {
        const text = `${RUNBOOK}notify Ops { on start failure for Weekly webhook "https://hooks.example.com/b" }\nnotify Pager { command "/usr/local/bin/page" }\n`;
        expect(await hover(text, 'Ops')).toContain('**notify** `Ops` — on start, failure of Weekly · webhook `https://hooks.example.com/b`');
        expect(await hover(text, 'Pager')).toContain('**notify** `Pager` — on failure, stale of every block · runs `/usr/local/bin/page`');
    });
});

test('completion in a `for` list: the backups not named yet, each saying what it is', async () => {
    const text = `${RUNBOOK}notify Ops { for Nightly,  command "/bin/true" }\n`;
    const ws = await workspace(text);
    const list = await ws.lsp.lsp.CompletionProvider!.getCompletion(ws.doc, {
        textDocument: { uri: ws.doc.uri.toString() }, position: position(text, 'Nightly, ', 'Nightly, '.length)
    }) as CompletionList;
    const backups = list.items.filter(i => i.detail?.startsWith('backup'));
    expect(backups.map(i => i.label)).toEqual(['Weekly']);
    expect(backups[0].detail).toBe('backup of Mail to Shelf, @weekly');
});

describe('quick fixes for notify.invalid', () => {
    test('no target: three skeletons, each of which leaves no notify.invalid', async () => {
        const text = `${RUNBOOK}notify Ops {\n  on failure\n}\n`;
        const { actions } = await fixes(text);
        expect(actions.map(a => a.title)).toEqual([
            'Add a `webhook` target (JSON POST of each event)',
            'Add a `healthchecks` target (healthchecks.io pings)',
            'Add a `command` target (runs on the runner)'
        ]);
        const first = await codesAfter(text, actions[0]);
        expect(first.text).toContain('notify Ops {\n  on failure\n  webhook "https://hooks.example.com/backplan"\n}');
        for (const action of actions) expect((await codesAfter(text, action)).codes).toEqual([]);
    });

    test('a second target: delete it, the first stays', async () => {
        const text = `${RUNBOOK}notify Ops { webhook "https://a.example.com"; command "/bin/page"; on failure }\n`;
        const { actions } = await fixes(text);
        const after = await codesAfter(text, actions[0]);
        expect(after.text).toContain('notify Ops { webhook "https://a.example.com"; on failure }');
        expect(after.codes).toEqual([]);
    });

    test('an unknown `for` name: the closest backup first', async () => {
        const text = `${RUNBOOK}notify Ops { for Weekyl command "/bin/page" }\n`;
        const { diagnostics, actions } = await fixes(text);
        expect(diagnostics.map(d => (d.data as { problem?: string }).problem)).toEqual(['unknown-for']);
        expect(actions.map(a => a.title)).toEqual(['Change to backup Weekly', 'Change to backup Nightly']);
        expect((await codesAfter(text, actions[0])).codes).toEqual([]);
    });
});

test('formatting: a notify block gets one attribute per line', async () => {
    const text = `${MAIL_RUNBOOK.replace('to Shelf', 'to Shelf   stale   after 26h')}notify Ops { on failure   stale for Nightly ; webhook "https://h.example.com" }\n`;
    const formatted = await format(text);
    expect(formatted).toContain('backup Nightly {\n  servers Mail\n  to Shelf\n  stale after 26h\n}');
    expect(formatted).toContain('notify Ops {\n  on failure stale\n  for Nightly;\n  webhook "https://h.example.com"\n}\n');
});
