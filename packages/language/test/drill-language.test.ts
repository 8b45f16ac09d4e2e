/**
 * `drill` blocks (DESIGN §11): the example of §11 parses exactly as written and checks
 * clean beside the servers and tape it names; the model gives the runner the servers
 * (listed, or those some backup sends to `from`), the tape, pick and test; drills never
 * change coverage; and the editor features (hover, completion, quick fixes, formatting,
 * notify `for`) know them.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CompletionList } from 'vscode-languageserver';
import { buildRunbookModel, type RunbookModel } from '@backplan/language/model';
import { checkFiles, MAIL_RUNBOOK } from './helpers.js';
import { parse } from './parse-support.js';
import { codesAfter, fixes, format, hover, position, workspace } from './lsp-support.js';

const example = readFileSync(path.resolve(__dirname, 'fixtures/design-drill-example.backplan'), 'utf8');
const designDoc = path.resolve(__dirname, '../../../../shared/DESIGN.md');
const declarations = `tape Vault { at "/mnt/tape/acme" }
server Mail1 { role mail host local data "/srv/mail" stop "systemctl stop postfix" start "systemctl start postfix" }
server Cat1 { role catalog host local data "/srv/catalog" stop "systemctl stop slapd" start "systemctl start slapd" }
server Cat2 { role catalog host local data "/srv/catalog2" stop "systemctl stop slapd" start "systemctl start slapd" }
folder People on Cat1, Cat2
backup Nightly { servers Mail1, Cat1 to Vault }
backup Cat2Nightly { servers Cat2 to Vault }
`;

async function modelOf(text: string): Promise<RunbookModel> {
    const checked = await checkFiles({ 'main.backplan': text });
    const doc = checked.documents.get('main.backplan')!;
    return buildRunbookModel(doc.uri, [{ uri: doc.uri, ast: doc.parseResult.value }]);
}

describe('the example of DESIGN §11', () => {
    test.skipIf(!existsSync(designDoc))('the fixture is the example of §11, verbatim', () => {
        const text = readFileSync(designDoc, 'utf8');
        expect(example).toBe(/```backplan\n([\s\S]*?)```/.exec(text.slice(text.indexOf('## 11. Restore drills')))![1]);
    });

    test('parses without errors, and with the servers and tape it names checks clean', async () => {
        const result = parse(example);
        expect([...result.lexerErrors, ...result.parserErrors]).toEqual([]);
        const checked = await checkFiles({ 'main.backplan': `import "servers.backplan"\n${example}`, 'servers.backplan': declarations });
        expect(checked.diagnostics('main.backplan').map(d => `${d.code}: ${d.message}`)).toEqual([]);
    });

    test('the model gives servers, tape, schedule, pick and test as written', async () => {
        const model = await modelOf(`${declarations}${example}`);
        expect(model.drills.map(d => ({ name: d.name, servers: d.servers.map(s => s.name), listed: d.serversListed, tape: d.tape?.name, schedule: d.schedule, pick: d.pick, test: d.test }))).toEqual([
            { name: 'Weekly', servers: ['Mail1', 'Cat1'], listed: true, tape: 'Vault', schedule: '0 4 * * 0', pick: 'newest', test: '/usr/local/bin/check-ldap-copy' }
        ]);
        expect(model.drill(model.drills[0].node)).toBe(model.drills[0]);
    });
});

describe('the drill model', () => {
    test('without `servers`: every server some backup sends to `from`, in backup order; pick defaults to newest', async () => {
        const model = await modelOf(`${declarations}drill All { from Vault }\n`);
        expect(model.drills[0].servers.map(s => s.name)).toEqual(['Mail1', 'Cat1', 'Cat2']);
        expect(model.drills[0].serversListed).toBe(false);
        expect(model.drills[0].pick).toBe('newest');
        expect(model.drills[0].test).toBeUndefined();
    });

    test('pick random and oldest', async () => {
        expect((await modelOf(`${declarations}drill R { from Vault pick random }\n`)).drills[0].pick).toBe('random');
        expect((await modelOf(`${declarations}drill O { from Vault pick oldest }\n`)).drills[0].pick).toBe('oldest');
    });

    test('drills are coverage-independent: a drill of a server adds no copy', async () => {
        const single = `tape Shelf { at "/var/backups/shelf" }\nserver Mail { role mail host local data "/srv/mail" stop "a" start "b" }\n`;
        const withDrill = `${single}drill D { servers Mail from Shelf }\n`;
        const copies = (m: RunbookModel): number[] => [...m.coverage.values()].map(c => c.copies);
        expect(copies(await modelOf(withDrill))).toEqual(copies(await modelOf(single)));
        const checked = await checkFiles({ 'main.backplan': withDrill });
        expect(checked.diagnostics('main.backplan').map(d => d.code)).toEqual(expect.arrayContaining(['coverage.single-copy', 'drill.invalid']));
    });

    test('notify `for` names drills and backups alike', async () => {
        const model = await modelOf(`${declarations}drill Weekly { from Vault }\nnotify Ops { for Weekly, Nightly command "/bin/page" }\n`);
        expect(model.notifies[0].blocks?.map(b => b.name)).toEqual(['Weekly', 'Nightly']);
        expect(model.notifiesFor('Weekly', 'failure').map(n => n.name)).toEqual(['Ops']);
    });
});


describe('editor features', () => {
    test('hover over a drill: what it restores, from where, how picked, when', async () => {
        const text = `${MAIL_RUNBOOK}drill Weekly { from Shelf pick random test "/bin/check" schedule "0 4 * * 0" }\n`;
        expect(await hover(text, 'Weekly')).toContain('**drill** `Weekly` — restores Mail from `Shelf`, random archive, then its `test`; runs at 04:00, only on Sunday (`0 4 * * 0`)');
    });

    test('hover over `pick` shows its row of docs/language.md', async () => {
        const text = `${MAIL_RUNBOOK}drill Weekly { from Shelf pick random }\n`;
        expect(await hover(text, 'pick')).toContain('`pick newest` · *default* — Which archive of each server');
    });

    test('completion after `pick`: the three orders, documented', async () => {
        const text = `${MAIL_RUNBOOK}drill Weekly { from Shelf pick  }\n`;
        const ws = await workspace(text);
        const list = await ws.lsp.lsp.CompletionProvider!.getCompletion(ws.doc, {
            textDocument: { uri: ws.doc.uri.toString() }, position: position(text, 'pick ', 'pick '.length)
        }) as CompletionList;
        const labels = list.items.map(i => i.label);
        expect(labels).toEqual(expect.arrayContaining(['newest', 'oldest', 'random']));
        expect(labels).not.toContain('from');
    });

    test('completion in a notify `for` list offers drills with what they do', async () => {
        const text = `${MAIL_RUNBOOK}drill Weekly { servers Mail from Shelf }\nnotify Ops { for Nightly,  command "/bin/true" }\n`;
        const ws = await workspace(text);
        const list = await ws.lsp.lsp.CompletionProvider!.getCompletion(ws.doc, {
            textDocument: { uri: ws.doc.uri.toString() }, position: position(text, 'Nightly, ', 'Nightly, '.length)
        }) as CompletionList;
        expect(list.items.filter(i => i.detail?.startsWith('drill')).map(i => [i.label, i.detail])).toEqual([['Weekly', 'drill of Mail from Shelf']]);
    });

    test('quick fixes: a bad pick, an unknown tape, a missing from', async () => {
        const bad = `${MAIL_RUNBOOK}drill Weekly { from Shelf pick latest }\n`;
        const pick = await fixes(bad, 'drill.invalid');
        expect(pick.actions.map(a => a.title)).toEqual(['Pick the newest archive', 'Pick the oldest archive', 'Pick the random archive']);
        expect((await codesAfter(bad, pick.actions[0])).codes).toEqual([]);

        const unknown = `${MAIL_RUNBOOK}drill Weekly { from Shelv }\n`;
        const tape = await fixes(unknown, 'drill.invalid');
        expect(tape.actions[0].title).toBe('Change to tape Shelf');
        expect((await codesAfter(unknown, tape.actions[0])).codes).toEqual([]);

        const missing = `${MAIL_RUNBOOK}drill Weekly {\n  pick oldest\n}\n`;
        const from = await fixes(missing, 'drill.invalid');
        expect(from.actions.map(a => a.title)).toEqual(['Restore from tape Shelf']);
        const after = await codesAfter(missing, from.actions[0]);
        expect(after.text).toContain('drill Weekly {\n  pick oldest\n  from Shelf\n}');
        expect(after.codes).toEqual([]);
    });

    test('formatting: one attribute per line, like a backup', async () => {
        const text = `${MAIL_RUNBOOK}drill Weekly { servers Mail  from Shelf pick   random test "/bin/check" }\n`;
        expect(await format(text)).toContain('drill Weekly {\n  servers Mail\n  from Shelf\n  pick random\n  test "/bin/check"\n}\n');
    });
});
