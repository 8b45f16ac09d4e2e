/**
 * Cases for `drill` blocks (`drill.invalid`, DESIGN §11). A drill never adds a copy: the
 * coverage cases stay as they are whatever drills a runbook has (coverage-model.test.ts).
 */
import { MAIL_RUNBOOK } from '../helpers.js';
import { catalog, type RuleCases } from './rule-case.js';

/** MAIL_RUNBOOK (backup Nightly of Mail to Shelf) and one `drill Weekly { BODY }`. */
export function drill(body: string, name = 'Weekly'): string {
    return `${MAIL_RUNBOOK}drill ${name} { ${body} }\n`;
}

/** MAIL_RUNBOOK with a second tape and a catalog server that goes only there. */
const TWO_TAPES = `${MAIL_RUNBOOK}tape Spare { at "/var/backups/spare" }\n${catalog('Cat1')}folder People on Cat1 { path "people" }\nbackup Weekly { servers Cat1 to Spare }\n`;

export const drillCases: readonly RuleCases[] = [{
    code: 'drill.invalid',
    severity: 'error',
    fail: [
        { title: 'no `from`', fail: `${MAIL_RUNBOOK}drill ⟦Weekly⟧ { servers Mail }\n`, message: /^Drill 'Weekly' has no `from`: add `from TAPE`/ },
        { title: 'an unknown `from`', fail: drill('from ⟦Shelve⟧'), message: /^No tape named 'Shelve' in this file or the files it imports/ },
        { title: 'a bad `pick`', fail: drill('from Shelf pick ⟦latest⟧'), message: /^Drill 'Weekly' cannot pick "latest": write `pick newest, oldest or random`/ },
        { title: 'an empty `test`', fail: drill('from Shelf test ⟦"  "⟧'), message: /^The `test` of drill 'Weekly' is empty/ },
        {
            title: 'a listed server that no backup sends to the tape',
            fail: `${TWO_TAPES}drill Sunday { servers Mail, ⟦Cat1⟧ from Shelf }\n`,
            message: /^No backup sends Cat1 to tape Shelf, so drill 'Sunday' would find no archive of it there/
        },
        {
            title: 'no servers, and no backup writes the tape',
            fail: `${MAIL_RUNBOOK}tape Empty { at "/var/backups/empty" }\ndrill Weekly { from ⟦Empty⟧ }\n`,
            message: /^No backup sends a server to tape Empty, so drill 'Weekly' has nothing to restore/,
            also: ['tape.unused']
        }
    ],
    pass: [
        { title: 'the servers of the backups to the tape, by default', text: drill('from Shelf') },
        { title: 'every attribute, with `;`', text: drill('servers Mail; from Shelf; schedule "0 4 * * 0"; pick random; test "/usr/local/bin/check-mail-copy";') },
        { title: 'pick oldest', text: drill('from Shelf pick oldest') },
        { title: 'a tape and backups from an imported file', text: `import "backups.backplan"\ndrill Weekly { servers Mail from Shelf }\n`, extra: { 'backups.backplan': MAIL_RUNBOOK } },
        { title: 'notify `for` names a drill', text: `${drill('from Shelf')}notify Ops { for Nightly, Weekly command "/usr/local/bin/page" }\n` }
    ]
}];
