/**
 * Concurrency rules (seed: "As long as one catalog server remains up during the backup or
 * restore process, users have access to the system"): `backup.all-copies-down`,
 * `backup.all-catalogs-down`. Both fire on `parallel N` only; `rolling` is always safe.
 */
import type { BackupModel, ServerModel } from '../model/runbook-model.js';
import { Code } from './rule-codes.js';
import { listNames, type RunbookRule } from './runbook-rule.js';

function modeNode(backup: BackupModel) {
    return backup.node.mode[0];
}

/** `parallel N` that may stop every holder of a replicated folder at once. */
export const checkAllCopiesDown: RunbookRule = (model, report) => {
    for (const backup of model.backups) {
        if (backup.parallel < 2) continue;
        const inRun = new Set<ServerModel>(backup.servers);
        const atRisk = model.folders.filter(f =>
            f.holders.length >= 2 && f.holders.length <= backup.parallel && f.holders.every(h => inRun.has(h)));
        if (atRisk.length === 0) continue;
        const first = atRisk[0];
        const more = atRisk.length > 1 ? ` (and ${atRisk.length - 1} more folder${atRisk.length > 2 ? 's' : ''})` : '';
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
        const inRun = new Set<ServerModel>(backup.servers);
        if (!catalogs.every(c => inRun.has(c))) continue;
        report({
            severity: 'warning',
            message: `\`parallel ${backup.parallel}\` in '${backup.name}' may stop all ${catalogs.length} catalog servers (${listNames(catalogs.map(c => c.name))}) at once, and users lose the whole catalog during the backup: use \`rolling\`, or a \`parallel\` below ${catalogs.length}.`,
            info: { node: modeNode(backup), property: 'parallel', code: Code.AllCatalogsDown }
        });
    }
};
