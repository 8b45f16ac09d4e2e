/**
 * Tape rules: `tape.location-invalid`, `tape.key-invalid`, `retention.invalid`.
 */
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { BackplanAstType, Tape } from '../generated/ast.js';
import { Code } from './rule-codes.js';

function checkLocation(tape: Tape, accept: ValidationAcceptor): void {
    // Unnamed tapes never get here (skipUnnamed in backplan-validator.ts).
    const folder = tape.name.toLowerCase();
    if (tape.at.length === 0) {
        accept('error', `Tape '${tape.name}' has no \`at\`: add \`at "/mnt/backup/${folder}"\` (an absolute folder: a mounted tape, disk or NAS).`,
            { node: tape, property: 'name', code: Code.TapeLocationInvalid });
        return;
    }
    const at = tape.at[0];
    if (!at.startsWith('/')) {
        const reason = /^[a-z][a-z0-9+.-]*:\/\//i.test(at) ? 'is a URL, and only local folders are supported for now' : 'is not an absolute path';
        accept('error', `Location "${at}" of tape '${tape.name}' ${reason}: write an absolute folder such as "/mnt/backup/${folder}".`,
            { node: tape, property: 'at', index: 0, code: Code.TapeLocationInvalid });
    }
}

function checkKeyFile(tape: Tape, accept: ValidationAcceptor): void {
    const keyFile = tape.keyFile[0];
    if (keyFile !== undefined && !keyFile.startsWith('/')) {
        accept('error', `\`key-file "${keyFile}"\` of tape '${tape.name}' is not an absolute path: the key is read on the runner's machine from any folder, so write it as "/etc/backplan/${tape.name.toLowerCase()}.key".`,
            { node: tape, property: 'keyFile', index: 0, code: Code.TapeKeyInvalid });
    }
}

function checkRetention(tape: Tape, accept: ValidationAcceptor): void {
    const seen = new Set<string>();
    for (const keep of tape.keep) {
        for (const rule of keep.rules) {
            if (rule.count === 0) {
                accept('error', `\`keep ${rule.period} 0\` on tape '${tape.name}' keeps nothing for that period: use a count of at least 1, or leave \`${rule.period}\` out.`,
                    { node: rule, property: 'count', code: Code.RetentionInvalid });
            }
            if (seen.has(rule.period)) {
                accept('error', `Tape '${tape.name}' gives \`${rule.period}\` twice in \`keep\`: keep one count per period.`,
                    { node: rule, property: 'period', code: Code.RetentionInvalid });
            }
            seen.add(rule.period);
        }
    }
}

/** Checks on single tape declarations. */
export const tapeChecks: ValidationChecks<BackplanAstType> = {
    Tape: [checkLocation, checkKeyFile, checkRetention]
};
