/**
 * Tape rules: `tape.location-invalid`, `tape.restic-password`, `tape.key-invalid`,
 * `retention.invalid`. A tape is a folder (`at`) or a restic repository (`restic`), never
 * both; a restic tape needs its `password-file`.
 */
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { BackplanAstType, Tape } from '../generated/ast.js';
import { parseResticRepository } from '../model/restic-repository.js';
import { Code } from './rule-codes.js';

function checkLocation(tape: Tape, accept: ValidationAcceptor): void {
    // Unnamed tapes never get here (skipUnnamed in backplan-validator.ts).
    const folder = tape.name.toLowerCase();
    if (tape.at.length === 0 && tape.restic.length === 0) {
        accept('error', `Tape '${tape.name}' has neither \`at\` nor \`restic\`: add \`at "/mnt/backup/${folder}"\` (an absolute folder: a mounted tape, disk or NAS) or \`restic "sftp:backup@vault:/srv/restic/${folder}"\` (a restic repository).`,
            { node: tape, property: 'name', code: Code.TapeLocationInvalid });
        return;
    }
    if (tape.at.length > 0 && tape.restic.length > 0) {
        accept('error', `Tape '${tape.name}' has both \`at\` and \`restic\`: a tape is either a folder of archives or a restic repository; keep one (or declare two tapes).`,
            { node: tape, property: 'restic', index: 0, code: Code.TapeLocationInvalid });
        return;
    }
    if (tape.at.length > 0) checkFolder(tape, accept);
    else checkRepository(tape, accept);
}

function checkFolder(tape: Tape, accept: ValidationAcceptor): void {
    const at = tape.at[0];
    if (!at.startsWith('/')) {
        const reason = /^[a-z][a-z0-9+.-]*:\/\//i.test(at) ? 'is a URL: a folder tape is a local folder (use `restic "sftp:…"` for a remote repository)' : 'is not an absolute path';
        accept('error', `Location "${at}" of tape '${tape.name}' ${reason}: write an absolute folder such as "/mnt/backup/${tape.name.toLowerCase()}".`,
            { node: tape, property: 'at', index: 0, code: Code.TapeLocationInvalid });
    }
}

function checkRepository(tape: Tape, accept: ValidationAcceptor): void {
    const repo = tape.restic[0];
    const parsed = parseResticRepository(repo);
    if (!parsed.ok) {
        accept('error', `Repository "${repo}" of restic tape '${tape.name}' ${parsed.reason}: write an absolute folder, or a restic backend such as "sftp:backup@vault:/srv/restic/${tape.name.toLowerCase()}".`,
            { node: tape, property: 'restic', index: 0, code: Code.TapeLocationInvalid });
    }
}

function checkPasswordFile(tape: Tape, accept: ValidationAcceptor): void {
    const file = tape.passwordFile[0];
    const example = `/etc/backplan/${tape.name.toLowerCase()}.pass`;
    if (tape.restic.length === 0) {
        if (file !== undefined) {
            accept('error', `\`password-file\` of tape '${tape.name}' belongs to restic tapes: this tape has no \`restic\` repository; delete the line (or use \`key-file\` to authenticate a folder tape's manifests).`,
                { node: tape, property: 'passwordFile', index: 0, code: Code.TapeResticPassword });
        }
        return;
    }
    if (file === undefined) {
        accept('error', `Restic tape '${tape.name}' has no \`password-file\`: add \`password-file "${example}"\` (the repository's password, in a file on every host that runs restic; chmod 600). No password belongs in a runbook.`,
            { node: tape, property: 'name', code: Code.TapeResticPassword });
    } else if (!file.startsWith('/')) {
        accept('error', `\`password-file "${file}"\` of tape '${tape.name}' is not an absolute path: restic reads it on each server's host from whatever folder it runs in, so write it as "${example}".`,
            { node: tape, property: 'passwordFile', index: 0, code: Code.TapeResticPassword });
    }
}

function checkKeyFile(tape: Tape, accept: ValidationAcceptor): void {
    const keyFile = tape.keyFile[0];
    if (keyFile === undefined) return;
    if (tape.restic.length > 0) {
        accept('error', `\`key-file\` on restic tape '${tape.name}' has nothing to sign: restic authenticates its own repository with its password; delete the line.`,
            { node: tape, property: 'keyFile', index: 0, code: Code.TapeKeyInvalid });
    } else if (!keyFile.startsWith('/')) {
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
    Tape: [checkLocation, checkPasswordFile, checkKeyFile, checkRetention]
};
