/**
 * Folder rules: `folder.duplicate-server`, `folder.on-mail-server`, `folder.path-invalid`.
 */
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { BackplanAstType, Folder } from '../generated/ast.js';
import { serverRole } from '../model/declarations.js';
import { Code } from './rule-codes.js';

function checkServers(folder: Folder, accept: ValidationAcceptor): void {
    const seen = new Set<string>();
    folder.servers.forEach((ref, index) => {
        const name = ref.ref?.name ?? ref.$refText;
        if (seen.has(name)) {
            accept('error', `Folder '${folder.name}' lists server '${name}' twice: a server holds one copy; remove the repeat or name another server.`,
                { node: folder, property: 'servers', index, code: Code.FolderDuplicateServer });
        }
        seen.add(name);
        if (ref.ref && serverRole(ref.ref) === 'mail') {
            accept('error', `Folder '${folder.name}' is placed on '${name}', a mail server: folders live on catalog servers; name a catalog server instead.`,
                { node: folder, property: 'servers', index, code: Code.FolderOnMailServer });
        }
    });
}

function checkPath(folder: Folder, accept: ValidationAcceptor): void {
    folder.path.forEach((path, index) => {
        const problem = path.startsWith('/') ? 'is absolute'
            : path.split(/[\\/]/).includes('..') ? 'contains ".."'
                : path.trim() === '' ? 'is empty' : undefined;
        if (problem) {
            accept('error', `Path "${path}" of folder '${folder.name}' ${problem}: give a path below the server's data folder, e.g. "${folder.name}".`,
                { node: folder, property: 'path', index, code: Code.FolderPathInvalid });
        }
    });
}

/** Checks on single folder declarations. */
export const folderChecks: ValidationChecks<BackplanAstType> = {
    Folder: [checkServers, checkPath]
};
