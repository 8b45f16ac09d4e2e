/**
 * Loading runbooks from disk for the CLI and the engine: collect `.backplan` files below the
 * given paths, load every file they import (transitively, wherever it lies), build and
 * validate them with the same services the language server uses.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { URI, type LangiumDocument } from 'langium';
import { NodeFileSystem } from 'langium/node';
import type { Diagnostic } from 'vscode-languageserver';
import { createBackplanCoreServices, type BackplanServices } from '../backplan-module.js';
import type { Document } from '../generated/ast.js';
import type { RunbookModel } from '../model/runbook-model.js';
import { isRunbookPath, RUNBOOK_EXTENSION } from '../workspace/runbook-files.js';

/** A problem with the paths given (exit code 2 in the CLI). */
export class InputError extends Error {}

/** Loaded and validated documents. */
export interface LoadedWorkspace {
    readonly services: BackplanServices;
    /** Every loaded document: the given files first, then imported ones. */
    readonly documents: ReadonlyArray<LangiumDocument<Document>>;
    /** Diagnostics per document URI string. */
    diagnostics(doc: LangiumDocument): readonly Diagnostic[];
}

/** Every `.backplan` file below the given files and folders (skips node_modules and dot-folders). */
export async function collectRunbookFiles(paths: readonly string[]): Promise<string[]> {
    const found = new Set<string>();
    for (const given of paths) {
        const abs = path.resolve(given);
        let stat;
        try {
            stat = await fs.stat(abs);
        } catch (err) {
            throw new InputError(`${given}: ${describeFsError(err)}`);
        }
        if (stat.isDirectory()) {
            await walk(abs, given, found);
        } else if (stat.isFile()) {
            await assertReadable(abs, given);
            found.add(abs);
        } else {
            // A FIFO, socket or device: reading it could block forever or never end.
            throw new InputError(`${given}: not a regular file`);
        }
    }
    return [...found];
}

async function walk(dir: string, shown: string, found: Set<string>): Promise<void> {
    let entries;
    try {
        entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
        throw new InputError(`${shown}: ${describeFsError(err)}`);
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
            await walk(full, path.join(shown, entry.name), found);
        } else if (isRunbookPath(entry.name) && entry.isFile()) {
            found.add(full);
        } else if (isRunbookPath(entry.name) && entry.isSymbolicLink()) {
            // Follow links to files; a dangling link is an unreadable path.
            let target;
            try {
                target = await fs.stat(full);
            } catch (err) {
                throw new InputError(`${path.join(shown, entry.name)}: ${describeFsError(err)}`);
            }
            if (target.isFile()) found.add(full);
        }
    }
}

async function assertReadable(abs: string, shown: string): Promise<void> {
    try {
        await fs.access(abs, fs.constants.R_OK);
    } catch (err) {
        throw new InputError(`${shown}: ${describeFsError(err)}`);
    }
}

/** A one-line reason for a file-system error. */
export function describeFsError(err: unknown): string {
    const code = (err as NodeJS.ErrnoException).code;
    switch (code) {
        case 'ENOENT': return 'no such file or folder';
        case 'EACCES': case 'EPERM': return 'permission denied';
        case 'EISDIR': return 'is a folder, not a file';
        case 'ENOTDIR': return 'a part of the path is not a folder';
        case 'ENOTFILE': return 'not a regular file';
        default: return (err as Error).message ?? String(err);
    }
}

/**
 * Drops a UTF-8 byte order mark: editors hide it, so columns on line 1 would otherwise be
 * one more in the CLI than in the editor.
 */
function stripBom(text: string): string {
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Loads, links and validates the given files and everything they import. */
export async function loadWorkspace(files: readonly string[]): Promise<LoadedWorkspace> {
    const { shared, Backplan } = createBackplanCoreServices(NodeFileSystem);
    const langiumDocuments = shared.workspace.LangiumDocuments;
    const factory = shared.workspace.LangiumDocumentFactory;
    const documents: Array<LangiumDocument<Document>> = [];
    const queue = files.map(f => URI.file(path.resolve(f)));
    const given = new Set(queue.map(u => u.toString()));
    while (queue.length > 0) {
        const uri = queue.shift()!;
        if (langiumDocuments.hasDocument(uri)) continue;
        if (!isRunbookPath(uri.fsPath)) {
            if (given.has(uri.toString())) throw new InputError(`${uri.fsPath}: not a runbook: give a file whose name ends in ${RUNBOOK_EXTENSION}`);
            continue; // an import of another kind of file: `import.unresolved` says so
        }
        let text: string;
        try {
            // Never read a FIFO or device named in an import: it could block forever.
            if (!(await fs.stat(uri.fsPath)).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
            text = stripBom(await fs.readFile(uri.fsPath, 'utf8'));
        } catch (err) {
            if (given.has(uri.toString())) throw new InputError(`${uri.fsPath}: ${describeFsError(err)}`);
            continue; // an import target that cannot be read: `import.unresolved`
        }
        const doc = factory.fromString<Document>(text, uri);
        langiumDocuments.addDocument(doc);
        documents.push(doc);
        for (const imp of doc.parseResult.value.imports ?? []) {
            if (typeof imp.path === 'string' && imp.path !== '') {
                queue.push(URI.file(path.resolve(path.dirname(uri.fsPath), imp.path)));
            }
        }
    }
    await shared.workspace.DocumentBuilder.build(documents, { validation: true });
    return {
        services: Backplan,
        documents,
        diagnostics: doc => doc.diagnostics ?? []
    };
}

/** A runbook loaded from its root file, with its diagnostics in every file. */
export interface LoadedRunbook {
    readonly model: RunbookModel;
    readonly workspace: LoadedWorkspace;
}

/** Loads one runbook from its root file. */
export async function loadRunbook(file: string): Promise<LoadedRunbook> {
    const abs = path.resolve(file);
    await assertReadable(abs, file);
    if ((await fs.stat(abs)).isDirectory()) throw new InputError(`${file}: is a folder; give the runbook's root .backplan file`);
    const workspace = await loadWorkspace([abs]);
    const model = workspace.services.workspace.RunbookGraph.model(URI.file(abs));
    return { model, workspace };
}
