/**
 * Cases for the coverage rules (seed rule 1): `coverage.single-copy`, `coverage.no-offsite`,
 * `tape.unused`.
 */
import { MAIL_RUNBOOK } from '../helpers.js';
import { catalog, SHELF, type RuleCases } from './rule-case.js';

const MAIL = 'server Mail { role mail host local data "/srv/mail" stop "systemctl stop postfix" start "systemctl start postfix" }\n';

export const coverageCases: readonly RuleCases[] = [{
    code: 'coverage.single-copy',
    severity: 'error',
    fail: [{
        title: 'a folder on one server that no backup sends to a tape',
        fail: `${catalog('Cat1')}folder ⟦Sales⟧ on Cat1\n`,
        message: /^Folder 'Sales' exists only on Cat1, and no backup sends Cat1 to a tape: add another server to `on`, or add Cat1 to a backup/
    }, {
        title: 'mail data on a server that no backup sends anywhere',
        fail: `server ⟦Mail⟧ { role mail host local data "/srv/mail" stop "a" start "b" }\n`,
        message: /Mail data of 'Mail' exists only on Mail.*add Mail to a backup/
    }, {
        title: 'mail sent by a backup that has no tape',
        fail: `server ⟦Mail⟧ { role mail host local data "/srv/mail" stop "a" start "b" }\nbackup Nightly { servers Mail }\n`,
        also: ['backup.no-tape']
    }, {
        title: 'a folder whose only server is not declared',
        fail: 'folder ⟦People⟧ on Nowhere\n',
        also: ['linking-error']
    }],
    pass: [
        { title: 'a folder replicated on two servers', text: `${catalog('Cat1')}${catalog('Cat2')}folder Sales on Cat1, Cat2\n` },
        { title: 'a folder on one server that goes to a tape', text: `${SHELF}${catalog('Cat1')}folder Sales on Cat1\nbackup Nightly { servers Cat1 to Shelf }\n` },
        { title: 'mail data that goes to a tape', text: MAIL_RUNBOOK }
    ]
}, {
    code: 'coverage.no-offsite',
    severity: 'error',
    fail: [{
        title: 'mail that reaches only an on-site tape',
        fail: `runbook "Acme" { require offsite }\n${SHELF}server ⟦Mail⟧ { role mail host local data "/srv/mail" stop "a" start "b" }\nbackup Nightly { servers Mail to Shelf }\n`,
        message: /^Mail data of 'Mail' reaches no off-site tape.*mark a tape `offsite` \(none is\) and back up Mail to it/
    }, {
        title: 'a replicated folder whose servers never reach the off-site tape',
        fail: `runbook "Acme" { require offsite }\ntape Vault { at "/mnt/vault" offsite }\n${MAIL}${catalog('Cat1')}${catalog('Cat2')}folder ⟦People⟧ on Cat1, Cat2\nbackup Nightly { servers Mail to Vault }\n`,
        message: /^Folder 'People' reaches no off-site tape.*add Cat1 or Cat2 to a backup `to` Vault/
    }],
    pass: [
        { title: 'everything reaches the off-site tape', text: `runbook "Acme" { require offsite }\ntape Vault { at "/mnt/vault" offsite }\n${MAIL}${catalog('Cat1')}${catalog('Cat2')}folder People on Cat1, Cat2\nbackup Nightly { servers Mail, Cat2 to Vault }\n` },
        { title: 'no `require offsite`: an on-site tape is enough', text: `runbook "Acme"\n${MAIL_RUNBOOK}` }
    ]
}, {
    code: 'tape.unused',
    severity: 'warning',
    fail: [{
        title: 'a tape no backup sends to',
        fail: `${MAIL_RUNBOOK}tape ⟦Spare⟧ { at "/var/backups/spare" }\n`,
        message: /^Tape 'Spare' is not used by any backup: add `to Spare` to a backup, or delete the tape/
    }],
    pass: [{ title: 'every tape used', text: MAIL_RUNBOOK }]
}];
