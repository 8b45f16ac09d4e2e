/**
 * Concurrency rules (seed: "As long as one catalog server remains up during the backup or
 * restore process, users have access to the system"): `backup.all-copies-down`,
 * `backup.all-catalogs-down`. Both fire on `parallel N` only; `rolling` is always safe. A
 * server with `dump` is backed up while it runs: it never counts as stopped.
 */
import type { BackupModel, FolderModel, ServerModel } from '../model/runbook-model.js';
import { Code } from './rule-codes.js';
import { listNames, type RunbookRule } from './runbook-rule.js';

function modeNode(backup: BackupModel) {
    return backup.node.mode[0];
}

/** The servers a backup stops (every one but those backed up by `dump`). */
function stoppedBy(backup: BackupModel): Set<ServerModel> {
    return new Set(backup.servers.filter(s => s.dump === undefined));
}

/**
 * `parallel N` that may stop every holder of a replicated folder at once. Only the folders
 * of the backup's own servers are looked at (`foldersOf`), never all folders per backup,
 * so the rule stays near-linear in the size of the runbook.
 */
export const checkAllCopiesDown: RunbookRule = (model, report) => {
    let order: Map<FolderModel, number> | undefined;
    for (const backup of model.backups) {
        if (backup.parallel < 2) continue;
        const inRun = stoppedBy(backup);
        const atRisk = new Set<FolderModel>();
        for (const server of inRun) {
            for (const f of model.foldersOf.get(server) ?? []) {
                if (f.holders.length >= 2 && f.holders.length <= backup.parallel && f.holders.every(h => inRun.has(h))) atRisk.add(f);
            }
        }
        if (atRisk.size === 0) continue;
        order ??= new Map(model.folders.map((f, i) => [f, i]));
        const first = [...atRisk].reduce((a, b) => order!.get(a)! <= order!.get(b)! ? a : b);
        const count = atRisk.size;
        const more = count > 1 ? ` (and ${count - 1} more folder${count > 2 ? 's' : ''})` : '';
        report({
            severity: 'warning',
            message: `\`parallel ${backup.parallel}\` in '${backup.name}' may stop ${listNames(first.holders.map(h => h.name))} at once, every server that holds folder '${first.name}'${more}, so users lose it during the backup: use \`rolling\`.`,
            info: { node: modeNode(backup), property: 'parallel', code: Code.AllCopiesDown }
        });
    }
};

/** `parallel N` that may stop every catalog server of the runbook at once. */
export const checkAllCatalogsDown: RunbookRule = (model, report) => {
    const catalogs = model.servers.filter(s => s.role === 'catalog');
    if (catalogs.length < 2) return;
    for (const backup of model.backups) {
        if (backup.parallel < catalogs.length) continue;
        const inRun = stoppedBy(backup);
        if (!catalogs.every(c => inRun.has(c))) continue;
        report({
            severity: 'warning',
            message: `\`parallel ${backup.parallel}\` in '${backup.name}' may stop all ${catalogs.length} catalog servers (${listNames(catalogs.map(c => c.name))}) at once, and users lose the whole catalog during the backup: use \`rolling\`${catalogs.length > 2 ? `, or a \`parallel\` below ${catalogs.length}` : ''}.`,
            info: { node: modeNode(backup), property: 'parallel', code: Code.AllCatalogsDown }
        });
    }
};
