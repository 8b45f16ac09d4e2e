/**
 * Proves that docs/rules.md and the checker agree: every code has its anchor (the SARIF
 * helpUri points there) and a section whose "Fails:" example gives that code and whose
 * "Fixed:" example does not (a block starting `// file: NAME` is file NAME of the example).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { RULES } from '@backplan/language';
import { checkFiles } from './helpers.js';

const doc = readFileSync(path.resolve(__dirname, '../../../docs/rules.md'), 'utf8');

/** The text of the section of one code: from its anchor to the next anchor. */
function section(code: string): string | undefined {
    const start = doc.indexOf(`<a id="${code.replace(/\./g, '-')}"></a>`);
    if (start < 0) return undefined;
    const next = doc.indexOf('<a id="', start + 1);
    return doc.slice(start, next < 0 ? undefined : next);
}

/**
 * The ```backplan blocks right after a label line such as "Fails:" or "Fixed (two files):",
 * as files: a block that starts with `// file: NAME` is NAME, otherwise main.backplan.
 */
function example(text: string, label: string): Record<string, string> | undefined {
    const at = new RegExp(`^${label}(?: \\([^)]*\\))?:\\s*\\n`, 'm').exec(text);
    if (!at) return undefined;
    const files: Record<string, string> = {};
    const blocks = /^\s*```backplan\n([\s\S]*?)```\n?/;
    let rest = text.slice(at.index + at[0].length);
    for (let m = blocks.exec(rest); m; rest = rest.slice(m[0].length), m = blocks.exec(rest)) {
        const name = /^\/\/ file: (\S+)/.exec(m[1])?.[1] ?? 'main.backplan';
        files[name] = m[1];
    }
    return Object.keys(files).length > 0 ? files : undefined;
}

/** Every code the files give, in any file. */
async function codes(files: Record<string, string>): Promise<string[]> {
    const result = await checkFiles(files);
    return Object.keys(files).flatMap(name => result.diagnostics(name).map(d => String(d.code)));
}

describe.each(RULES.map(r => [r.code]))('%s', code => {
    test('has its anchor and a "Fails:" example that gives the code', async () => {
        const text = section(code);
        expect(text, `no <a id="${code.replace(/\./g, '-')}"> in docs/rules.md`).toBeDefined();
        const fails = example(text!, 'Fails');
        expect(fails, 'no Fails: example').toBeDefined();
        expect(await codes(fails!)).toContain(code);
    });

    test('its "Fixed:" example, when given, does not', async () => {
        const fixed = example(section(code) ?? '', 'Fixed');
        if (fixed === undefined) return;
        expect(await codes(fixed)).not.toContain(code);
    });
});
