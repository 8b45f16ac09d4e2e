/**
 * Cases for the master rules (seed: "one catalog server must be a master catalog server
 * maintaining all the folders") and the folder rules.
 */
import { MAIL_RUNBOOK } from '../helpers.js';
import { catalog, type RuleCases } from './rule-case.js';

const CATS = `${catalog('Cat1')}${catalog('Cat2')}`;

export const masterFolderCases: readonly RuleCases[] = [{
    code: 'master.incomplete',
    severity: 'error',
    fail: [{
        title: 'a folder the master lacks',
        fail: `${catalog('Cat1', 'master')}${catalog('Cat2')}${catalog('Cat3')}folder People on Cat1, Cat2\nfolder ⟦Sales⟧ on Cat2, Cat3\n`,
        message: /^Folder 'Sales' is not on the master catalog server Cat1, which must hold every folder: add Cat1 to its `on` list/
    }],
    pass: [{ title: 'the master holds every folder', text: `${catalog('Cat1', 'master')}${catalog('Cat2')}${catalog('Cat3')}folder People on Cat1, Cat2\nfolder Sales on Cat3, Cat1\n` }]
}, {
    code: 'master.multiple',
    severity: 'error',
    fail: [{
        title: 'a second and a third master',
        fail: `${catalog('Cat1', 'master')}server Cat2 { role catalog ⟦master⟧ host local data "/srv/cat2" }\n`
            + 'server Cat3 { role catalog ⟦master⟧ host local data "/srv/cat3" }\nfolder People on Cat1, Cat2, Cat3\n',
        message: /is a second master \(Cat1 is the master\): a runbook has one master/
    }],
    pass: [{ title: 'one master', text: `${catalog('Cat1', 'master')}${catalog('Cat2')}folder People on Cat1, Cat2\n` }]
}, {
    code: 'master.not-catalog',
    severity: 'error',
    fail: [{
        title: 'a mail server marked master',
        fail: MAIL_RUNBOOK.replace('role mail', 'role mail ⟦master⟧'),
        message: /^Server 'Mail' is a mail server and cannot be a master.*write `role catalog master`/
    }],
    pass: [{ title: 'a catalog master', text: `${catalog('Cat1', 'master')}${catalog('Cat2')}folder People on Cat1, Cat2\n` }]
}, {
    code: 'folder.duplicate-server',
    severity: 'error',
    fail: [
        { title: 'one repeat', fail: `${CATS}folder People on Cat1, ⟦Cat1⟧, Cat2\n`, message: /^Folder 'People' lists server 'Cat1' twice/ },
        { title: 'two repeats', fail: `${CATS}folder People on Cat1, Cat2, ⟦Cat1⟧, ⟦Cat2⟧\n` }
    ],
    pass: [{ title: 'distinct servers', text: `${CATS}folder People on Cat1, Cat2\n` }]
}, {
    code: 'folder.on-mail-server',
    severity: 'error',
    fail: [{
        title: 'a folder on a mail server',
        fail: `${MAIL_RUNBOOK}${catalog('Cat2')}folder Rooms on ⟦Mail⟧, Cat2\n`,
        message: /^Folder 'Rooms' is placed on 'Mail', a mail server: folders live on catalog servers/
    }],
    pass: [{ title: 'folders on catalog servers only', text: `${MAIL_RUNBOOK}${CATS}folder Rooms on Cat1, Cat2\n` }]
}, {
    code: 'folder.path-invalid',
    severity: 'error',
    fail: [
        { title: 'an absolute path', fail: `${CATS}folder Sales on Cat1, Cat2 { path ⟦"/etc/sales"⟧ }\n`, message: /^Path "\/etc\/sales" of folder 'Sales' is absolute/ },
        { title: 'a leading ..', fail: `${CATS}folder Sales on Cat1, Cat2 { path ⟦"../support"⟧ }\n`, message: /contains "\.\."/ },
        { title: 'a .. inside', fail: `${CATS}folder Sales on Cat1, Cat2 { path ⟦"team/../../etc"⟧ }\n` }
    ],
    pass: [
        { title: 'a name with a space', text: `${CATS}folder Sales on Cat1, Cat2 { path "Sales Dept" }\n` },
        { title: 'a sub-folder, and dots that are not ..', text: `${CATS}folder Sales on Cat1, Cat2 { path "teams/sales..old" }\n` }
    ]
}];
