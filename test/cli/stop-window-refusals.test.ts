/**
 * Which run verbs the stop-window codes refuse (DESIGN §10, engine plan/refusal-codes.ts):
 * `quiesce.conflict`, `server.dump-incomplete` and `exclude.invalid` refuse every verb;
 * `restore.no-stop` (a dump server without stop/start) refuses the restore or recover of
 * that server only, and is a warning for any other. Exit 1, the code named, before any
 * tape or host is touched (dry runs, no archives anywhere).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { removeTree, tempTree } from '../helpers/temp-tree.js';
import { runCli } from '../helpers/run-cli.js';

const dir = tempTree({ 'tape/README': 'an empty tape' });
afterAll(() => removeTree(dir));

/** A runbook of Mail (complete) and a dump server Dir with the given attributes, written to NAME. */
function runbook(name: string, dirAttributes: string): string {
    const text = `tape Vault { at "${path.join(dir, 'tape')}" }
server Mail { role mail host local data "${path.join(dir, 'mail')}" stop "true" start "true" }
server Dir { role catalog host local data "${path.join(dir, 'dir')}" ${dirAttributes} }
backup Nightly { servers Mail, Dir to Vault }
`;
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
}

function run(args: string[]) {
    return runCli([...args, '--state', path.join(dir, 'state')]);
}

describe('restore.no-stop', () => {
    const file = runbook('no-stop.backplan', 'dump "slapcat" load "slapadd"');

    test.each(['restore --server Dir', 'recover --lost Dir'])('refuses `%s`', async verb => {
        const r = await run([...verb.split(' ').slice(0, 1), file, ...verb.split(' ').slice(1), '--dry-run']);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/error: .*\[restore\.no-stop\]/);
        expect(r.stderr).toMatch(/refused: the runbook has 1 error that make/);
    });

    test('is only a warning for the restore of another server', async () => {
        const r = await run(['restore', file, '--server', 'Mail', '--dry-run']);
        expect(r.stderr).toMatch(/warning: .*\[restore\.no-stop\] \(an error, not blocking this run\)/);
        expect(r.stderr).not.toMatch(/refused: the runbook has/);
    });
});

describe.each([
    ['quiesce.conflict', 'stop "true" start "true" snapshot btrfs dump "slapcat" load "slapadd"'],
    ['server.dump-incomplete', 'stop "true" start "true" dump "slapcat"'],
    ['exclude.invalid', 'stop "true" start "true" exclude "/etc"']
])('%s', (code, attributes) => {
    const file = runbook(`${code}.backplan`, attributes);
    test.each(['backup', 'history', 'restore --server Mail'])('refuses %s', async verb => {
        const [name, ...rest] = verb.split(' ');
        const r = await run([name, file, ...rest, ...(name === 'history' ? [] : ['--dry-run'])]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`[${code}]`);
        expect(r.stderr).toMatch(/refused: the runbook has/);
    });
});
