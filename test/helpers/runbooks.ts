/**
 * Small runbook texts shared by the language tests and the CLI tests.
 */

/** A valid runbook: one mail server backed up to one tape (zero diagnostics). */
export const MAIL_RUNBOOK = `tape Shelf { at "/var/backups/shelf" }
server Mail { role mail host local data "/srv/mail" stop "systemctl stop postfix" start "systemctl start postfix" }
backup Nightly { servers Mail to Shelf }
`;
