/**
 * Where the language server finds the Markdown docs it quotes (docs/rules.md for rule
 * explanations, docs/language.md for keyword hovers and completion), and how its hovers and
 * diagnostics link to one of their sections.
 *
 * A document is looked up at run time, first hit wins:
 *   1. a file given by an initialization option or an environment variable;
 *   2. next to the running server script (`NAME`, `docs/NAME`): where a bundled server
 *      (the VS Code extension's) ships it;
 *   3. the repository's `docs/NAME`, relative to `packages/language/out/lsp/`.
 *
 * Links: a `file://` URI with the section's anchor, or, when the client passed the
 * initialization option `docLinkCommand` (the extension does), a `command:` URI that
 * opens that one section: `command:CMD?["rules.md","coverage-single-copy"]`.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { InitializeParams } from 'vscode-languageserver';
import { docSections, type DocSection } from './doc-sections.js';

/** The docs a `docLinkCommand` can open. */
export const LINKED_DOCS: readonly string[] = ['rules.md', 'language.md'];

/** What the doc services need of the language server: its initialize event. */
export type InitializeSource = { lsp: { LanguageServer: { onInitialize(cb: (params: InitializeParams) => void): void } } };

/** The initialization options the doc services read. */
export function initializationOption(params: InitializeParams, name: string): string | undefined {
    const value = (params.initializationOptions as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Links to sections of the docs, as the client wants them. */
export class DocLinks {
    protected command?: string;

    constructor(shared?: InitializeSource) {
        shared?.lsp.LanguageServer.onInitialize(params => {
            this.command = initializationOption(params, 'docLinkCommand');
        });
    }

    /** Uses `command:` links to this command (initialization option `docLinkCommand`). */
    useCommand(command: string | undefined): void {
        this.command = command;
    }

    /** A link to a section of `file` (or to the file, without an anchor). */
    link(file: string, anchor?: string): string {
        const name = path.basename(file);
        if (this.command && LINKED_DOCS.includes(name)) {
            return `command:${this.command}?${encodeURIComponent(JSON.stringify(anchor ? [name, anchor] : [name]))}`;
        }
        return pathToFileURL(path.resolve(file)).toString() + (anchor ? `#${anchor}` : '');
    }

    /**
     * Markdown with its relative links made absolute: `(#x)` and `(rules.md#x)` to sections,
     * other files beside `file` to `file://` URIs; a link to a file that does not exist keeps
     * only its text. Absolute URLs stay.
     */
    resolve(markdown: string, file: string): string {
        return markdown.replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (whole, text: string, target: string) => {
            if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return whole;
            const [rel, anchor] = target.split('#', 2) as [string, string | undefined];
            const targetFile = rel === '' ? file : path.resolve(path.dirname(file), rel);
            if (!existsSync(targetFile)) return text;
            return `[${text}](${this.link(targetFile, anchor)})`;
        });
    }
}

/** Folders where a doc may lie, relative to the running server. */
function candidateDirs(): string[] {
    const dirs: string[] = [];
    try {
        dirs.push(path.dirname(fileURLToPath(import.meta.url)));
    } catch {
        // A CommonJS bundle has no import.meta.url.
    }
    if (process.argv[1]) dirs.push(path.dirname(path.resolve(process.argv[1])));
    return dirs;
}

/** The first readable copy of doc `name` (`rules.md`), an explicit file first. */
export function findDocFile(name: string, ...explicit: Array<string | undefined>): string | undefined {
    const candidates = candidateDirs().flatMap(dir => [
        path.join(dir, name),
        path.join(dir, 'docs', name),
        path.join(dir, '..', 'docs', name),
        path.resolve(dir, '../../../../docs', name)
    ]);
    return [...explicit, ...candidates].find((f): f is string => Boolean(f) && existsSync(f!));
}

/** A doc read once, lazily, cut into its sections. */
export class LoadedDoc {
    protected file?: string;
    protected loaded?: { file?: string; sections: Map<string, DocSection> };

    constructor(readonly name: string, readonly envVar: string) {}

    /** Uses this file instead of the lookup. */
    useFile(file: string | undefined): void {
        this.file = file;
        this.loaded = undefined;
    }

    /** The file read and its sections (none when no copy is readable). */
    get(): { file?: string; sections: Map<string, DocSection> } {
        if (this.loaded) return this.loaded;
        const file = findDocFile(this.name, this.file, process.env[this.envVar]);
        try {
            this.loaded = file ? { file, sections: docSections(readFileSync(file, 'utf8')) } : { sections: new Map() };
        } catch {
            this.loaded = { sections: new Map() };
        }
        return this.loaded;
    }
}

/** A service that quotes one doc: found by {@link findDocFile}, or the file an initialization option names. */
export abstract class DocQuoter {
    protected readonly doc: LoadedDoc;
    protected readonly links: DocLinks;

    constructor(name: string, envVar: string, option: string, shared?: InitializeSource & { lsp: { DocLinks: DocLinks } }) {
        this.doc = new LoadedDoc(name, envVar);
        this.links = shared?.lsp.DocLinks ?? new DocLinks();
        shared?.lsp.LanguageServer.onInitialize(params => {
            const file = initializationOption(params, option);
            if (file) this.useFile(file);
        });
    }

    /** Uses this file instead of the default lookup. */
    useFile(file: string): void {
        this.doc.useFile(file);
    }
}
