import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { collectRunbookFiles, loadWorkspace } from '@backplan/language/node';

const examples = path.resolve(__dirname, '../../../examples');

describe('valid examples', () => {
    test('have no diagnostics at all', async () => {
        const files = (await collectRunbookFiles([examples])).filter(f => !f.includes(`${path.sep}broken${path.sep}`) && !f.includes(`${path.sep}demo${path.sep}`));
        expect(files.length).toBeGreaterThanOrEqual(8);
        const workspace = await loadWorkspace(files);
        const found = workspace.documents.flatMap(d => workspace.diagnostics(d).map(x => `${d.uri.path}: ${x.code} ${x.message}`));
        expect(found).toEqual([]);
    });
});

describe('every example, broken and demo ones too', () => {
    test('has no unsafe layout (tape.inside-data, server.data-root)', async () => {
        const workspace = await loadWorkspace(await collectRunbookFiles([examples]));
        const unsafe = workspace.documents.flatMap(d => workspace.diagnostics(d)
            .filter(x => x.code === 'tape.inside-data' || x.code === 'server.data-root')
            .map(x => `${d.uri.path}: ${x.code} ${x.message}`));
        expect(unsafe).toEqual([]);
    });
});
