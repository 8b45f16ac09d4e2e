/**
 * Finding the model of an AST node in a runbook model in constant time: the LSP features ask
 * once per folder (inlay hints over 10,000 folders), so a linear search per node would be
 * quadratic. The index is built once per model; models are rebuilt on every update.
 */
import type { Backup, Folder } from '../generated/ast.js';
import type { BackupModel, FolderModel, RunbookModel } from '../model/runbook-model.js';

interface ModelIndex {
    readonly folders: Map<Folder, FolderModel>;
    readonly backups: Map<Backup, BackupModel>;
}

const indexes = new WeakMap<RunbookModel, ModelIndex>();

function indexOf(model: RunbookModel): ModelIndex {
    let index = indexes.get(model);
    if (!index) {
        index = {
            folders: new Map(model.folders.map(f => [f.node, f])),
            backups: new Map(model.backups.map(b => [b.node, b]))
        };
        indexes.set(model, index);
    }
    return index;
}

/** The model of a folder node. */
export function folderModel(model: RunbookModel, node: Folder): FolderModel | undefined {
    return indexOf(model).folders.get(node);
}

/** The model of a backup node. */
export function backupModel(model: RunbookModel, node: Backup): BackupModel | undefined {
    return indexOf(model).backups.get(node);
}
