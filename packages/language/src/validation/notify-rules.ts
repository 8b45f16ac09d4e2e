/**
 * `notify.invalid` on one `notify` block (DESIGN §8): no target, more than one target, a
 * webhook or healthchecks URL that is not http or https, an empty command. An unknown `for`
 * name is a linking error that the document validator files under `notify.invalid` too
 * (backplan-document-validator.ts). Each diagnostic carries `data.problem`, so that the quick
 * fix knows which of them it fixes without reading the message.
 */
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { BackplanAstType, Notify } from '../generated/ast.js';
import { httpUrlProblem, targetAttributes } from '../model/notify-model.js';
import { Code } from './rule-codes.js';

/** Which `notify.invalid` a diagnostic is (its `data.problem`). */
export type NotifyProblem = 'no-target' | 'extra-target' | 'bad-target' | 'unknown-for';

/** The `data` of a `notify.invalid` diagnostic. */
export interface NotifyProblemData {
    readonly code: typeof Code.NotifyInvalid;
    readonly problem: NotifyProblem;
}

/** The `data` to attach to a `notify.invalid` diagnostic. */
export function notifyProblemData(problem: NotifyProblem): NotifyProblemData {
    return { code: Code.NotifyInvalid, problem };
}

const TARGETS_HELP = '`webhook "https://…"`, `healthchecks "https://hc-ping.com/UUID"` or `command "/usr/local/bin/page-ops"`';

function checkTargets(notify: Notify, accept: ValidationAcceptor): void {
    const targets = targetAttributes(notify);
    if (targets.length === 0) {
        accept('error', `Notify '${notify.name}' has no target, so its events go nowhere: add one of ${TARGETS_HELP}.`,
            { node: notify, property: 'name', code: Code.NotifyInvalid, data: notifyProblemData('no-target') });
        return;
    }
    for (const extra of targets.slice(1)) {
        accept('error', `Notify '${notify.name}' already sends to its \`${targets[0].kind}\`: one block has one target, so move this \`${extra.kind}\` into a \`notify\` block of its own.`,
            { node: notify, property: extra.kind, index: extra.index, code: Code.NotifyInvalid, data: notifyProblemData('extra-target') });
    }
    for (const target of targets) {
        const problem = target.kind === 'command'
            ? (target.value.trim() === '' ? 'is empty' : undefined)
            : httpUrlProblem(target.value);
        if (!problem) continue;
        const fix = target.kind === 'command' ? 'give the command to run, such as "/usr/local/bin/page-ops"' : 'write an http:// or https:// URL';
        accept('error', `The \`${target.kind}\` of notify '${notify.name}' ${problem}: ${fix}.`,
            { node: notify, property: target.kind, index: target.index, code: Code.NotifyInvalid, data: notifyProblemData('bad-target') });
    }
}

/** Checks on single notify blocks. */
export const notifyChecks: ValidationChecks<BackplanAstType> = {
    Notify: [checkTargets]
};
