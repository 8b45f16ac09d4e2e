/**
 * The formatter on every example runbook: idempotent (format(format(x)) == format(x)), never
 * changes the AST, keeps every comment, and produces the canonical layout.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CstUtils, EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import { createBackplanLspServices } from '../../packages/language/out/lsp/backplan-lsp-module.js';
import { applyEdits, REPO } from './lsp-client.js';

const { shared, Backplan } = createBackplanLspServices(EmptyFileSystem);
let counter = 0;

function parse(text: string): LangiumDocument {
    const doc = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file(`/format/${counter++}.backplan`));
    shared.workspace.LangiumDocuments.addDocument(doc);
    return doc;
}

async function format(text: string): Promise<string> {
    const doc = parse(text);
    const edits = await Backplan.lsp.Formatter!.formatDocument(doc, {
        textDocument: { uri: doc.uri.toString() }, options: { tabSize: 4, insertSpaces: false }
    });
    return applyEdits(text, edits);
}

/** The AST without positions and CST: what formatting must never change. */
function shape(text: string): string {
    const doc = parse(text);
    const strip = (value: unknown): unknown => {
        if (Array.isArray(value)) return value.map(strip);
        if (value && typeof value === 'object') {
            if ('$refText' in value) return { ref: (value as { $refText: string }).$refText };
            return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('$') || k === '$type').map(([k, v]) => [k, strip(v)]));
        }
        return value;
    };
    return JSON.stringify(strip(doc.parseResult.value));
}

function comments(text: string): string[] {
    const root = parse(text).parseResult.value.$cstNode!;
    return CstUtils.streamCst(root).filter(n => n.hidden && /COMMENT/.test((n as { tokenType?: { name: string } }).tokenType?.name ?? ''))
        .map(n => n.text.trim()).toArray();
}

function examples(dir = path.join(REPO, 'examples')): string[] {
    // Dot-folders hold scratch files of running demos, not examples.
    return readdirSync(dir).filter(name => !name.startsWith('.')).flatMap(name => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? examples(full) : name.endsWith('.backplan') ? [full] : [];
    });
}

describe('formatter', () => {
    for (const file of examples()) {
        test(`idempotent, same AST, comments kept: ${path.relative(REPO, file)}`, async () => {
            const text = readFileSync(file, 'utf8');
            const once = await format(text);
            const twice = await format(once);
            expect(twice).toBe(once);
            if (!file.includes('syntax-error')) expect(shape(once)).toBe(shape(text));
            expect(comments(once)).toEqual(comments(text));
        });
    }

    test('canonical layout: blocks, two-space attributes, blank lines, documentation kept attached', async () => {
        const text = [
            'import "a.backplan"   import "b.backplan"',
            'runbook "T" { require offsite }',
            '/** The vault. */',
            'tape Vault { at "/mnt/v" offsite keep last 3   daily 7 }',
            '// servers',
            'server Cat1 {',
            '      role catalog master  // the master',
            'host local data "/srv/c1" ; stop "x" start "y" }',
            'folder A on Cat1 ,Cat1',
            'folder B on Cat1 { path "b" }',
            'backup Nightly { servers Cat1 to Vault parallel 2 }'
        ].join('\n');
        expect(await format(text)).toBe([
            'import "a.backplan"',
            'import "b.backplan"',
            '',
            'runbook "T" {',
            '  require offsite',
            '}',
            '',
            '/** The vault. */',
            'tape Vault {',
            '  at "/mnt/v"',
            '  offsite',
            '  keep last 3 daily 7',
            '}',
            '',
            '// servers',
            'server Cat1 {',
            '  role catalog master  // the master',
            '  host local',
            '  data "/srv/c1";',
            '  stop "x"',
            '  start "y"',
            '}',
            '',
            'folder A on Cat1, Cat1',
            'folder B on Cat1 { path "b" }',
            '',
            'backup Nightly {',
            '  servers Cat1',
            '  to Vault',
            '  parallel 2',
            '}',
            ''
        ].join('\n'));
    });
});
