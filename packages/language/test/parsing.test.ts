/**
 * Proves that every construct of DESIGN §1 parses exactly as written: the DESIGN example
 * verbatim (and unchanged from DESIGN.md), `;` separators as in the bullets, attributes
 * separated by spaces or newlines and in any order, comments of every kind, and `/** … *\/`
 * attached to the declaration after it as its documentation.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { isBackup, isFolder, isServer, isTape, type Backup, type Document, type Folder, type Server, type Tape } from '@backplan/language';
import { createServices, check, rows } from './helpers.js';
import { parse, permutations, project } from './parse-support.js';

const fixture = path.resolve(__dirname, 'fixtures/design-example.backplan');
const designExample = readFileSync(fixture, 'utf8');
const designDoc = path.resolve(__dirname, '../../../../shared/DESIGN.md');

function declarations<T>(doc: Document, guard: (d: unknown) => d is T): T[] {
    return (doc.declarations as unknown[]).filter(guard);
}

describe('the DESIGN example', () => {
    test.skipIf(!existsSync(designDoc))('the fixture is the example of DESIGN.md, verbatim', () => {
        const block = /```backplan\n([\s\S]*?)```/.exec(readFileSync(designDoc, 'utf8'))![1];
        expect(designExample).toBe(block);
    });

    test('parses without errors and validates without any diagnostic', async () => {
        const doc = parse(designExample);
        expect(doc.lexerErrors).toEqual([]);
        expect(doc.parserErrors).toEqual([]);
        expect(rows(await check(designExample))).toEqual([]);
    });

    test('gives every value as written', () => {
        const ast = parse(designExample).value;
        expect(ast.headers.map(h => [h.title, h.requires.map(r => r.what)])).toEqual([['Acme PowerShare', ['offsite']]]);
        const [vault] = declarations<Tape>(ast, isTape);
        expect(vault.name).toBe('Vault');
        expect(vault.at).toEqual(['/mnt/tape/acme']);
        expect(vault.offsite).toHaveLength(1);
        expect(vault.keep.flatMap(k => k.rules.map(r => [r.period, r.count]))).toEqual([['last', 3], ['daily', 7], ['weekly', 4], ['monthly', 12]]);
        const servers = declarations<Server>(ast, isServer).map(s => ({
            name: s.name, role: s.role.map(r => [r.kind, r.master]), local: s.host.map(h => h.local), url: s.host.map(h => h.url),
            data: s.data, stop: s.stop, start: s.start
        }));
        expect(servers).toEqual([
            { name: 'Mail1', role: [['mail', false]], local: [true], url: [undefined], data: ['/srv/powershare/mail'], stop: ['systemctl stop powershare-mail'], start: ['systemctl start powershare-mail'] },
            { name: 'Cat1', role: [['catalog', true]], local: [false], url: ['ssh://admin@cat1.acme.lan'], data: ['/srv/powershare/catalog'], stop: ['systemctl stop powershare-catalog'], start: ['systemctl start powershare-catalog'] },
            { name: 'Cat2', role: [['catalog', false]], local: [false], url: ['ssh://admin@cat2.acme.lan:2222'], data: ['/srv/powershare/catalog'], stop: ['systemctl stop powershare-catalog'], start: ['systemctl start powershare-catalog'] }
        ]);
        expect(declarations<Folder>(ast, isFolder).map(f => [f.name, f.servers.map(s => s.$refText), f.path])).toEqual([
            ['Engineering', ['Cat1', 'Cat2'], []],
            ['Sales', ['Cat1', 'Cat2'], ['Sales Dept']]
        ]);
        const [nightly] = declarations<Backup>(ast, isBackup);
        expect([nightly.name, nightly.servers.flatMap(l => l.refs.map(r => r.$refText)), nightly.to.map(t => t.$refText), nightly.schedule, nightly.mode.map(m => [m.rolling, m.parallel])])
            .toEqual(['Nightly', ['Mail1', 'Cat1'], ['Vault'], ['0 2 * * *'], [[true, undefined]]]);
    });
});

describe('separators and order', () => {
    const withSemicolons = `import "other.backplan";
runbook "Semi" { require offsite; };
tape Vault { at "/mnt/vault"; offsite; keep last 3 daily 7; }
server Mail { role mail; host local; data "/srv/mail"; stop "a"; start "b"; }
server Cat1 { role catalog master; host "ssh://admin@cat1.acme.lan:2222"; data "/srv/cat"; stop "a"; start "b" }
folder Sales on Cat1, Mail { path "Sales Dept"; };
folder People on Cat1;
backup Nightly { servers Mail, Cat1; to Vault; schedule "0 2 * * *"; parallel 2; }
`;
    const onOneLine = withSemicolons.replace(/;/g, '').replace(/\n/g, ' ');
    const onManyLines = withSemicolons.replace(/; /g, '\n  ').replace(/;/g, '');

    test('`;` after every attribute and declaration (the bullets of DESIGN §1)', () => {
        const doc = parse(withSemicolons);
        expect([...doc.lexerErrors, ...doc.parserErrors]).toEqual([]);
        expect(doc.value.declarations).toHaveLength(6);
    });

    test('spaces only, or newlines, give the same runbook as `;`', () => {
        expect(onManyLines).toContain('\n  host local\n');
        for (const text of [onOneLine, onManyLines]) {
            const doc = parse(text);
            expect([...doc.lexerErrors, ...doc.parserErrors]).toEqual([]);
            expect(project(doc.value)).toEqual(project(parse(withSemicolons).value));
        }
    });

    const server = ['role catalog master', 'host "ssh://backup@cat.lan"', 'data "/srv/cat"', 'stop "systemctl stop slapd"', 'start "systemctl start slapd"'];
    const tape = ['at "/mnt/vault"', 'offsite', 'keep daily 7 weekly 4'];
    const backup = ['servers Cat, Mail', 'to Vault', 'schedule "@daily"', 'parallel 2'];

    test.each([
        ['server Cat', server], ['tape Vault', tape], ['backup Nightly', backup]
    ] as const)('%s: every order of its attributes gives the same declaration', (head, attributes) => {
        const orders = permutations(attributes);
        const expected = project(parse(`${head} { ${attributes.join(' ')} }`).value);
        for (const order of orders) {
            const doc = parse(`${head} {\n  ${order.join('\n  ')}\n}`);
            expect([...doc.lexerErrors, ...doc.parserErrors], order.join(' ')).toEqual([]);
            expect(project(doc.value), order.join(' ')).toEqual(expected);
        }
        expect(orders.length).toBe([1, 1, 2, 6, 24, 120][attributes.length]);
    });

    test('`keep` periods in any order; `rolling` and `parallel N`; `role mail`', () => {
        const doc = parse('tape T { keep yearly 2 monthly 6 weekly 4 daily 7 hourly 24 last 1 }\nbackup B { rolling }\nbackup P { parallel 3 }\nserver M { role mail }');
        expect([...doc.lexerErrors, ...doc.parserErrors]).toEqual([]);
        const [t, b, p, m] = doc.value.declarations as [Tape, Backup, Backup, Server];
        expect(t.keep[0].rules.map(r => `${r.period}=${r.count}`)).toEqual(['yearly=2', 'monthly=6', 'weekly=4', 'daily=7', 'hourly=24', 'last=1']);
        expect([b.mode[0].rolling, p.mode[0].parallel, m.role[0].kind, m.role[0].master]).toEqual([true, 3, 'mail', false]);
    });

    test('a folder without a block, and with an empty one', () => {
        const doc = parse('folder A on X\nfolder B on X, Y {}\nfolder C on X { path "c" }');
        expect([...doc.lexerErrors, ...doc.parserErrors]).toEqual([]);
        expect(doc.value.declarations.map(d => (d as Folder).path)).toEqual([[], [], ['c']]);
    });
});

describe('comments', () => {
    const text = `// a line comment at the top
/* a block comment */
runbook "R" /* inside */ { require offsite // after
}
/**
 * The vault: off-site.
 */
tape Vault { at "/mnt/vault" /* where */ offsite }
/* not documentation */
server Cat1 { role catalog host local data "/srv/cat1" }
/** The mail server. */
server Mail { role mail host local data "/srv/mail" }
// not documentation either
folder Sales on Cat1
/** Every night. */ backup Nightly { servers Mail to Vault }
`;

    test('every kind of comment is skipped wherever it stands', () => {
        const doc = parse(text);
        expect([...doc.lexerErrors, ...doc.parserErrors]).toEqual([]);
        expect(doc.value.declarations.map(d => d.name)).toEqual(['Vault', 'Cat1', 'Mail', 'Sales', 'Nightly']);
    });

    test('`/** … */` before a declaration is its documentation (CommentProvider, DocumentationProvider)', () => {
        const services = createServices();
        const ast = parse(text, services).value;
        const docs = ast.declarations.map(d => services.documentation.DocumentationProvider.getDocumentation(d)?.trim());
        expect(docs).toEqual(['The vault: off-site.', undefined, 'The mail server.', undefined, 'Every night.']);
        const comments = ast.declarations.map(d => services.documentation.CommentProvider.getComment(d));
        expect(comments[0]).toMatch(/^\/\*\*\n \* The vault: off-site\.\n \*\/$/);
        expect(comments[2]).toBe('/** The mail server. */');
    });
});
