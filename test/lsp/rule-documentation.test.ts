/**
 * Rule explanations for hovers: one section of docs/rules.md per code, and the one-line
 * summary of rule-codes.ts when the document cannot be found.
 */
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { RULES } from '../../packages/language/out/index.js';
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

    test('falls back to the summary when the document is missing', () => {
        const docs = new DefaultRuleDocumentation();
        docs.useFile('/nonexistent/rules.md');
        // The repository's docs/rules.md is found relative to the module as a fallback.
        expect(docs.explain('coverage.single-copy')).toContain('coverage.single-copy');
        const bare = new (class extends DefaultRuleDocumentation {
            protected override load() {
                return new Map<string, string>();
            }
        })();
        expect(bare.explain('backup.no-stop')).toBe('**`backup.no-stop`** (error): A server in a backup lacks `stop` or `start`.');
        expect(bare.explain('no.such-code')).toBeUndefined();
    });
});
