/**
 * Master rules (seed: "one catalog server must be a master catalog server maintaining all
 * the folders"): `master.incomplete`, `master.multiple`.
 */
import { Code } from './rule-codes.js';
import type { RunbookRule } from './runbook-rule.js';

/** A master that does not hold every folder: reported on each folder it lacks. */
export const checkMasterComplete: RunbookRule = (model, report) => {
    const master = model.servers.find(s => s.master && s.role === 'catalog');
    if (!master) return;
    for (const folder of model.folders) {
        if (!folder.holders.includes(master)) {
            report({
                severity: 'error',
                message: `Folder '${folder.name}' is not on the master catalog server ${master.name}, which must hold every folder: add ${master.name} to its \`on\` list.`,
                info: { node: folder.node, property: 'name', code: Code.MasterIncomplete }
            });
        }
    }
};

/** More than one master: reported on every master after the first. */
export const checkSingleMaster: RunbookRule = (model, report) => {
    // The first catalog master is the master; a master on a mail server is `master.not-catalog`.
    const masters = model.servers.filter(s => s.master).sort((a, b) => Number(b.role === 'catalog') - Number(a.role === 'catalog'));
    for (const extra of masters.slice(1)) {
        const role = extra.node.role.find(r => r.master)!;
        report({
            severity: 'error',
            message: `Server '${extra.name}' is a second master (${masters[0].name} is the master): a runbook has one master; remove \`master\` from one of them.`,
            info: { node: role, keyword: 'master', code: Code.MasterMultiple }
        });
    }
};
