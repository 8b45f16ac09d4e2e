/**
 * Runbook texts the CLI tests write into temporary folders.
 */

import { MAIL_RUNBOOK } from '../helpers/runbooks.js';

/** A valid runbook: one mail server backed up to one tape. */
export const VALID = MAIL_RUNBOOK;

/** VALID plus an unused tape: one warning (`tape.unused`, line 4, columns 6-11), no error. */
export const WARNING_ONLY = `${VALID}tape Spare { at "/var/backups/spare" }\n`;

/** One error (`server.incomplete` on `Cat`, line 1, columns 8-11). */
export const ONE_ERROR = 'server Cat { role catalog }\n';

/** The valid example folders (examples/ minus broken/ and any demo). */
export const VALID_EXAMPLES = ['single-mail', 'single-catalog', 'replicated-catalog', 'small-master-offsite', 'large-no-master', 'split-runbook']
    .map(name => `examples/${name}`);
