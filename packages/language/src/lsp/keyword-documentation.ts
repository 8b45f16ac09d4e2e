/**
 * What each keyword means, read from `docs/language.md`: the one source of the keyword
 * hovers and of the documentation of keyword completion items.
 *
 *   for each section headed by a keyword in backticks (`## \`tape\``):
 *     its first paragraph documents that keyword (the declaration)
 *     each row of its tables documents the lower-case words of the code in its first
 *       cell (`role catalog master` → role, catalog, master), quoted text left out:
 *       signature = first cell, notes = the middle cells, meaning = the last cell
 *   describe(keyword, section):
 *     the rows of that section that start with the keyword, else those that mention it,
 *     else the declaration's paragraph when the keyword heads a section,
 *     else the rows of any section (starting, then mentioning)
 *
 * The file is found as doc-files.ts says: `$BACKPLAN_LANGUAGE_DOC` or the
 * `languageDocument` initialization option, else beside the server, else the repository's.
 */
import { DocQuoter, type DocLinks, type InitializeSource } from './doc-files.js';
import { docBlocks, flatten, tableRows, type DocSection } from './doc-sections.js';

/** One documented use of a keyword. */
export interface KeywordEntry {
    /** The declaration whose section documents it (`tape`, `server`, …). */
    readonly section: string;
    /** The section's anchor in language.md. */
    readonly anchor: string;
    /** The section's first paragraph (the declaration itself), rather than a table row. */
    readonly declaration: boolean;
    /** Markdown: a code span such as `` `at "PATH"` `` (the keyword alone for a declaration). */
    readonly signature: string;
    /** Keywords the signature is made of. */
    readonly keywords: readonly string[];
    /** The middle cells of the row (`required`, `optional, may repeat`), Markdown. */
    readonly notes: string;
    /** What it means, Markdown. */
    readonly meaning: string;
}

/** Hover and completion text of a keyword. */
export interface KeywordDoc {
    /** Plain text: the signatures, for a completion item's detail. */
    readonly detail: string;
    /** Markdown: each use, then a link to the section. */
    readonly markdown: string;
}

/** Documentation of the language's keywords. */
export interface KeywordDocumentation {
    /** The documentation of `keyword` written inside a `section` declaration (or anywhere). */
    describe(keyword: string, section?: string): KeywordDoc | undefined;
    /** Every documented use of `keyword`, or of every keyword. */
    entries(keyword?: string): readonly KeywordEntry[];
    /** Uses this file instead of the default lookup (initialization option `languageDocument`). */
    useFile(file: string): void;
}

const SECTION_HEADING = /^`([a-z][a-z-]*)`$/;

/** Reads `docs/language.md` once, lazily. */
export class DefaultKeywordDocumentation extends DocQuoter implements KeywordDocumentation {
    protected parsed?: KeywordEntry[];

    constructor(shared?: InitializeSource & { lsp: { DocLinks: DocLinks } }) {
        super('language.md', 'BACKPLAN_LANGUAGE_DOC', 'languageDocument', shared);
    }

    override useFile(file: string): void {
        super.useFile(file);
        this.parsed = undefined;
    }

    entries(keyword?: string): readonly KeywordEntry[] {
        this.parsed ??= [...this.doc.get().sections.values()].flatMap(sectionEntries);
        return keyword === undefined ? this.parsed : this.parsed.filter(e => e.keywords.includes(keyword));
    }

    describe(keyword: string, section?: string): KeywordDoc | undefined {
        const all = this.entries(keyword);
        const rows = all.filter(e => !e.declaration);
        const starting = (list: readonly KeywordEntry[]) => list.filter(e => e.keywords[0] === keyword);
        const pick = (list: readonly KeywordEntry[]) => starting(list).length > 0 ? starting(list) : list;
        const inSection = rows.filter(e => e.section === section);
        const declaration = all.filter(e => e.declaration);
        const chosen = inSection.length > 0 ? pick(inSection) : declaration.length > 0 ? declaration : pick(rows);
        if (chosen.length === 0) return undefined;
        return { detail: detailOf(chosen), markdown: this.markdownOf(chosen) };
    }

    protected markdownOf(entries: readonly KeywordEntry[]): string {
        const file = this.doc.get().file!;
        const uses = entries.map(e => `${e.signature}${e.notes ? ` · *${e.notes}*` : ''} — ${e.meaning}`);
        const sections = [...new Set(entries.map(e => e.anchor))];
        const more = sections.map(anchor => `[\`${entries.find(e => e.anchor === anchor)!.section}\` in the language reference](${this.links.link(file, anchor)})`);
        return this.links.resolve([...uses, more.join(' · ')].join('\n\n'), file);
    }
}

/** The entries of one section of language.md (none unless it is headed by a keyword). */
function sectionEntries(section: DocSection): KeywordEntry[] {
    const keyword = SECTION_HEADING.exec(section.heading)?.[1];
    if (!keyword || section.level !== 2) return [];
    const blocks = docBlocks(section.text);
    const entries: KeywordEntry[] = [];
    const lead = blocks.find(b => b.kind === 'paragraph');
    const base = { section: keyword, anchor: section.anchor };
    if (lead) entries.push({ ...base, declaration: true, signature: `\`${keyword}\``, keywords: [keyword], notes: '', meaning: flatten(lead) });
    for (const table of blocks.filter(b => b.kind === 'table')) {
        for (const cells of tableRows(table)) {
            const words = keywordsOf(cells[0]);
            if (words.length === 0 || cells.length < 2) continue;
            const notes = cells.slice(1, -1).filter(c => c !== '').join(', ');
            entries.push({ ...base, declaration: false, signature: cells[0], keywords: words, notes, meaning: cells[cells.length - 1] });
        }
    }
    return entries;
}

/** The lower-case words of the code spans of a cell, quoted text left out: `host "ssh://…"` → host. */
export function keywordsOf(cell: string): string[] {
    const code = [...cell.matchAll(/`([^`]+)`/g)].map(m => m[1].replace(/"(?:[^"\\]|\\.)*"/g, ' ')).join(' ');
    return [...new Set(code.match(/(?<![\w-])[a-z][a-z-]*(?![\w-])/g) ?? [])];
}

/** `at "PATH"` · `keep PERIOD N …`, as plain text. */
function detailOf(entries: readonly KeywordEntry[]): string {
    return [...new Set(entries.map(e => e.signature.replace(/`/g, '')))].join(' · ');
}
