/**
 * Shared helpers for the language tests: in-memory workspaces built with the same services
 * the CLI uses, ranges marked in source text with ⟦ ⟧, and diagnostics reduced to rows that
 * compare with `toEqual`.
 */
import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import type { Diagnostic, Range } from 'vscode-languageserver';
import { createBackplanCoreServices, type BackplanServices, type Document } from '@backplan/language';

/** Where in-memory files live: `file:///ws/NAME`. */
export const WORKSPACE = 'file:///ws/';

/** A diagnostic as the tests compare it: code, severity and 0-based [line, char, line, char]. */
export interface Row {
    code: string;
    severity: 'error' | 'warning' | 'info' | 'hint';
    range: [number, number, number, number];
}

const SEVERITY = ['', 'error', 'warning', 'info', 'hint'] as const;

/** Reduces a diagnostic to a row; `code` is read from `Diagnostic.code` only (DESIGN §2). */
export function row(d: Diagnostic): Row {
    return {
        code: String(d.code),
        severity: SEVERITY[d.severity ?? 1] as Row['severity'],
        range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]
    };
}

/** Rows of the given diagnostics, in document order. */
export function rows(diagnostics: readonly Diagnostic[], code?: string): Row[] {
    return diagnostics.map(row).filter(r => code === undefined || r.code === code)
        .sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1] || a.code.localeCompare(b.code));
}

/**
 * Strips ⟦ and ⟧ from a source text and returns the ranges they enclosed (in order of their
 * opening mark), in LSP positions: 0-based lines, UTF-16 characters, end exclusive.
 */
export function marked(source: string): { text: string; ranges: Array<[number, number, number, number]> } {
    let text = '';
    let line = 0;
    let character = 0;
    const open: number[] = []; // indexes into ranges of the marks still open
    const ranges: Array<[number, number, number, number]> = [];
    for (const ch of source) {
        if (ch === '⟦') {
            open.push(ranges.length);
            ranges.push([line, character, -1, -1]);
            continue;
        }
        if (ch === '⟧') {
            const index = open.pop()!;
            ranges[index][2] = line;
            ranges[index][3] = character;
            continue;
        }
        text += ch;
        if (ch === '\n') {
            line++;
            character = 0;
        } else {
            character += ch.length;
        }
    }
    return { text, ranges };
}

/** A fresh set of core services over an empty file system (no disk access). */
export function createServices(): BackplanServices {
    return createBackplanCoreServices(EmptyFileSystem).Backplan;
}

/** Built, validated in-memory documents by file name. */
export interface Checked {
    readonly services: BackplanServices;
    readonly documents: Map<string, LangiumDocument<Document>>;
    /** Diagnostics of one file. */
    diagnostics(name: string): Diagnostic[];
}

/** Builds and validates the given files (name → text) as one workspace under `file:///ws/`. */
export async function checkFiles(files: Record<string, string>, services = createServices()): Promise<Checked> {
    const shared = services.shared;
    const documents = new Map<string, LangiumDocument<Document>>();
    for (const [name, text] of Object.entries(files)) {
        const doc = shared.workspace.LangiumDocumentFactory.fromString<Document>(text, URI.parse(WORKSPACE + name));
        shared.workspace.LangiumDocuments.addDocument(doc);
        documents.set(name, doc);
    }
    await shared.workspace.DocumentBuilder.build([...documents.values()], { validation: true });
    return {
        services,
        documents,
        diagnostics: name => documents.get(name)?.diagnostics ?? []
    };
}

/** Diagnostics of one in-memory file checked on its own. */
export async function check(text: string): Promise<Diagnostic[]> {
    return (await checkFiles({ 'main.backplan': text })).diagnostics('main.backplan');
}

export { MAIL_RUNBOOK } from '../../../test/helpers/runbooks.js';

export type { Range };
