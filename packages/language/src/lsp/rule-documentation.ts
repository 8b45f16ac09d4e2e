/**
 * The explanation of each rule, read from `docs/rules.md` (one section per code, each after
 * an `<a id="coverage-single-copy"></a>` anchor), for hovers over diagnostics and for the
 * diagnostics' `codeDescription` link.
 *
 * The file is found as doc-files.ts says: `$BACKPLAN_RULES_DOC` or the `rulesDocument`
 * initialization option, else beside the server, else the repository's. When none is
 * readable, the one-line summary of `RULES` (rule-codes.ts) is used and there is no link.
 */
import { RULES } from '../validation/rule-codes.js';
import { DocQuoter, type DocLinks, type InitializeSource } from './doc-files.js';
import { docBlocks, flatten } from './doc-sections.js';

/** Explanations of diagnostic codes. */
export interface RuleDocumentation {
    /** Markdown explaining a code (its section without the examples), or undefined for an unknown code. */
    explain(code: string): string | undefined;
    /** One or two sentences of why the rule exists (its **Why.** paragraph), or the rule's summary. */
    why(code: string): string | undefined;
    /** A link to the code's own section of rules.md, or undefined when the document is missing. */
    link(code: string): string | undefined;
    /** Uses this file instead of the default lookup (initialization option `rulesDocument`). */
    useFile(file: string): void;
}

/** Reads `docs/rules.md` once, lazily. */
export class DefaultRuleDocumentation extends DocQuoter implements RuleDocumentation {
    constructor(shared?: InitializeSource & { lsp: { DocLinks: DocLinks } }) {
        super('rules.md', 'BACKPLAN_RULES_DOC', 'rulesDocument', shared);
    }

    explain(code: string): string | undefined {
        const { file, sections } = this.doc.get();
        const section = sections.get(anchorOf(code));
        if (section && file) {
            const lines: string[] = [];
            for (const line of section.text.split('\n')) {
                if (/^(Fails|Fixed)\b.*:\s*$/.test(line) || /^---\s*$/.test(line) || /^```/.test(line)) break;
                lines.push(line.replace(/^#{1,6}\s+/, '#### '));
            }
            return `${this.links.resolve(lines.join('\n').trim(), file)}\n\n[More in docs/rules.md](${this.link(code)})`;
        }
        const rule = RULES.find(r => r.code === code);
        return rule && `**\`${rule.code}\`** (${rule.severity}): ${rule.summary}`;
    }

    why(code: string): string | undefined {
        const { file, sections } = this.doc.get();
        const section = sections.get(anchorOf(code));
        const text = section && file ? whyParagraph(section.text) : undefined;
        // One or two lines: two sentences, or one when two would make a paragraph.
        const two = text && firstSentences(text, 2);
        if (two) return this.links.resolve(two.length > 280 ? firstSentences(text!, 1) : two, file!);
        return RULES.find(r => r.code === code)?.summary;
    }

    link(code: string): string | undefined {
        const { file, sections } = this.doc.get();
        return file && sections.has(anchorOf(code)) ? this.links.link(file, anchorOf(code)) : undefined;
    }
}

/** `coverage.single-copy` → `coverage-single-copy`. */
function anchorOf(code: string): string {
    return code.replace(/\./g, '-');
}

/** The **Why.** paragraph, with the quote it introduces when it ends with a colon. */
function whyParagraph(section: string): string | undefined {
    const blocks = docBlocks(section);
    const at = blocks.findIndex(b => b.kind === 'paragraph' && b.lines[0].startsWith('**Why.**'));
    if (at < 0) return undefined;
    let text = flatten(blocks[at]).replace(/^\*\*Why\.\*\*\s*/, '');
    const next = blocks[at + 1];
    if (text.endsWith(':') && next?.kind === 'quote') text += ` “${flatten(next)}”`;
    return text;
}

/** The first `n` sentences of a text. */
export function firstSentences(text: string, n: number): string {
    const sentences = text.match(/[^.!?]+(?:[.!?]+["”’)]*|$)\s*/g) ?? [text];
    let result = '';
    let count = 0;
    for (const sentence of sentences) {
        result += sentence;
        if (endsSentence(result)) count++;
        if (count >= n) break;
    }
    const cut = result.trim();
    if (/[“"]/.test(cut) && (cut.match(/[“]/g) ?? []).length > (cut.match(/[”]/g) ?? []).length) return `${cut}”`;
    return cut;
}

/** Whether a text ends a sentence: not inside a code span, a parenthesis or "quotes", nor after `e.g.`. */
function endsSentence(text: string): boolean {
    const count = (re: RegExp) => (text.match(re) ?? []).length;
    if (count(/`/g) % 2 !== 0 || count(/"/g) % 2 !== 0 || count(/\(/g) > count(/\)/g)) return false;
    return !/(?:\be|\be\.g|\bi|\bi\.e|\betc)\.\s*$/.test(text);
}
