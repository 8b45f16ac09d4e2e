/**
 * Cases for `notify` blocks (`notify.invalid`) and `stale after` (`duration.invalid`, with the
 * server `timeout` cases in server-tape.cases.ts).
 */
import { MAIL_RUNBOOK } from '../helpers.js';
import type { RuleCases } from './rule-case.js';

/** MAIL_RUNBOOK (backup Nightly) and one `notify Ops { BODY }`. */
function notify(body: string, name = 'Ops'): string {
    return `${MAIL_RUNBOOK}notify ${name} { ${body} }\n`;
}

export const notifyCases: readonly RuleCases[] = [{
    code: 'notify.invalid',
    severity: 'error',
    fail: [
        { title: 'no target', fail: `${MAIL_RUNBOOK}notify ⟦Ops⟧ { on failure }\n`, message: /^Notify 'Ops' has no target, so its events go nowhere: add one of `webhook "https:\/\/…"`/ },
        { title: 'two targets', fail: notify('webhook "https://hooks.example.com/a" command ⟦"/usr/local/bin/page"⟧'), message: /^Notify 'Ops' already sends to its `webhook`: one block has one target/ },
        { title: 'two webhooks', fail: notify('webhook "https://a.example.com" webhook ⟦"https://b.example.com"⟧') },
        { title: 'a webhook that is not http', fail: notify('webhook ⟦"ftp://hooks.example.com/x"⟧'), message: /^The `webhook` of notify 'Ops' uses the ftp scheme, not http or https: write an http:\/\/ or https:\/\/ URL/ },
        { title: 'a healthchecks URL that is not a URL', fail: notify('healthchecks ⟦"hc-ping.com/UUID"⟧'), message: /^The `healthchecks` of notify 'Ops' is not a URL/ },
        { title: 'an empty command', fail: notify('command ⟦""⟧'), message: /^The `command` of notify 'Ops' is empty/ },
        { title: 'an unknown `for` name', fail: notify('for Nightly, ⟦Weekly⟧ command "/usr/local/bin/page"'), message: /^No backup or drill named 'Weekly' in this file or the files it imports/ }
    ],
    pass: [
        { title: 'a webhook, on the default events', text: notify('webhook "https://hooks.example.com/backplan"') },
        { title: 'every event, for a backup, to healthchecks', text: notify('on start success failure stale\n  for Nightly\n  healthchecks "https://hc-ping.com/0d8f2a"') },
        { title: 'a command, with `;`', text: notify('on failure; command "/usr/local/bin/page-ops";') },
        { title: 'a plain http webhook', text: notify('webhook "http://127.0.0.1:8080/hook"') },
        { title: 'a `for` name from an imported file', text: `import "backups.backplan"\nnotify Ops { for Nightly command "/usr/local/bin/page" }\n`, extra: { 'backups.backplan': MAIL_RUNBOOK } }
    ]
}];

/** MAIL_RUNBOOK with `stale after` (a marked duration) on its backup. */
export function staleAfter(duration: string): string {
    return MAIL_RUNBOOK.replace('to Shelf', `to Shelf schedule "0 2 * * *" stale after ${duration}`);
}
