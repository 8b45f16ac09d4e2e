/**
 * `attribute.duplicate`: an attribute given twice in one declaration. The grammar collects
 * attributes into arrays so that the second `data` line survives parsing and can be named.
 */
import type { AstNode, ValidationAcceptor, ValidationChecks } from 'langium';
import type { BackplanAstType } from '../generated/ast.js';
import { Code } from './rule-codes.js';

/** The attributes each declaration may give once (completion does not offer them again). */
export const SINGLE_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
    Tape: ['at', 'restic', 'passwordFile', 'offsite', 'keyFile'],
    Server: ['role', 'host', 'data', 'stop', 'start', 'timeout', 'snapshot', 'dump', 'load', 'ready'],
    Folder: ['path'],
    Backup: ['servers', 'to', 'schedule', 'staleAfter', 'mode'],
    // Targets are not here: a second one is `notify.invalid` (notify-rules.ts).
    Notify: ['on', 'for'],
    Drill: ['servers', 'from', 'schedule', 'pick', 'test']
};

const KEYWORD: Record<string, string> = { mode: '`rolling`/`parallel`', keyFile: '`key-file`', staleAfter: '`stale after`', passwordFile: '`password-file`' };

function checkDuplicateAttributes(node: AstNode & { name: string }, accept: ValidationAcceptor): void {
    for (const property of SINGLE_ATTRIBUTES[node.$type] ?? []) {
        const values = (node as unknown as Record<string, unknown[]>)[property] ?? [];
        const keyword = KEYWORD[property] ?? `\`${property}\``;
        for (let index = 1; index < values.length; index++) {
            accept('error', `${node.$type} '${node.name}' sets ${keyword} more than once: keep one ${keyword} line and delete the others.`,
                { node, property: property as 'name', index, code: Code.AttributeDuplicate });
        }
    }
}

/** Checks for repeated attributes in every declaration. */
export const attributeChecks: ValidationChecks<BackplanAstType> = {
    Tape: checkDuplicateAttributes,
    Server: checkDuplicateAttributes,
    Folder: checkDuplicateAttributes,
    Backup: checkDuplicateAttributes,
    Notify: checkDuplicateAttributes,
    Drill: checkDuplicateAttributes
};
