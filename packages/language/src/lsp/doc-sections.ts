/**
 * Sections and blocks of the bundled Markdown docs (docs/rules.md, docs/language.md). Pure
 * text processing with no imports, so that the extension's section preview can bundle it
 * without the language server.
 *
 *   sections: for each line outside code fences
 *     `<a id="X"></a>`            → a section X starts here (its level: the heading below it)
 *     a heading of level L        → a section slug(heading) starts here, unless an anchor
 *                                   right above it already started one
 *     a section ends where the next explicit anchor, or the next heading of level ≤ L, starts
 *   blocks: a section's text cut into headings, code fences, tables, quotes and paragraphs
 */

/** One section: from its anchor (or heading) to where the next one of its level starts. */
export interface DocSection {
    readonly anchor: string;
    /** The heading's text, without the `#`s. */
    readonly heading: string;
    readonly level: number;
    /** The Markdown of the section, heading included, anchor line left out. */
    readonly text: string;
}

/** A block of Markdown. */
export interface DocBlock {
    readonly kind: 'heading' | 'code' | 'table' | 'quote' | 'paragraph' | 'other';
    readonly lines: readonly string[];
}

const ANCHOR = /^<a id="([A-Za-z0-9_-]+)"><\/a>\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to `-`. */
export function slug(heading: string): string {
    return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Every section of a document, by anchor. */
export function docSections(markdown: string): Map<string, DocSection> {
    const lines = markdown.split(/\r?\n/);
    const starts: Array<{ anchor: string; line: number; level: number; explicit: boolean }> = [];
    let fenced = false;
    let pending: { anchor: string; line: number } | undefined;
    lines.forEach((line, i) => {
        if (FENCE.test(line)) fenced = !fenced;
        if (fenced) return;
        const anchor = ANCHOR.exec(line);
        if (anchor) {
            pending = { anchor: anchor[1], line: i + 1 };
            return;
        }
        const heading = HEADING.exec(line);
        if (heading) {
            const level = heading[1].length;
            starts.push(pending ? { ...pending, level, explicit: true } : { anchor: slug(heading[2]), line: i, level, explicit: false });
        }
        if (line.trim() !== '') pending = undefined;
    });
    const sections = new Map<string, DocSection>();
    starts.forEach((start, k) => {
        const next = starts.slice(k + 1).find(s => s.explicit || s.level <= start.level);
        const end = next ? (next.explicit ? next.line - 1 : next.line) : lines.length;
        const body = lines.slice(start.line, end);
        const heading = HEADING.exec(body.find(l => HEADING.test(l)) ?? '')?.[2] ?? start.anchor;
        if (!sections.has(start.anchor)) {
            sections.set(start.anchor, { anchor: start.anchor, heading, level: start.level, text: body.join('\n').trim() });
        }
    });
    return sections;
}

/** A section's text cut into blocks (blank lines separate paragraphs). */
export function docBlocks(text: string): DocBlock[] {
    const blocks: DocBlock[] = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length;) {
        const line = lines[i];
        if (line.trim() === '') {
            i++;
            continue;
        }
        if (FENCE.test(line)) {
            const end = lines.findIndex((l, j) => j > i && FENCE.test(l));
            const stop = end < 0 ? lines.length : end + 1;
            blocks.push({ kind: 'code', lines: lines.slice(i, stop) });
            i = stop;
            continue;
        }
        if (HEADING.test(line)) {
            blocks.push({ kind: 'heading', lines: [line] });
            i++;
            continue;
        }
        const kind = line.startsWith('|') ? 'table' : line.startsWith('>') ? 'quote' : ANCHOR.test(line) ? 'other' : 'paragraph';
        const start = i;
        while (i < lines.length && lines[i].trim() !== '' && !FENCE.test(lines[i]) && !HEADING.test(lines[i])
            && (kind !== 'paragraph' || (!lines[i].startsWith('|') && !lines[i].startsWith('>')))) i++;
        blocks.push({ kind, lines: lines.slice(start, i) });
    }
    return blocks;
}

/** The cells of a table row (`| a | b |`); a `|` inside a code span does not split. */
export function tableCells(row: string): string[] {
    const cells: string[] = [];
    let cell = '';
    let code = false;
    for (const ch of row.trim().replace(/^\|/, '').replace(/\|$/, '')) {
        if (ch === '`') code = !code;
        if (ch === '|' && !code) {
            cells.push(cell.trim());
            cell = '';
        } else {
            cell += ch;
        }
    }
    cells.push(cell.trim());
    return cells;
}

/** The body rows of a table block (header and separator left out), as cells. */
export function tableRows(block: DocBlock): string[][] {
    return block.lines.slice(2).map(tableCells);
}

/** The lines of a paragraph or quote joined into one line (`>` markers dropped). */
export function flatten(block: DocBlock): string {
    return block.lines.map(l => l.replace(/^>\s?/, '').trim()).join(' ').trim();
}
