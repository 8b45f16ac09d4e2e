/**
 * Cases for the rules on backup blocks: `backup.no-stop` (seed rule 2), `backup.no-tape`,
 * `backup.all-copies-down`, `backup.all-catalogs-down`, `schedule.invalid`.
 */
import { MAIL_RUNBOOK } from '../helpers.js';
import { catalog, SHELF, type RuleCases } from './rule-case.js';

const THREE = `${SHELF}${catalog('Cat1')}${catalog('Cat2')}${catalog('Cat3')}`;

function scheduled(schedule: string): string {
    return MAIL_RUNBOOK.replace('to Shelf', `to Shelf schedule ${schedule}`);
}

export const backupCases: readonly RuleCases[] = [{
    code: 'backup.no-stop',
    severity: 'error',
    fail: [{
        title: 'a mail server without stop and start',
        fail: `${SHELF}server Mail { role mail host local data "/srv/mail" }\nbackup Nightly { servers ⟦Mail⟧ to Shelf }\n`,
        message: /^Server 'Mail' is backed up by 'Nightly' but has no `stop` or `start` command: the application must be quit/
    }, {
        title: 'a catalog server without start, in the middle of the list; its tape copy still counts',
        fail: `${SHELF}server Cat1 { role catalog host local data "/srv/cat1" stop "x" }\n${catalog('Cat2')}folder People on Cat1\n`
            + 'backup Nightly { servers Cat2, ⟦Cat1⟧ to Shelf }\n',
        message: /has no `start` command.*add `start "…"` to 'Cat1'/
    }],
    pass: [{ title: 'stop and start given', text: MAIL_RUNBOOK }]
}, {
    code: 'backup.no-tape',
    severity: 'error',
    fail: [{
        title: 'a backup without `to`',
        fail: `${catalog('Cat1')}${catalog('Cat2')}folder People on Cat1, Cat2\nbackup ⟦Nightly⟧ { servers Cat1 }\n`,
        message: /^Backup 'Nightly' has no `to`: add `to TAPE`/
    }],
    pass: [{ title: 'a backup with `to`', text: `${SHELF}${catalog('Cat1')}${catalog('Cat2')}folder People on Cat1, Cat2\nbackup Nightly { servers Cat1 to Shelf }\n` }]
}, {
    code: 'backup.parallel-invalid',
    severity: 'error',
    fail: [{
        title: '`parallel 0`',
        fail: MAIL_RUNBOOK.replace('to Shelf', 'to Shelf parallel ⟦0⟧'),
        message: /^`parallel 0` in 'Nightly' lets no server run at all: write `rolling`/
    }],
    pass: [{ title: '`parallel 1`', text: MAIL_RUNBOOK.replace('to Shelf', 'to Shelf parallel 1') }]
}, {
    code: 'backup.all-copies-down',
    severity: 'warning',
    fail: [{
        title: '`parallel 2` over both holders of a folder',
        fail: `${THREE}folder People on Cat1, Cat2\nfolder Rooms on Cat1, Cat2, Cat3\nbackup Nightly { servers Cat1, Cat2, Cat3 to Shelf parallel ⟦2⟧ }\n`,
        message: /^`parallel 2` in 'Nightly' may stop Cat1 and Cat2 at once, every server that holds folder 'People'.*use `rolling`/
    }],
    pass: [
        { title: 'rolling', text: `${THREE}folder People on Cat1, Cat2\nbackup Nightly { servers Cat1, Cat2, Cat3 to Shelf rolling }\n` },
        { title: 'every folder has more holders than `parallel`', text: `${THREE}folder People on Cat1, Cat2, Cat3\nbackup Nightly { servers Cat1, Cat2, Cat3 to Shelf parallel 2 }\n` },
        { title: 'one holder is not in the backup', text: `${THREE}folder People on Cat1, Cat2\nbackup Nightly { servers Cat1, Cat3 to Shelf parallel 2 }\n` },
        {
            title: 'one holder is backed up by `dump`, never stopped',
            text: `${THREE.replace('server Cat2 { role catalog ', 'server Cat2 { role catalog dump "slapcat" load "slapadd" ')}folder People on Cat1, Cat2\nbackup Nightly { servers Cat1, Cat2, Cat3 to Shelf parallel 2 }\n`
        }
    ]
}, {
    code: 'backup.all-catalogs-down',
    severity: 'warning',
    fail: [{
        title: '`parallel 2` over both catalog servers',
        fail: `${SHELF}${catalog('Cat1')}${catalog('Cat2')}folder A on Cat1\nfolder B on Cat2\nbackup Nightly { servers Cat1, Cat2 to Shelf parallel ⟦2⟧ }\n`,
        message: /^`parallel 2` in 'Nightly' may stop all 2 catalog servers \(Cat1 and Cat2\) at once/
    }],
    pass: [
        { title: 'a third catalog server stays up', text: `${THREE}folder A on Cat1\nfolder B on Cat2\nfolder C on Cat3, Cat1\nbackup Nightly { servers Cat1, Cat2 to Shelf parallel 2 }\n` },
        { title: 'a catalog server backed up by `dump` stays up', text: `${SHELF}${catalog('Cat1')}${catalog('Cat2').replace('role catalog ', 'role catalog dump "slapcat" load "slapadd" ')}folder A on Cat1\nfolder B on Cat2\nbackup Nightly { servers Cat1, Cat2 to Shelf parallel 2 }\n` },
        { title: 'only one catalog server', text: `${MAIL_RUNBOOK.replace('servers Mail to Shelf', 'servers Mail, Cat1 to Shelf parallel 2')}${catalog('Cat1')}folder A on Cat1\n` }
    ]
}, {
    code: 'schedule.invalid',
    severity: 'error',
    fail: [
        { title: 'six fields', fail: scheduled('⟦"0 0 2 * * *"⟧'), message: /has 6 fields, but cron takes exactly 5/ },
        { title: 'an unknown nickname', fail: scheduled('⟦"@often"⟧'), message: /not a known nickname/ },
        { title: 'a minute out of range', fail: scheduled('⟦"61 * * * *"⟧'), message: /is not valid cron/ },
        { title: 'one field', fail: scheduled('⟦"daily"⟧'), message: /has 1 field,/ },
        { title: 'a date that never comes (30 February)', fail: scheduled('⟦"0 0 30 2 *"⟧'), message: /^Schedule "0 0 30 2 \*" never runs: write five fields/ },
        { title: 'croner\'s `L` (last day of the month), which cron does not read', fail: scheduled('⟦"0 0 L * *"⟧'), message: /uses "L", which cron itself and systemd timers do not read/ },
        { title: 'croner\'s `#` (the second Friday)', fail: scheduled('⟦"0 0 * * 5#2"⟧'), message: /uses "#"/ },
        { title: 'a date that never comes (31st of 30-day months)', fail: scheduled('⟦"0 0 31 4,6,9,11 *"⟧'), message: /^Schedule "0 0 31 4,6,9,11 \*" never runs: write five fields/ },
        { title: 'a drill\'s schedule', fail: `${MAIL_RUNBOOK}drill Weekly { from Shelf schedule ⟦"0 4 * * 8"⟧ }\n`, message: /is not valid cron/ }
    ],
    pass: [
        { title: 'five fields', text: scheduled('"0 2 * * *"') },
        { title: 'a nickname', text: scheduled('"@daily"') },
        { title: 'month and day names in capitals (JUL is July, not L)', text: scheduled('"30 4 * JAN,JUL SUN"') },
        { title: 'steps, ranges and names', text: scheduled('"*/15 9-17 * * MON-FRI"') }
    ]
}];
