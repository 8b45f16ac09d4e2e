/**
 * Snippets of whole declarations, offered by completion with the declaration's keyword, so
 * only where a declaration may start (never inside a block or after `on`). The documentation
 * shown with them is the keyword's, from docs/language.md.
 */

/** A snippet offered beside the keyword it starts with. */
export interface DeclarationSnippet {
    /** Shown after the label: what the snippet writes. */
    readonly description: string;
    /** LSP snippet syntax. */
    readonly body: string;
}

/** Snippets by the keyword they start with. */
export const DECLARATION_SNIPPETS: Readonly<Record<string, readonly DeclarationSnippet[]>> = {
    server: [{
        description: 'server with role, host, data, stop, start',
        body: [
            'server ${1:Name} {',
            '  role ${2|catalog,catalog master,mail|}',
            '  host ${3|local,"ssh://admin@host.example.lan"|}',
            '  data "${4:/srv/data}"',
            '  stop "${5:systemctl stop app}"',
            '  start "${6:systemctl start app}"',
            '}',
            '$0'
        ].join('\n')
    }],
    folder: [
        { description: 'folder on two servers', body: 'folder ${1:Name} on ${2:Server1}, ${3:Server2}$0' },
        { description: 'folder on two servers, with its path', body: 'folder ${1:Name} on ${2:Server1}, ${3:Server2} { path "${4:sub/dir}" }$0' }
    ],
    tape: [{
        description: 'tape with location and retention',
        body: [
            'tape ${1:Vault} {',
            '  at "${2:/mnt/tape}"',
            '  ${3:offsite}',
            '  keep last ${4:3} daily ${5:7} weekly ${6:4} monthly ${7:12}',
            '}',
            '$0'
        ].join('\n')
    }],
    backup: [{
        description: 'backup with servers, tape, schedule, mode',
        body: [
            'backup ${1:Nightly} {',
            '  servers ${2:Server1}',
            '  to ${3:Vault}',
            '  schedule "${4:0 2 * * *}"',
            '  ${5|rolling,parallel 2|}',
            '}',
            '$0'
        ].join('\n')
    }],
    drill: [{
        description: 'restore drill of a tape\'s newest archives, with a test',
        body: [
            'drill ${1:Weekly} {',
            '  from ${2:Vault}',
            '  schedule "${3:0 4 * * 0}"',
            '  pick ${4|newest,oldest,random|}',
            '  test "${5:/usr/local/bin/check-restored-copy}"',
            '}',
            '$0'
        ].join('\n')
    }]
};
