/**
 * Rule explanations for hovers: one section of docs/rules.md per code, and the one-line
 * summary of rule-codes.ts when the document cannot be found.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { RULES } from '../../packages/language/out/index.js';
import { DocLinks, LoadedDoc } from '../../packages/language/out/lsp/doc-files.js';
import { DefaultRuleDocumentation } from '../../packages/language/out/lsp/rule-documentation.js';
import { REPO } from './lsp-client.js';

describe('rule documentation', () => {
    test('every rule code has a section in docs/rules.md, without its examples', () => {
        const docs = new DefaultRuleDocumentation();
        docs.useFile(path.join(REPO, 'docs/rules.md'));
        for (const rule of RULES) {
            const text = docs.explain(rule.code)!;
            expect(text, rule.code).toContain(`\`${rule.code}\``);
            expect(text, rule.code).toContain('docs/rules.md');
            expect(text, rule.code).not.toContain('```');
        }
    });

    test('every rule has one or two lines of why, and a link to its own section', () => {
        const docs = new DefaultRuleDocumentation();
        docs.useFile(path.join(REPO, 'docs/rules.md'));
        for (const rule of RULES) {
            const why = docs.why(rule.code)!;
            expect(why.length, rule.code).toBeGreaterThan(20);
            expect(why.length, `${rule.code}: ${why}`).toBeLessThanOrEqual(320);
            expect(why, rule.code).not.toMatch(/^\*\*Why/);
            expect(docs.link(rule.code), rule.code).toBe(`${pathToFileURL(path.join(REPO, 'docs/rules.md'))}#${rule.code.replace(/\./g, '-')}`);
        }
    });

    test('with a docLinkCommand, links are command URIs naming the doc and the section', () => {
        const links = new DocLinks();
        links.useCommand('backplan.showDocumentation');
        const docs = new DefaultRuleDocumentation({ lsp: { DocLinks: links, LanguageServer: { onInitialize: () => undefined } } });
        docs.useFile(path.join(REPO, 'docs/rules.md'));
        const link = docs.link('backup.no-stop')!;
        expect(link.startsWith('command:backplan.showDocumentation?')).toBe(true);
        expect(JSON.parse(decodeURIComponent(link.slice(link.indexOf('?') + 1)))).toEqual(['rules.md', 'backup-no-stop']);
        // Links inside the text go to sections too; a doc the command cannot show stays a file link.
        expect(links.resolve('[a](#x) [b](language.md#tape) [c](runner.md) [d](nowhere.md)', path.join(REPO, 'docs/rules.md')))
            .toBe(`[a](${links.link('rules.md', 'x')}) [b](${links.link('language.md', 'tape')}) [c](${pathToFileURL(path.join(REPO, 'docs/runner.md'))}) d`);
    });

    test('falls back to the summary when the document is missing', () => {
        const docs = new DefaultRuleDocumentation();
        docs.useFile('/nonexistent/rules.md');
        // The repository's docs/rules.md is found relative to the module as a fallback.
        expect(docs.explain('coverage.single-copy')).toContain('coverage.single-copy');
        const bare = new (class extends DefaultRuleDocumentation {
            protected override readonly doc = new (class extends LoadedDoc {
                override get() {
                    return { sections: new Map() };
                }
            })('rules.md', 'BACKPLAN_RULES_DOC');
        })();
        expect(bare.explain('backup.no-stop')).toBe('**`backup.no-stop`** (error): A server in a backup lacks `stop` or `start`.');
        expect(bare.explain('no.such-code')).toBeUndefined();
        expect(bare.why('backup.no-stop')).toBe('A server in a backup lacks `stop` or `start`.');
        expect(bare.link('backup.no-stop')).toBeUndefined();
    });
});
