/**
 * Cases for the server rules (`server.*`, `host.invalid`) and the tape rules
 * (`tape.location-invalid`, `tape.restic-password`, `tape.key-invalid`, `tape.inside-data`,
 * `retention.invalid`).
 */
import { MAIL_RUNBOOK } from '../helpers.js';
import { staleAfter } from './notify.cases.js';
import { catalog, type RuleCases } from './rule-case.js';

function server(name: string, host: string, data: string): string {
    return `server ${name} { role catalog host ${host} data ${data} }\n`;
}

/** MAIL_RUNBOOK (Mail's data in "/srv/mail") with the tape at `at` (a marked string). */
function tapeAt(at: string): string {
    return MAIL_RUNBOOK.replace('"/var/backups/shelf"', at);
}

/** MAIL_RUNBOOK with Mail's data folder (a marked string) and host. */
function mailData(data: string, host = 'local'): string {
    return MAIL_RUNBOOK.replace('host local data "/srv/mail"', `host ${host} data ${data}`);
}

/** MAIL_RUNBOOK whose tape Shelf has these attributes instead of its `at` (marked strings allowed). */
function shelf(attributes: string, name = 'Shelf'): string {
    return MAIL_RUNBOOK.replace('tape Shelf { at "/var/backups/shelf" }', `tape ${name} {\n  ${attributes}\n}`);
}

/** A restic Shelf (a repository and its password file) with more attributes. */
function resticShelf(more = '', repo = '"sftp:backup@vault.lan:/srv/restic/shelf"'): string {
    return shelf(`restic ${repo}\n  password-file "/etc/backplan/shelf.pass"${more}`);
}

function keep(lines: string): string {
    return MAIL_RUNBOOK.replace('tape Shelf { at "/var/backups/shelf" }', `tape Shelf {\n  at "/var/backups/shelf"\n${lines}}`);
}

export const serverTapeCases: readonly RuleCases[] = [{
    code: 'server.incomplete',
    severity: 'error',
    fail: [
        { title: 'no host, no data', fail: 'server ⟦Cat1⟧ { role catalog }\n', message: /^Server 'Cat1' has no `host` or `data`: add `host local` or `host "ssh:\/\/user@host"` and `data "\/absolute\/path"`/ },
        { title: 'no role', fail: 'server ⟦Box⟧ { host local data "/srv/box" }\n', message: /has no `role`/ },
        { title: 'nothing at all', fail: 'server ⟦Empty⟧ { }\n' }
    ],
    pass: [{ title: 'role, host and data', text: catalog('Cat1') }]
}, {
    code: 'server.data-relative',
    severity: 'error',
    fail: [{ title: 'a relative data folder', fail: server('Cat2', 'local', '⟦"srv/cat2"⟧'), message: /^Data folder "srv\/cat2" of server 'Cat2' is not absolute.*"\/srv\/cat2"/ }],
    pass: [{ title: 'an absolute data folder', text: server('Cat2', 'local', '"/srv/cat2"') }]
}, {
    code: 'server.data-overlap',
    severity: 'error',
    fail: [
        { title: 'nested on local', fail: server('A', 'local', '"/srv/dir"') + server('B', 'local', '⟦"/srv/dir/b"⟧'), message: /^Data folder "\/srv\/dir\/b" of 'B' lies inside "\/srv\/dir" of 'A' on host local/ },
        {
            title: 'equal on one ssh host: host name case, default port and user ignored',
            fail: server('A', '"ssh://admin@DIR.example.lan"', '"/srv/dir"') + server('B', '"ssh://backup@dir.example.lan:22"', '⟦"/srv/dir/"⟧'),
            message: /is the same as "\/srv\/dir" of 'A' on host ssh:\/\/dir.example.lan:/
        },
        { title: 'three on one folder', fail: server('A', 'local', '"/srv/x"') + server('B', 'local', '⟦"/srv/x"⟧') + server('C', 'local', '⟦"/srv/./x"⟧') }
    ],
    pass: [
        { title: 'local and ssh are different machines', text: server('A', 'local', '"/srv/dir"') + server('B', '"ssh://dir.example.lan"', '"/srv/dir"') },
        { title: 'one host name, different ports', text: server('A', '"ssh://dir.example.lan"', '"/srv/dir"') + server('B', '"ssh://dir.example.lan:2222"', '"/srv/dir"') },
        { title: 'a common prefix is not nesting', text: server('A', 'local', '"/srv/dir"') + server('B', 'local', '"/srv/dir2"') }
    ]
}, {
    code: 'server.data-root',
    severity: 'error',
    fail: [
        { title: 'the root of the file system', fail: server('Cat', 'local', '⟦"/"⟧'), message: /^Data folder "\/" of server 'Cat' is the root of the file system/ },
        { title: '/var', fail: server('Cat', 'local', '⟦"/var"⟧'), message: /^Data folder "\/var" of server 'Cat' is a system folder/ },
        { title: 'a trailing slash and a dot segment', fail: server('Cat', 'local', '⟦"/etc/./"⟧') },
        { title: 'on an ssh host too', fail: server('Cat', '"ssh://cat.example.lan"', '⟦"/home"⟧') },
        ...['/usr', '/bin', '/boot', '/dev', '/proc', '/sys', '/root', '//'].map(root => ({ title: root, fail: server('Cat', 'local', `⟦"${root}"⟧`) }))
    ],
    pass: [
        { title: 'a folder below a system root', text: server('Cat', 'local', '"/var/lib/slapd"') },
        { title: 'a home folder', text: server('Cat', 'local', '"/home/cat"') },
        { title: 'a name that only starts like one', text: server('Cat', 'local', '"/etcetera"') }
    ]
}, {
    code: 'host.invalid',
    severity: 'error',
    fail: [
        { title: 'an http URL', fail: server('C', '⟦"http://cat4.example.lan"⟧', '"/srv/c"'), message: /^Host "http:\/\/cat4.example.lan" is not valid: it is not an ssh:\/\/ URL\. Write `host local` or `host "ssh:\/\/user@host\[:port\]"`/ },
        { title: 'a password', fail: server('C', '⟦"ssh://admin:secret@cat4.lan"⟧', '"/srv/c"'), message: /password/ },
        { title: 'a port out of range', fail: server('C', '⟦"ssh://cat4.lan:99999"⟧', '"/srv/c"'), message: /port "99999" is not a number from 1 to 65535/ },
        { title: 'no host name', fail: server('C', '⟦"ssh://"⟧', '"/srv/c"') },
        { title: 'a bare host name', fail: server('C', '⟦"cat4.lan"⟧', '"/srv/c"') },
        {
            title: 'a holder with a bad host still counts as a copy',
            fail: `server Cat1 { role catalog host ⟦"http://x"⟧ data "/srv/cat1" }\n${catalog('Cat2')}folder People on Cat1, Cat2\n`
        }
    ],
    pass: [
        { title: 'user, host and port', text: server('C', '"ssh://admin@cat2.acme.lan:2222"', '"/srv/c"') },
        { title: 'an IPv4 address', text: server('C', '"ssh://10.0.0.7"', '"/srv/c"') },
        { title: 'an IPv6 address', text: server('C', '"ssh://backup@[fe80::1]:22"', '"/srv/c"') },
        { title: 'local', text: server('C', 'local', '"/srv/c"') }
    ]
}, {
    code: 'duration.invalid',
    severity: 'error',
    fail: [
        { title: 'a zero timeout', fail: server('Cat2', 'local', '"/srv/cat2" timeout ⟦0s⟧'), message: /^`timeout 0s` of server 'Cat2' would kill its stop and start at once/ },
        { title: 'a timeout longer than a timer can wait', fail: server('Cat2', 'local', '"/srv/cat2" timeout ⟦25d⟧'), message: /longer than a timer can wait \(24 days/ },
        { title: 'stale after 0h', fail: staleAfter('⟦0h⟧'), message: /^`stale after 0h` of backup 'Nightly' would call it stale the moment it succeeds/ },
        { title: 'stale after more days than can be counted', fail: staleAfter('⟦999999999999999d⟧'), message: /is too long to count/ }
    ],
    pass: [
        { title: 'minutes', text: server('Cat2', 'local', '"/srv/cat2" timeout 5m') },
        { title: 'stale after 26h', text: staleAfter('26h') },
        { title: 'stale after 35d (longer than a timer could wait: it is an age, not a timer)', text: staleAfter('35d') },
        { title: 'the longest a timer can wait', text: server('Cat2', 'local', '"/srv/cat2" timeout 24d') }
    ]
}, {
    code: 'tape.key-invalid',
    severity: 'error',
    fail: [
        { title: 'a relative key file', fail: keep('  key-file ⟦"vault.key"⟧\n'), message: /^`key-file "vault\.key"` of tape 'Shelf' is not an absolute path.*"\/etc\/backplan\/shelf\.key"/ },
        { title: 'an empty key file path', fail: keep('  key-file ⟦""⟧\n') },
        { title: 'a key file on a restic tape', fail: resticShelf('\n  key-file ⟦"/etc/backplan/shelf.key"⟧'), message: /^`key-file` on restic tape 'Shelf' has nothing to sign: restic authenticates its own repository/ }
    ],
    pass: [
        { title: 'an absolute key file', text: keep('  key-file "/etc/backplan/shelf.key"\n') },
        { title: 'a restic tape without one', text: resticShelf() }
    ]
}, {
    code: 'tape.location-invalid',
    severity: 'error',
    fail: [
        { title: 'neither `at` nor `restic`', fail: MAIL_RUNBOOK.replace('tape Shelf { at "/var/backups/shelf" }', 'tape ⟦Shelf⟧ { offsite }'), message: /^Tape 'Shelf' has neither `at` nor `restic`: add `at "\/mnt\/backup\/shelf"`.* or `restic "sftp:/ },
        { title: 'both `at` and `restic`', fail: shelf('at "/var/backups/shelf"\n  restic ⟦"/srv/restic/shelf"⟧\n  password-file "/etc/backplan/shelf.pass"'), message: /^Tape 'Shelf' has both `at` and `restic`/ },
        { title: 'a relative folder', fail: MAIL_RUNBOOK.replace('"/var/backups/shelf"', '⟦"backups/shelf"⟧'), message: /^Location "backups\/shelf" of tape 'Shelf' is not an absolute path/ },
        { title: 'a URL', fail: MAIL_RUNBOOK.replace('"/var/backups/shelf"', '⟦"sftp://nas/backups"⟧'), message: /is a URL: a folder tape is a local folder \(use `restic "sftp:…"`/ },
        { title: 'a relative restic folder', fail: resticShelf('', '⟦"restic/shelf"⟧'), message: /^Repository "restic\/shelf" of restic tape 'Shelf' is a relative folder/ },
        { title: 'a relative local: folder', fail: resticShelf('', '⟦"local:restic/shelf"⟧'), message: /is a relative folder/ },
        { title: 'an unknown backend', fail: resticShelf('', '⟦"ftp://nas/shelf"⟧'), message: /names no backend restic knows \(`ftp:`/ },
        { title: 'a password in a REST URL', fail: resticShelf('', '⟦"rest:https://backup:s3cret@vault.lan:8000/shelf"⟧'), message: /holds a password/ },
        { title: 'a REST repository that is not a URL', fail: resticShelf('', '⟦"rest:vault.lan/shelf"⟧'), message: /is not `rest:http:\/\/HOST/ },
        { title: 'an sftp repository without a path', fail: resticShelf('', '⟦"sftp:vault.lan"⟧'), message: /is not `sftp:\[USER@\]HOST:PATH`/ },
        { title: 'an empty repository', fail: resticShelf('', '⟦""⟧'), message: /is empty/ }
    ],
    pass: [
        { title: 'an absolute folder', text: MAIL_RUNBOOK },
        ...['"/srv/restic/shelf"', '"local:/srv/restic/shelf"', '"sftp:backup@vault.lan:/srv/restic/shelf"', '"sftp://backup@vault.lan:2222//srv/restic/shelf"',
            '"rest:http://127.0.0.1:8000/shelf"', '"rest:https://vault.lan/"', '"s3:s3.amazonaws.com/acme-backups"', '"b2:acme-backups:shelf"',
            '"azure:acme:/shelf"', '"gs:acme-backups:/shelf"', '"swift:acme:/shelf"', '"rclone:remote:shelf"']
            .map(repo => ({ title: `restic ${repo}`, text: resticShelf('', repo) })),
        { title: 'an off-site restic tape with keep', text: resticShelf('\n  offsite\n  keep daily 7 weekly 4 monthly 12') }
    ]
}, {
    code: 'tape.restic-password',
    severity: 'error',
    fail: [
        { title: 'a restic tape without a password file', fail: shelf('restic "sftp:backup@vault.lan:/srv/restic/shelf"', '⟦Shelf⟧'), message: /^Restic tape 'Shelf' has no `password-file`: add `password-file "\/etc\/backplan\/shelf\.pass"`/ },
        { title: 'a relative password file', fail: shelf('restic "/srv/restic/shelf"\n  password-file ⟦"shelf.pass"⟧'), message: /^`password-file "shelf\.pass"` of tape 'Shelf' is not an absolute path/ },
        { title: 'a password file on a folder tape', fail: shelf('at "/var/backups/shelf"\n  password-file ⟦"/etc/backplan/shelf.pass"⟧'), message: /^`password-file` of tape 'Shelf' belongs to restic tapes/ }
    ],
    pass: [
        { title: 'a restic tape with its password file', text: resticShelf() },
        { title: 'a folder tape without one', text: MAIL_RUNBOOK }
    ]
}, {
    code: 'tape.inside-data',
    severity: 'error',
    fail: [
        { title: 'a tape inside the data folder', fail: tapeAt('⟦"/srv/mail/tapes/shelf"⟧'), message: /^Tape folder "\/srv\/mail\/tapes\/shelf" of 'Shelf' lies inside data folder "\/srv\/mail" of 'Mail' on this machine/ },
        { title: 'the same folder, with a trailing slash', fail: tapeAt('⟦"/srv/mail/"⟧'), message: /is the same as data folder/ },
        { title: 'a data folder inside the tape', fail: tapeAt('⟦"/srv"⟧'), message: /^Tape folder "\/srv" of 'Shelf' holds data folder "\/srv\/mail"/ },
        { title: 'data with a trailing slash inside the tape', fail: mailData('"/var/backups/shelf/mail/"').replace('at "/var/backups/shelf"', 'at ⟦"/var/backups/shelf"⟧') },
        { title: 'a local restic repository inside the data it backs up', fail: resticShelf('', '⟦"/srv/mail/restic"⟧'), message: /^Restic repository "\/srv\/mail\/restic" of tape 'Shelf' lies inside data folder "\/srv\/mail" of 'Mail', on the host where restic backs it up/ },
        { title: 'a local: repository holding the data, on an ssh server', fail: resticShelf('', '⟦"local:/srv"⟧').replace('host local', 'host "ssh://mail.example.lan"'), message: /holds data folder "\/srv\/mail"/ }
    ],
    pass: [
        { title: 'side by side', text: MAIL_RUNBOOK },
        { title: 'a common prefix is not nesting', text: tapeAt('"/srv/mail-tapes"') },
        { title: 'an ssh server\'s data is on another machine', text: mailData('"/var/backups/shelf"', '"ssh://mail.example.lan"') },
        { title: 'a restic repository beside the data', text: resticShelf('', '"/srv/restic/shelf"') },
        { title: 'an sftp repository is on another machine', text: resticShelf('', '"sftp:backup@vault.lan:/srv/mail/restic"') }
    ]
}, {
    code: 'retention.invalid',
    severity: 'error',
    fail: [
        { title: 'a count of 0', fail: keep('  keep daily ⟦0⟧ weekly 4\n'), message: /^`keep daily 0` on tape 'Shelf' keeps nothing/ },
        { title: 'a period twice on one line', fail: keep('  keep weekly 4 ⟦weekly⟧ 8\n'), message: /^Tape 'Shelf' gives `weekly` twice in `keep`/ },
        { title: 'a period twice across lines', fail: keep('  keep last 3\n  keep ⟦last⟧ 5 yearly ⟦0⟧\n') }
    ],
    pass: [
        { title: 'every period once', text: keep('  keep last 3 hourly 24 daily 7 weekly 4 monthly 12 yearly 3\n') },
        { title: 'periods in any order over several lines', text: keep('  keep yearly 1\n  keep daily 7 last 2\n') }
    ]
}];
