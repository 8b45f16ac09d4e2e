/**
 * One section of the bundled docs (dist/rules.md, dist/language.md) in the Markdown preview:
 * `backplan.showDocumentation("rules.md", "coverage-single-copy")`, the command the language
 * server's links name (diagnostic codes, hovers), opens that rule alone, not the whole page
 * with the examples of every other rule.
 *
 *   section text  = the doc's section at the anchor (doc-sections.ts, as the server cuts it)
 *   its links     = `#x` and `rules.md#x` → file links to the whole bundled page (the preview
 *                   follows them), other relative links → their text
 *   shown as      = a read-only `backplan-doc:/rules.md/coverage-single-copy.md` document,
 *                   previewed with the built-in `markdown.showPreview`
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { docSections } from '../../../language/src/lsp/doc-sections';

export const DOC_SCHEME = 'backplan-doc';
export const SHOW_DOCUMENTATION_COMMAND = 'backplan.showDocumentation';

/** The docs the extension ships in dist/ (the server's `docLinkCommand` links name only these). */
const BUNDLED = ['rules.md', 'language.md'];

export class DocSectionProvider implements vscode.TextDocumentContentProvider {
    constructor(private readonly dist: string) {}

    /** `backplan-doc:/rules.md/coverage-single-copy.md` → that section's Markdown. */
    provideTextDocumentContent(uri: vscode.Uri): string {
        const [, doc, file] = uri.path.split('/');
        const anchor = (file ?? '').replace(/\.md$/, '');
        return this.section(doc, anchor) ?? `# Not found\n\nThe bundled ${doc} has no section \`${anchor}\`.`;
    }

    /** The Markdown of one section, links made to work outside docs/. */
    section(doc: string, anchor: string): string | undefined {
        if (!BUNDLED.includes(doc)) return undefined;
        const file = path.join(this.dist, doc);
        const section = docSections(readFileSync(file, 'utf8')).get(anchor);
        if (!section) return undefined;
        const body = section.text.replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (whole, text: string, target: string) => {
            if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return whole;
            const [rel, fragment] = target.split('#', 2) as [string, string | undefined];
            const name = rel === '' ? doc : rel;
            if (!BUNDLED.includes(name)) return text;
            return `[${text}](${vscode.Uri.file(path.join(this.dist, name)).with({ fragment: fragment ?? '' }).toString()})`;
        });
        return `${body}\n\n---\n\n[The whole ${doc}](${vscode.Uri.file(file).toString()})\n`;
    }

    /** Opens a section in the Markdown preview (the command's handler). */
    async show(doc: unknown, anchor: unknown): Promise<vscode.Uri | undefined> {
        if (typeof doc !== 'string' || !BUNDLED.includes(doc)) return undefined;
        const uri = typeof anchor === 'string' && anchor !== ''
            ? vscode.Uri.from({ scheme: DOC_SCHEME, path: `/${doc}/${anchor}.md` })
            : vscode.Uri.file(path.join(this.dist, doc));
        await vscode.commands.executeCommand('markdown.showPreview', uri);
        return uri;
    }
}
