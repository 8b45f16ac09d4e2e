/**
 * Cases for names, attributes, headers, imports and Langium's own codes:
 * `name.duplicate`, `attribute.duplicate`, `runbook.header-duplicate`, `import.unresolved`,
 * `linking-error`, `parsing-error`, `lexing-error`.
 */
import { MAIL_RUNBOOK } from '../helpers.js';
import { catalog, SHELF, type RuleCases } from './rule-case.js';

const MAIL_LINES = `${SHELF}server Mail {
  role mail
  host local
  data "/srv/mail"
  stop "systemctl stop postfix"
  start "systemctl start postfix"
}
backup Nightly { servers Mail to Shelf }
`;

export const namesSyntaxCases: readonly RuleCases[] = [{
    code: 'name.duplicate',
    severity: 'error',
    fail: [
        { title: 'two servers', fail: `${catalog('Cat1')}server ⟦Cat1⟧ { role catalog host local data "/srv/other" }\n`, message: /^A server named 'Cat1' is already declared at main.backplan:1: rename one of them/ },
        { title: 'two folders', fail: `${catalog('Cat1')}${catalog('Cat2')}folder People on Cat1, Cat2\nfolder ⟦People⟧ on Cat2, Cat1\n` },
        { title: 'two backups and two tapes', fail: `${MAIL_RUNBOOK}tape ⟦Shelf⟧ { at "/var/backups/other" }\nbackup ⟦Nightly⟧ { servers Mail to Shelf }\n`, also: ['tape.unused'] },
        { title: 'two notify blocks', fail: `${MAIL_RUNBOOK}notify Ops { command "/bin/true" }\nnotify ⟦Ops⟧ { command "/bin/false" }\n`, message: /^A notify block named 'Ops' is already declared at main.backplan:4/ },
        { title: 'a drill named like a backup', fail: `${MAIL_RUNBOOK}drill ⟦Nightly⟧ { from Shelf }\n`, message: /^A backup or drill named 'Nightly' is already declared at main.backplan:3/ },
        { title: 'two drills', fail: `${MAIL_RUNBOOK}drill Weekly { from Shelf }\ndrill ⟦Weekly⟧ { from Shelf pick oldest }\n` }
    ],
    pass: [{ title: 'a tape and a server share a name (different kinds)', text: MAIL_RUNBOOK.replaceAll('Shelf', 'Mail') }]
}, {
    code: 'attribute.duplicate',
    severity: 'error',
    fail: [
        { title: 'two data lines', fail: MAIL_LINES.replace('  data "/srv/mail"\n', '  data "/srv/mail"\n  data ⟦"/srv/mail2"⟧\n'), message: /^Server 'Mail' sets `data` more than once: keep one `data` line/ },
        { title: 'two roles and two hosts', fail: MAIL_LINES.replace('  host local\n', '  host local\n  ⟦host "ssh://mail.lan"⟧\n  ⟦role mail⟧\n') },
        { title: 'offsite twice', fail: MAIL_RUNBOOK.replace('at "/var/backups/shelf"', 'at "/var/backups/shelf" offsite ⟦offsite⟧'), message: /^Tape 'Shelf' sets `offsite` more than once/ },
        { title: 'two `to` and two modes', fail: MAIL_RUNBOOK.replace('to Shelf', 'to Shelf to ⟦Shelf⟧ rolling ⟦parallel 2⟧'), message: /^Backup 'Nightly' sets (`to`|`rolling`\/`parallel`) more than once/ },
        { title: 'two paths', fail: `${catalog('Cat1')}${catalog('Cat2')}folder People on Cat1, Cat2 { path "people" path ⟦"staff"⟧ }\n` },
        { title: 'two snapshots', fail: MAIL_LINES.replace('  data "/srv/mail"\n', '  data "/srv/mail"\n  snapshot btrfs\n  ⟦snapshot "lvcreate" "lvremove"⟧\n'), message: /^Server 'Mail' sets `snapshot` more than once/ },
        { title: 'two dumps, loads and readies', fail: MAIL_LINES.replace('  data "/srv/mail"\n', '  data "/srv/mail"\n  dump "a" dump ⟦"b"⟧ load "c" load ⟦"d"⟧ ready "e" ready ⟦"f"⟧\n') },
        { title: 'two `stale after`', fail: MAIL_RUNBOOK.replace('to Shelf', 'to Shelf stale after 26h stale after ⟦2d⟧'), message: /^Backup 'Nightly' sets `stale after` more than once/ },
        { title: 'two `on` lines in a notify block', fail: `${MAIL_RUNBOOK}notify Ops { on failure ⟦on stale⟧ command "/usr/local/bin/page" }\n`, message: /^Notify 'Ops' sets `on` more than once/ },
        { title: 'two `from` and two `pick` in a drill', fail: `${MAIL_RUNBOOK}drill Weekly { from Shelf from ⟦Shelf⟧ pick newest pick ⟦random⟧ }\n`, message: /^Drill 'Weekly' sets `(from|pick)` more than once/ }
    ],
    pass: [{ title: 'each attribute once', text: MAIL_LINES }]
}, {
    code: 'runbook.header-duplicate',
    severity: 'error',
    fail: [{ title: 'two headers', fail: `runbook "One"\n⟦runbook⟧ "Two"\n${MAIL_RUNBOOK}`, message: /already has a `runbook` header \("One" at main.backplan:1\)/ }],
    pass: [{ title: 'one header', text: `runbook "One"\n${MAIL_RUNBOOK}` }]
}, {
    code: 'import.unresolved',
    severity: 'error',
    fail: [{ title: 'a missing file', fail: `import ⟦"no-such-file.backplan"⟧\n${MAIL_RUNBOOK}`, message: /^Cannot read imported file "no-such-file.backplan" \(\/ws\/no-such-file.backplan\): check the path, which is relative to this file/ }],
    pass: [{ title: 'an existing file', text: `import "tapes/shelf.backplan"\n${MAIL_RUNBOOK.replace(SHELF, '')}`, extra: { 'tapes/shelf.backplan': SHELF } }]
}, {
    code: 'linking-error',
    severity: 'error',
    fail: [
        { title: 'an undeclared server', fail: `${catalog('Cat1')}folder People on Cat1, ⟦Cat9⟧\n`, also: ['coverage.single-copy'], message: /^No server named 'Cat9' in this file or the files it imports: declare `server Cat9`, import the file that does, or correct the name/ },
        { title: 'an undeclared tape', fail: MAIL_RUNBOOK.replace(SHELF, '').replace('to Shelf', 'to ⟦Vault⟧'), also: ['coverage.single-copy'], message: /^No tape named 'Vault'/ }
    ],
    pass: [{ title: 'every name declared', text: MAIL_RUNBOOK }]
}, {
    code: 'parsing-error',
    severity: 'error',
    fail: [
        { title: 'a `servers` line without a name', fail: `${SHELF}backup Nightly { servers ⟦to⟧ Shelf }\n` },
        { title: 'an unknown attribute', fail: `${SHELF}server Mail { role mail ⟦owner⟧ "me" }\n`, also: ['coverage.single-copy', 'server.incomplete', 'tape.unused'] }
    ],
    pass: [{ title: 'well-formed', text: MAIL_RUNBOOK }]
}, {
    code: 'lexing-error',
    severity: 'error',
    fail: [{ title: 'a stray character', fail: `${MAIL_RUNBOOK}⟦§⟧\n` }],
    pass: [{ title: 'the same without it', text: MAIL_RUNBOOK }]
}];
