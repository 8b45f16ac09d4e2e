/**
 * Proves that the constructs of DESIGN §8 parse exactly as written: the example of §8
 * verbatim (unchanged from DESIGN.md), `stale after` on a backup, and `notify` blocks with
 * their events (default failure + stale), `for` names and one target — and that the runbook
 * model gives the runner the same values.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { isNotify, type Notify } from '@backplan/language';
import { buildRunbookModel } from '@backplan/language/model';
import { checkFiles } from './helpers.js';
import { parse } from './parse-support.js';

const fixture = path.resolve(__dirname, 'fixtures/design-notify-example.backplan');
const example = readFileSync(fixture, 'utf8');
const designDoc = path.resolve(__dirname, '../../../../shared/DESIGN.md');
const declarations = `tape Vault { at "/mnt/tape/acme" }
server Mail1 { role mail host local data "/srv/mail" stop "systemctl stop postfix" start "systemctl start postfix" }
server Cat1 { role catalog host local data "/srv/catalog" stop "systemctl stop slapd" start "systemctl start slapd" }
folder People on Cat1
`;

describe('the example of DESIGN §8', () => {
    test.skipIf(!existsSync(designDoc))('the fixture is the example of §8, verbatim', () => {
        const text = readFileSync(designDoc, 'utf8');
        const section = text.slice(text.indexOf('## 8. Unattended runs'));
        expect(example).toBe(/```backplan\n([\s\S]*?)```/.exec(section)![1]);
    });

    test('parses without errors, and with the servers and tape it names checks clean', async () => {
        const result = parse(example);
        expect([...result.lexerErrors, ...result.parserErrors]).toEqual([]);
        const checked = await checkFiles({ 'main.backplan': `import "servers.backplan"\n${example}`, 'servers.backplan': declarations });
        expect(checked.diagnostics('main.backplan').map(d => `${d.code}: ${d.message}`)).toEqual([]);
    });

    test('the model gives stale after, events, blocks and targets as written', async () => {
        const checked = await checkFiles({ 'main.backplan': `${declarations}${example}` });
        const doc = checked.documents.get('main.backplan')!;
        const model = buildRunbookModel(doc.uri, [{ uri: doc.uri, ast: doc.parseResult.value }]);
        expect(model.backups.map(b => [b.name, b.schedule, b.staleAfterMs])).toEqual([['Nightly', '0 2 * * *', 26 * 3600_000]]);
        expect(model.notifies.map(n => ({ name: n.name, events: n.events, blocks: n.blocks?.map(b => b.name), target: n.target }))).toEqual([
            { name: 'Ops', events: ['failure', 'stale'], blocks: undefined, target: { kind: 'webhook', url: 'https://hooks.example.com/backplan' } },
            { name: 'Ping', events: ['failure', 'stale'], blocks: ['Nightly'], target: { kind: 'healthchecks', url: 'https://hc-ping.com/UUID' } },
            { name: 'Pager', events: ['failure', 'stale'], blocks: undefined, target: { kind: 'command', command: '/usr/local/bin/page-ops' } }
        ]);
        expect(model.notifiesFor('Nightly', 'failure').map(n => n.name)).toEqual(['Ops', 'Ping', 'Pager']);
        expect(model.notifiesFor('Weekly', 'stale').map(n => n.name)).toEqual(['Ops', 'Pager']);
        expect(model.notifiesFor('Nightly', 'start')).toEqual([]);
    });
});

describe('notify blocks', () => {
    test('attributes in any order, with `;`, every event, several `for` names', () => {
        const ast = parse('notify Ops { command "/bin/page"; for A, B; on start success failure stale; }').value;
        const notify = ast.declarations.find(isNotify) as Notify;
        expect(notify.on[0].events).toEqual(['start', 'success', 'failure', 'stale']);
        expect(notify.for[0].refs.map(r => r.$refText)).toEqual(['A', 'B']);
        expect(notify.command).toEqual(['/bin/page']);
    });

    test('`stale` and `after` are keywords: `stale after` needs a duration', () => {
        const result = parse('backup B { stale after 26 }');
        expect(result.parserErrors.length + result.lexerErrors.length).toBeGreaterThan(0);
    });
});
