/**
 * Cases for the stop-window rules (DESIGN §10): `quiesce.conflict`, `server.dump-incomplete`,
 * `restore.no-stop`, `exclude.invalid`, and the warning `coverage.partial`.
 */
import { MAIL_RUNBOOK } from '../helpers.js';
import { catalog, SHELF, type RuleCases } from './rule-case.js';

const STOP_START = 'stop "systemctl stop slapd" start "systemctl start slapd"';

/** A catalog server on `local` with the given attributes (and no others). */
function server(name: string, attributes: string): string {
    return `server ${name} { role catalog host local data "/srv/${name.toLowerCase()}" ${attributes} }\n`;
}

/** `Dir` backed up to the shelf, with the given attributes. */
function backedUp(attributes: string): string {
    return `${SHELF}${server('Dir', attributes)}backup Nightly { servers Dir to Shelf }\n`;
}

/** Folder People on Cat1 and Cat2 (both backed up); Cat1 has the given excludes. */
function people(excludes: string, path = ''): string {
    return `${SHELF}${catalog('Cat1', '').replace(' }\n', ` ${excludes} }\n`)}${catalog('Cat2')}`
        + `folder ⟦People⟧ on Cat1, Cat2${path}\nbackup Nightly { servers Cat1, Cat2 to Shelf }\n`;
}

/** MAIL_RUNBOOK with excludes on Mail. */
function mailExcludes(excludes: string): string {
    return MAIL_RUNBOOK.replace('data "/srv/mail"', `data "/srv/mail" ${excludes}`);
}

export const stopWindowCases: readonly RuleCases[] = [{
    code: 'quiesce.conflict',
    severity: 'error',
    fail: [
        {
            title: '`snapshot btrfs` and `dump`',
            fail: backedUp(`${STOP_START} ⟦snapshot btrfs⟧ dump "slapcat -n 1" load "slapadd -n 1 -q"`),
            message: /^Server 'Dir' has both `dump` and `snapshot`: a dump is read while the application runs, a snapshot is taken while it is stopped\. Keep one/
        },
        {
            title: 'snapshot commands and `dump`, on their own lines',
            fail: `${SHELF}server Dir {\n  role catalog\n  host local\n  data "/srv/dir"\n  ${STOP_START}\n  dump "slapcat"\n  load "slapadd"\n  ⟦snapshot "lvcreate -s -n snap vg/dir" "lvremove -f vg/snap";⟧\n}\nbackup Nightly { servers Dir to Shelf }\n`
        }
    ],
    pass: [
        { title: '`snapshot btrfs` alone', text: backedUp(`${STOP_START} snapshot btrfs`) },
        { title: 'snapshot commands alone', text: backedUp(`${STOP_START} snapshot "zfs snapshot tank/dir@bp" "zfs destroy tank/dir@bp"`) },
        { title: '`dump` and `load` alone', text: backedUp(`${STOP_START} dump "slapcat -n 1" load "slapadd -n 1 -q"`) }
    ]
}, {
    code: 'server.dump-incomplete',
    severity: 'error',
    fail: [
        {
            title: '`dump` without `load`',
            fail: backedUp(`${STOP_START} dump ⟦"slapcat -n 1"⟧`),
            message: /^Server 'Dir' has `dump` but no `load`: its archives hold a dump that no restore could read back\. Add `load "…"`/
        },
        {
            title: '`load` without `dump`',
            fail: backedUp(`${STOP_START} load ⟦"slapadd -n 1 -q"⟧`),
            message: /^Server 'Dir' has `load` but no `dump`/
        }
    ],
    pass: [{ title: '`dump` and `load`', text: backedUp(`${STOP_START} dump "slapcat -n 1" load "slapadd -n 1 -q"`) }]
}, {
    code: 'restore.no-stop',
    severity: 'error',
    fail: [
        {
            title: 'a dump server in a backup without stop and start: no backup.no-stop, the backup needs neither',
            fail: backedUp('dump ⟦"slapcat -n 1"⟧ load "slapadd -n 1 -q"'),
            message: /^Server 'Dir' has `dump` but no `stop` or `start` command: backups read the dump while it runs, but a restore must quit the application.*add `stop "…"` and `start "…"`/
        },
        {
            title: 'without `start`',
            fail: backedUp('stop "systemctl stop slapd" dump ⟦"slapcat -n 1"⟧ load "slapadd -n 1 -q"'),
            message: /no `start` command.*add `start "…"`\.$/
        },
        {
            title: 'in no backup at all',
            fail: server('Dir', 'dump ⟦"slapcat -n 1"⟧ load "slapadd -n 1 -q"')
        }
    ],
    pass: [{ title: 'stop and start for its restores', text: backedUp(`${STOP_START} dump "slapcat -n 1" load "slapadd -n 1 -q"`) }]
}, {
    code: 'exclude.invalid',
    severity: 'error',
    fail: [
        {
            title: 'an absolute pattern',
            fail: mailExcludes('exclude ⟦"/srv/mail/cache"⟧'),
            message: /^Exclude pattern "\/srv\/mail\/cache" of server 'Mail' is absolute: patterns are relative to its data folder "\/srv\/mail" and stay inside it/
        },
        { title: 'a `..` segment', fail: mailExcludes('exclude "cache" ⟦"tmp/../../etc"⟧'), message: /contains a "\.\." segment/ },
        { title: 'empty, on a second exclude line', fail: mailExcludes('exclude "cache"\nexclude ⟦""⟧ "run/*.pid"'), message: /is empty/ },
        { title: 'the data folder itself', fail: mailExcludes('exclude ⟦"./"⟧'), message: /names the data folder itself/ }
    ],
    pass: [
        { title: 'relative patterns on two lines', text: mailExcludes('exclude "cache" "run/*.pid"\nexclude "tmp/*" "*.lock"') },
        { title: 'a name that only starts with dots', text: mailExcludes('exclude "..cache" "cache/..old"') }
    ]
}, {
    code: 'coverage.partial',
    severity: 'warning',
    fail: [
        {
            title: 'a pattern below the folder',
            fail: people('exclude "cache" "People/cache"'),
            message: /^Folder 'People' is only partly in Cat1's archives: Cat1's `exclude` "People\/cache" reaches into "People", so its tape copy lacks what the pattern matches\./
        },
        { title: 'the folder itself', fail: people('exclude "People"') },
        { title: 'a wildcard over its name, two patterns in one finding', fail: people('exclude "Peo*" "*/tmp"'), message: /`exclude` "Peo\*" and "\*\/tmp" reach into "People"/ },
        { title: 'a folder above its path', fail: people('exclude "dept"', ' { path "dept/People" }') },
        { title: 'a bracket set', fail: people('exclude "[NOP]eople/*.tmp"') },
        {
            title: 'both holders, one finding each',
            fail: `${SHELF}${server('Cat1', `${STOP_START} exclude "People/a"`)}${server('Cat2', `${STOP_START} exclude "People/b"`)}`
                + 'folder ⟦⟦People⟧⟧ on Cat1, Cat2\nbackup Nightly { servers Cat1, Cat2 to Shelf }\n'
        }
    ],
    pass: [
        { title: 'patterns elsewhere in the data folder', text: people('exclude "cache" "run/*.pid" "Peoples" "People2/x"').replace('⟦People⟧', 'People') },
        { title: 'a name that is only a prefix of the path', text: people('exclude "Sales"', ' { path "Sales Dept" }').replace('⟦People⟧', 'People') },
        { title: 'an exclude on a server that does not hold the folder', text: `${SHELF}${catalog('Cat1')}${catalog('Cat2')}${server('Cat3', `${STOP_START} exclude "*"`)}folder People on Cat1, Cat2\nbackup Nightly { servers Cat1, Cat2, Cat3 to Shelf }\n` }
    ]
}];
