/**
 * The stop-window syntax of DESIGN §10 parses exactly as written: the DESIGN example verbatim
 * (and unchanged from DESIGN.md), each form of `snapshot`, `dump`, `load`, `exclude` and
 * `ready`, and the model the engine reads from them (ServerModel's exact fields).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ServerModel } from '@backplan/language';
import { checkFiles, rows } from './helpers.js';
import { parse } from './parse-support.js';

const fixture = readFileSync(path.resolve(__dirname, 'fixtures/design-stop-windows.backplan'), 'utf8');
const designDoc = path.resolve(__dirname, '../../../../shared/DESIGN.md');

/** The models of the servers of a one-file runbook, and its diagnostics. */
async function servers(text: string): Promise<{ servers: readonly ServerModel[]; diagnostics: ReturnType<typeof rows> }> {
    const result = await checkFiles({ 'main.backplan': text });
    const doc = result.documents.get('main.backplan')!;
    const model = result.services.workspace.RunbookGraph.modelsOf(doc.uri)[0];
    return { servers: model.servers, diagnostics: rows(result.diagnostics('main.backplan')) };
}

/** What the engine reads of a server's stop window. */
function stopWindow(s: ServerModel) {
    return { name: s.name, snapshot: s.snapshot, dump: s.dump, load: s.load, exclude: s.exclude, ready: s.ready, timeoutMs: s.timeoutMs };
}

const BASE = 'role catalog host local data "/srv/dir" stop "systemctl stop slapd" start "systemctl start slapd"';

describe('the DESIGN §10 example', () => {
    test.skipIf(!existsSync(designDoc))('the fixture is the example of DESIGN.md §10, verbatim', () => {
        const design = readFileSync(designDoc, 'utf8');
        const section = design.slice(design.indexOf('## 10.'));
        expect(fixture).toBe(/```backplan\n([\s\S]*?)```/.exec(section)![1]);
    });

    test('parses and checks clean, and gives the engine every value as written', async () => {
        expect(parse(fixture).parserErrors).toEqual([]);
        const { servers: models, diagnostics } = await servers(fixture);
        expect(diagnostics).toEqual([]);
        expect(models.map(stopWindow)).toEqual([
            { name: 'Cat1', snapshot: { kind: 'btrfs' }, dump: undefined, load: undefined, exclude: ['cache', 'run/*.pid'], ready: undefined, timeoutMs: 300_000 },
            { name: 'Dir2', snapshot: undefined, dump: 'slapcat -n 1', load: 'slapadd -n 1 -q', exclude: [], ready: undefined, timeoutMs: undefined }
        ]);
    });
});

describe('each form', () => {
    test('`snapshot "CREATE" "DELETE"`, with `;` and on one line', async () => {
        const { servers: [s], diagnostics } = await servers(`server Dir { ${BASE}; snapshot "lvcreate -s -n bp vg/dir" "lvremove -f vg/bp"; }\n`);
        expect(diagnostics).toEqual([]);
        expect(s.snapshot).toEqual({ kind: 'command', create: 'lvcreate -s -n bp vg/dir', delete: 'lvremove -f vg/bp' });
    });

    test('`exclude` lines add up, in order; `ready` with escaped quotes', async () => {
        const text = `server Dir {\n  ${BASE}\n  exclude "cache"\n  ready "ldapsearch -b \\"\\" -s base"\n  exclude "run/*.pid" "tmp/*";\n}\n`;
        const { servers: [s], diagnostics } = await servers(text);
        expect(diagnostics).toEqual([]);
        expect([s.exclude, s.ready]).toEqual([['cache', 'run/*.pid', 'tmp/*'], 'ldapsearch -b "" -s base']);
    });

    test('a server without any of them: no snapshot, no dump, exclude []', async () => {
        const { servers: [s] } = await servers(`server Dir { ${BASE} }\n`);
        expect(stopWindow(s)).toEqual({ name: 'Dir', snapshot: undefined, dump: undefined, load: undefined, exclude: [], ready: undefined, timeoutMs: undefined });
    });

    test('an invalid exclude pattern is left out of the model (exclude.invalid refuses the run)', async () => {
        const { servers: [s], diagnostics } = await servers(`server Dir { ${BASE} exclude "cache" "/abs" "" "../up" }\n`);
        expect(diagnostics.map(d => d.code)).toEqual(['exclude.invalid', 'exclude.invalid', 'exclude.invalid']);
        expect(s.exclude).toEqual(['cache']);
    });

    test.each([
        ['`snapshot` with one command', `server Dir { ${BASE} snapshot "lvcreate" }`],
        ['`snapshot` with nothing', `server Dir { ${BASE} snapshot }`],
        ['`exclude` without a pattern', `server Dir { ${BASE} exclude }`],
        ['`dump` without a command', `server Dir { ${BASE} dump }`],
        ['`snapshot zfs` (only btrfs is built in)', `server Dir { ${BASE} snapshot zfs }`],
        ['a new keyword as a name', 'server dump { role catalog host local data "/srv/d" }']
    ])('%s is a syntax error', (_title, text) => {
        expect(parse(text).parserErrors.length).toBeGreaterThan(0);
    });
});
