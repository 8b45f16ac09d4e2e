/**
 * The explanation of each rule, read from `docs/rules.md` (one section per code, each after
 * an `<a id="coverage-single-copy"></a>` anchor), for hovers over diagnostics.
 *
 * The file is looked up at run time, first hit wins:
 *   1. `$BACKPLAN_RULES_DOC`, or the `rulesDocument` initialization option;
 *   2. next to the running server script (`rules.md`, `docs/rules.md`): where a bundled
 *      server (the VS Code extension's) ships it;
 *   3. the repository's `docs/rules.md`, relative to `packages/language/out/lsp/`.
 * When none is readable, the one-line summary of `RULES` (rule-codes.ts) is used.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InitializeParams } from 'vscode-languageserver';
import { RULES } from '../validation/rule-codes.js';

/** Explanations of diagnostic codes. */
export interface RuleDocumentation {
    /** Markdown explaining a code, or undefined for an unknown code. */
    explain(code: string): string | undefined;
    /** Uses this file instead of the default lookup (initialization option `rulesDocument`). */
    useFile(file: string): void;
}

/** Reads `docs/rules.md` once, lazily. */
export class DefaultRuleDocumentation implements RuleDocumentation {
    protected file?: string;
    protected sections?: Map<string, string>;

    constructor(shared?: { lsp: { LanguageServer: { onInitialize(cb: (params: InitializeParams) => void): void } } }) {
        shared?.lsp.LanguageServer.onInitialize(params => {
            const file = (params.initializationOptions as { rulesDocument?: unknown } | undefined)?.rulesDocument;
            if (typeof file === 'string' && file !== '') this.useFile(file);
        });
    }

    useFile(file: string): void {
        this.file = file;
        this.sections = undefined;
    }

    explain(code: string): string | undefined {
        const section = this.load().get(code.replace(/\./g, '-'));
        if (section) return section;
        const rule = RULES.find(r => r.code === code);
        return rule && `**\`${rule.code}\`** (${rule.severity}): ${rule.summary}`;
    }

    protected load(): Map<string, string> {
        if (this.sections) return this.sections;
        this.sections = new Map();
        const file = [this.file, process.env.BACKPLAN_RULES_DOC, ...candidateFiles()].find(f => f && existsSync(f));
        if (!file) return this.sections;
        try {
            this.sections = parseSections(readFileSync(file, 'utf8'), file);
        } catch {
            // Unreadable: fall back to the summaries.
        }
        return this.sections;
    }
}

/** Where `rules.md` may lie relative to the running server. */
function candidateFiles(): string[] {
    const dirs: string[] = [];
    try {
        dirs.push(path.dirname(fileURLToPath(import.meta.url)));
    } catch {
        // A CommonJS bundle has no import.meta.url.
    }
    if (process.argv[1]) dirs.push(path.dirname(path.resolve(process.argv[1])));
    return dirs.flatMap(dir => [
        path.join(dir, 'rules.md'),
        path.join(dir, 'docs', 'rules.md'),
        path.join(dir, '..', 'docs', 'rules.md'),
        path.resolve(dir, '../../../../docs/rules.md')
    ]);
}

/** Splits the document at its anchors: anchor id → markdown of the rule (examples left out). */
export function parseSections(markdown: string, file?: string): Map<string, string> {
    const sections = new Map<string, string>();
    const anchor = /<a id="([a-z0-9-]+)"><\/a>/g;
    const found = [...markdown.matchAll(anchor)];
    found.forEach((match, i) => {
        const start = match.index! + match[0].length;
        const end = i + 1 < found.length ? found[i + 1].index! : markdown.length;
        const lines: string[] = [];
        for (const line of markdown.slice(start, end).split(/\r?\n/)) {
            if (/^(Fails|Fixed)\b.*:\s*$/.test(line) || /^---\s*$/.test(line) || /^```/.test(line)) break;
            lines.push(line.replace(/^#{1,6}\s+/, '#### '));
        }
        let text = lines.join('\n').trim();
        if (file) text += `\n\n[More in docs/rules.md](${pathToFileUri(file)}#${match[1]})`;
        sections.set(match[1], text);
    });
    return sections;
}

function pathToFileUri(file: string): string {
    return 'file://' + path.resolve(file).split(path.sep).map(encodeURIComponent).join('/').replace(/^\/?/, '/');
}
