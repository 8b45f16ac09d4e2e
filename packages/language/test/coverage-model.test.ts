/**
 * Proves the one coverage model (DESIGN §1 "Coverage model") on every valid example: for each
 * folder and each mail server, the servers and tapes that hold a copy, the backups and
 * servers that put it on each tape, the number of copies and whether one is off-site.
 * Also: copies are counted as declared, whatever else is wrong with a holder or backup.
 */
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Coverage, RunbookModel } from '@backplan/language';
import { loadRunbook } from '@backplan/language/node';
import { checkFiles, WORKSPACE } from './helpers.js';

const examples = path.resolve(__dirname, '../../../examples');

/** Coverage as plain data: subject → "servers | tape(backups; servers) … | copies | offsite". */
function summary(model: RunbookModel): Record<string, string> {
    const describe = (c: Coverage) => [
        c.servers.map(s => s.name).join(','),
        c.tapes.map(t => `${t.tape.name}(${t.backups.map(b => b.name).join(',')};${t.servers.map(s => s.name).join(',')})`).join(' '),
        c.copies,
        c.offsite ? 'offsite' : 'on-site'
    ].join(' | ');
    return Object.fromEntries([...model.coverage.values()].map(c => [`${c.kind} ${c.subject.name}`, describe(c)]));
}

describe('coverage of each example', () => {
    test.each([
        ['single-mail/mail.backplan', {
            'mail Mail': 'Mail | Shelf(Nightly;Mail) | 2 | on-site'
        }],
        ['single-catalog/catalog.backplan', {
            'folder People': 'Directory | Shelf(Nightly;Directory) | 2 | on-site',
            'folder Groups': 'Directory | Shelf(Nightly;Directory) | 2 | on-site'
        }],
        ['replicated-catalog/replicated.backplan', {
            'folder Engineering': 'Cat1,Cat2 |  | 2 | on-site',
            'folder Sales': 'Cat2,Cat3 |  | 2 | on-site',
            'folder Support': 'Cat3,Cat1 |  | 2 | on-site'
        }],
        ['small-master-offsite/acme.backplan', {
            'folder Engineering': 'Cat1,Cat2 | Vault(Nightly;Cat1) | 3 | offsite',
            'folder Sales': 'Cat1,Cat2 | Vault(Nightly;Cat1) | 3 | offsite',
            'mail Mail1': 'Mail1 | Vault(Nightly;Mail1) | 2 | offsite'
        }],
        ['large-no-master/large.backplan', {
            'folder Research': 'East,West | Offsite(Weekly;East,West) | 3 | offsite',
            'folder Finance': 'West,North | Offsite(Weekly;West,North) | 3 | offsite',
            'folder Legal': 'North | Offsite(Weekly;North) | 2 | offsite',
            'folder Operations': 'East | Offsite(Weekly;East) | 2 | offsite',
            'mail Mail': 'Mail | Offsite(Weekly;Mail) | 2 | offsite'
        }],
        ['split-runbook/main.backplan', {
            'folder Staff': 'Dir1,Dir2 | Nas(Nightly;Dir1) | 3 | on-site',
            'folder Printers': 'Dir1 | Nas(Nightly;Dir1) | 2 | on-site',
            'mail Mail': 'Mail | Nas(Nightly;Mail) | 2 | on-site'
        }]
    ])('%s', async (file, expected) => {
        const { model, workspace } = await loadRunbook(path.join(examples, file));
        expect(summary(model)).toEqual(expected);
        expect(workspace.documents.flatMap(d => workspace.diagnostics(d))).toEqual([]);
    });

    test('header, paths, roles and the folders each server holds', async () => {
        const { model } = await loadRunbook(path.join(examples, 'small-master-offsite/acme.backplan'));
        expect([model.title, model.requireOffsite]).toEqual(['Acme PowerShare', true]);
        expect(model.folders.map(f => [f.name, f.path])).toEqual([['Engineering', 'Engineering'], ['Sales', 'Sales Dept']]);
        expect(model.servers.map(s => [s.name, s.role, s.master, s.host])).toEqual([
            ['Mail1', 'mail', false, { kind: 'local' }],
            ['Cat1', 'catalog', true, { kind: 'ssh', user: 'admin', hostname: 'cat1.acme.lan', port: 22 }],
            ['Cat2', 'catalog', false, { kind: 'ssh', user: 'admin', hostname: 'cat2.acme.lan', port: 2222 }]
        ]);
        expect(new Map([...model.foldersOf].map(([s, f]) => [s.name, f.map(x => x.name)]))).toEqual(new Map([['Mail1', []], ['Cat1', ['Engineering', 'Sales']], ['Cat2', ['Engineering', 'Sales']]]));
        expect(model.tapes.map(t => [t.name, t.at, t.offsite, t.keep])).toEqual([['Vault', '/mnt/tape/acme', true, { last: 3, daily: 7, weekly: 4, monthly: 12 }]]);
        expect(model.backups.map(b => [b.name, b.servers.map(s => s.name), b.tape?.name, b.schedule, b.parallel])).toEqual([['Nightly', ['Mail1', 'Cat1'], 'Vault', '0 2 * * *', 1]]);
    });
});

describe('copies are counted as declared', () => {
    test('a bad host, a missing stop, a bad schedule and a repeated attribute never remove a copy', async () => {
        const result = await checkFiles({
            'main.backplan': `tape Shelf { at "/var/backups/shelf" }
server Cat1 { role catalog host "http://nope" data "/srv/cat1" }
server Mail { role mail host local data "/srv/mail" data "/srv/mail2" }
folder People on Cat1
backup Nightly { servers Cat1, Mail to Shelf schedule "every night" parallel 2 }
`
        });
        const model = result.services.workspace.RunbookGraph.model(WORKSPACE + 'main.backplan');
        expect(summary(model)).toEqual({
            'folder People': 'Cat1 | Shelf(Nightly;Cat1) | 2 | on-site',
            'mail Mail': 'Mail | Shelf(Nightly;Mail) | 2 | on-site'
        });
        const codes = result.diagnostics('main.backplan').map(d => d.code);
        expect(new Set(codes)).toEqual(new Set(['host.invalid', 'backup.no-stop', 'schedule.invalid', 'attribute.duplicate']));
    });

    test('two backups to one tape count as one copy, and name both backups', async () => {
        const result = await checkFiles({
            'main.backplan': 'tape T { at "/t" }\nserver Cat1 { role catalog host local data "/a" stop "x" start "y" }\nfolder F on Cat1\nbackup A { servers Cat1 to T }\nbackup B { servers Cat1 to T }\n'
        });
        expect(summary(result.services.workspace.RunbookGraph.model(WORKSPACE + 'main.backplan'))).toEqual({ 'folder F': 'Cat1 | T(A,B;Cat1) | 2 | on-site' });
    });
});

describe('restic tapes', () => {
    const runbook = (offsiteTape: string): string => `runbook "Acme" { require offsite }
tape Shelf { at "/var/backups/shelf" }
${offsiteTape}
server Mail { role mail host local data "/srv/mail" stop "systemctl stop postfix" start "systemctl start postfix" }
server Cat1 { role catalog host "ssh://admin@cat1.acme.lan" data "/srv/cat1" stop "systemctl stop slapd" start "systemctl start slapd" }
folder People on Cat1
backup Nightly { servers Mail, Cat1 to Shelf }
backup Weekly { servers Mail, Cat1 to Vault }
`;
    const restic = 'tape Vault {\n  restic "sftp:backup@vault.acme.lan:/srv/restic/acme"\n  password-file "/etc/backplan/vault.pass"\n  offsite\n  keep daily 7\n}';
    const folder = 'tape Vault {\n  at "/mnt/vault"\n  offsite\n  keep daily 7\n}';

    async function modelOf(text: string): Promise<{ model: RunbookModel; codes: string[] }> {
        const result = await checkFiles({ 'main.backplan': text });
        return {
            model: result.services.workspace.RunbookGraph.model(WORKSPACE + 'main.backplan'),
            codes: result.diagnostics('main.backplan').map(d => String(d.code))
        };
    }

    test('count as copies exactly like folder tapes, off-site included', async () => {
        const withRestic = await modelOf(runbook(restic));
        const withFolder = await modelOf(runbook(folder));
        expect(withRestic.codes).toEqual([]);
        expect(summary(withRestic.model)).toEqual(summary(withFolder.model));
        expect(summary(withRestic.model)).toEqual({
            'folder People': 'Cat1 | Shelf(Nightly;Cat1) Vault(Weekly;Cat1) | 3 | offsite',
            'mail Mail': 'Mail | Shelf(Nightly;Mail) Vault(Weekly;Mail) | 3 | offsite'
        });
    });

    test('an on-site restic tape is no off-site copy', async () => {
        const { model, codes } = await modelOf(runbook(restic.replace('\n  offsite', '')));
        expect(summary(model)['mail Mail']).toBe('Mail | Shelf(Nightly;Mail) Vault(Weekly;Mail) | 3 | on-site');
        expect(codes.filter(c => c === 'coverage.no-offsite')).toHaveLength(2);
    });

    test('the model holds the repository and the password file, and no folder', async () => {
        const { model } = await modelOf(runbook(restic));
        const vault = model.tapes.find(t => t.name === 'Vault')!;
        expect([vault.at, vault.restic, vault.passwordFile, vault.offsite, vault.keep])
            .toEqual([undefined, 'sftp:backup@vault.acme.lan:/srv/restic/acme', '/etc/backplan/vault.pass', true, { daily: 7 }]);
    });
});
