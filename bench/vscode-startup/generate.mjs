/**
 * The start-up workspace: 25 runbooks of a managed-services shop, one per customer, in
 * 25 folders, each importing the shop's shared tape file (26 files, about 2,000 lines):
 * customer i has 3 + i % 6 servers (one mail server, a master catalog server, the rest
 * catalog servers) and 8 + 2·i folders, each on the master and one other catalog server; a nightly rolling
 * backup of every server to the shared tape and an off-site tape. Every runbook checks
 * clean, so the figures time the path every start-up takes, not the printing of errors.
 *
 *   node bench/vscode-startup/generate.mjs [OUT]      (default bench/.work/vscode-startup/workspace)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RUNBOOKS = 25;

/** One customer's runbook. */
function customer(i) {
    const id = `c${String(i).padStart(2, '0')}`;
    const catalogs = 2 + (i % 6);
    const servers = [`${id}-mail`, ...Array.from({ length: catalogs }, (_, k) => `${id}-cat${k + 1}`)];
    const lines = ['import "../shared/tapes.backplan"', '', `runbook "Customer ${i}: ${servers.length} servers" {`, '  require offsite', '}', ''];
    for (const [k, name] of servers.entries()) {
        const role = k === 0 ? 'mail' : k === 1 ? 'catalog master' : 'catalog';
        lines.push(`/** ${role} server of customer ${i}. */`, `server ${name} {`, `  role ${role}`,
            `  host "ssh://backup@${name}.customers.lan"`, `  data "/srv/${k === 0 ? 'mail' : 'catalog'}"`,
            `  stop "systemctl stop ${k === 0 ? 'postfix' : 'catalogd'}"`, `  start "systemctl start ${k === 0 ? 'postfix' : 'catalogd'}"`, '}', '');
    }
    for (let f = 0; f < 8 + 2 * i; f++) lines.push(`folder F${f} on ${servers[1]}, ${servers[2 + (f % (catalogs - 1))]}`);
    lines.push('', 'backup Nightly {', `  servers ${servers.join(', ')}`, '  to Shelf', '  schedule "@daily"', '  rolling', '}', '',
        'backup Weekly {', `  servers ${servers.join(', ')}`, '  to Vault', '  schedule "0 3 * * 0"', '}', '');
    return { file: `${id}/${id}.backplan`, text: lines.join('\n') };
}

const TAPES = `// The shop's tapes, shared by every customer's runbook.

tape Shelf {
  at "/mnt/backup/shelf"
  keep last 3 daily 7
}

tape Vault {
  at "/mnt/backup/vault"
  offsite
  keep weekly 8
}
`;

/** Writes the workspace (anew) and returns its folder and its runbook files. */
export function generate(out = path.resolve(here, '../.work/vscode-startup/workspace')) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(path.join(out, 'shared'), { recursive: true });
    writeFileSync(path.join(out, 'shared', 'tapes.backplan'), TAPES);
    const files = [];
    for (let i = 1; i <= RUNBOOKS; i++) {
        const { file, text } = customer(i);
        mkdirSync(path.join(out, path.dirname(file)), { recursive: true });
        writeFileSync(path.join(out, file), text);
        files.push(path.join(out, file));
    }
    return { dir: out, runbooks: files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const { dir, runbooks } = generate(process.argv[2]);
    console.log(`${runbooks.length} runbooks (+ shared/tapes.backplan) in ${dir}`);
}
