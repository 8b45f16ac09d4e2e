/**
 * `drill.invalid` (DESIGN §11): a drill that cannot say what it restores.
 *
 *   on one block:   no `from`; a `pick` that is not newest | oldest | random; an empty `test`
 *                   (an unknown `from` name is a linking error that the document validator
 *                   files under `drill.invalid`: backplan-document-validator.ts)
 *   on the runbook: a listed server that no backup sends to `from` (the tape holds no
 *                   archive of it); without `servers`, a `from` that no backup sends to
 * Each diagnostic carries `data.problem`. `schedule.invalid` is the backup's rule.
 * Drills are coverage-independent: they add no copy and no coverage rule reads them.
 */
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { BackplanAstType, Drill } from '../generated/ast.js';
import { PICK_ORDERS, isArchivePick } from '../model/drill-model.js';
import type { DrillModel, RunbookModel } from '../model/runbook-model.js';
import { checkSchedule } from './backup-rules.js';
import { Code } from './rule-codes.js';
import { listNames, type RunbookRule } from './runbook-rule.js';

/** Which `drill.invalid` a diagnostic is (its `data.problem`). */
export type DrillProblem = 'no-from' | 'unknown-from' | 'bad-pick' | 'empty-test' | 'not-on-tape' | 'nothing-to-drill';

/** The `data` of a `drill.invalid` diagnostic. */
export function drillProblemData(problem: DrillProblem): { code: typeof Code.DrillInvalid; problem: DrillProblem } {
    return { code: Code.DrillInvalid, problem };
}

function checkFrom(drill: Drill, accept: ValidationAcceptor): void {
    if (drill.from.length > 0) return;
    accept('error', `Drill '${drill.name}' has no \`from\`: add \`from TAPE\` naming the tape whose archives it restores and tests.`,
        { node: drill, property: 'name', code: Code.DrillInvalid, data: drillProblemData('no-from') });
}

function checkPick(drill: Drill, accept: ValidationAcceptor): void {
    drill.pick.forEach((pick, index) => {
        if (isArchivePick(pick)) return;
        accept('error', `Drill '${drill.name}' cannot pick "${pick}": write \`pick ${listNames(PICK_ORDERS.map(String), 'or')}\` (the default is newest).`,
            { node: drill, property: 'pick', index, code: Code.DrillInvalid, data: drillProblemData('bad-pick') });
    });
}

function checkTest(drill: Drill, accept: ValidationAcceptor): void {
    drill.test.forEach((test, index) => {
        if (test.trim() !== '') return;
        accept('error', `The \`test\` of drill '${drill.name}' is empty: give the command that proves the restored copy works, or leave \`test\` out.`,
            { node: drill, property: 'test', index, code: Code.DrillInvalid, data: drillProblemData('empty-test') });
    });
}

/** Checks on single drill blocks. */
export const drillChecks: ValidationChecks<BackplanAstType> = {
    Drill: [checkFrom, checkPick, checkTest, checkSchedule]
};

/** The servers that some backup of the runbook sends to a drill's tape. */
function sentTo(model: RunbookModel, drill: DrillModel): Set<string> {
    return new Set(model.backups.filter(b => b.tape === drill.tape).flatMap(b => b.servers.map(s => s.name)));
}

/** A drilled server whose archives cannot be on the drill's tape, or a drill with nothing to restore. */
export const checkDrillServers: RunbookRule = (model, report) => {
    for (const drill of model.drills) {
        if (!drill.tape) continue;
        const sent = sentTo(model, drill);
        const tape = drill.tape.name;
        if (!drill.serversListed && drill.servers.length === 0) {
            report({ severity: 'error', message: `No backup sends a server to tape ${tape}, so drill '${drill.name}' has nothing to restore: drill a tape that backups write, or add a backup to ${tape}.`,
                info: { node: drill.node, property: 'from', index: 0, code: Code.DrillInvalid, data: drillProblemData('nothing-to-drill') } });
            continue;
        }
        drill.node.servers.forEach(list => list.refs.forEach((ref, index) => {
            if (!ref.ref || sent.has(ref.ref.name)) return;
            report({ severity: 'error', message: `No backup sends ${ref.ref.name} to tape ${tape}, so drill '${drill.name}' would find no archive of it there: add ${ref.ref.name} to a backup to ${tape}, or remove it from the drill.`,
                info: { node: list, property: 'refs', index, code: Code.DrillInvalid, data: drillProblemData('not-on-tape') } });
        }));
    }
};
