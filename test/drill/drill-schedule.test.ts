/**
 * `backplan schedule` installs drill blocks with the backups (DESIGN §8, §11): a .service
 * and .timer per scheduled drill that systemd-analyze accepts, a cron line per drill, and
 * the command written there really runs the drill (run here as cron would, with sh).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { REPO } from '../helpers/run-cli.js';
import { SYSTEMD_ANALYZE, verifyUnits } from '../schedule/calendar-support.js';
import { DrillLab } from './drill-lab.js';

const BUNDLE = path.join(REPO, 'packages/cli/dist/backplan.mjs');
let lab: DrillLab;

beforeEach(() => {
    lab = new DrillLab();
    fs.mkdirSync(path.join(lab.data('mail'), 'Inbox'), { recursive: true });
    fs.writeFileSync(path.join(lab.data('mail'), 'Inbox', 'm1.eml'), 'Subject: hello\n');
    lab.write(`tape Vault { at "${lab.tape}" }
server Mail { role mail host local data "${lab.data('mail')}" stop "true" start "true" }
backup Nightly { servers Mail to Vault schedule "0 2 * * *" }
drill Sunday {
  from Vault
  schedule "0 6 * * 0"
  test "test -f \\"$BACKPLAN_DRILL_DIR/Inbox/m1.eml\\""
}
`);
});
afterEach(() => lab.dispose());

test('systemd: a service and a timer per drill, running `drill --policy NAME --wait`; systemd-analyze verify accepts them', async () => {
    const units = path.join(lab.root, 'units');
    const install = spawnSync(process.execPath, [BUNDLE, 'schedule', 'install', lab.runbook, '--systemd', '--unit-dir', units, '--state', lab.state], { encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    const files = fs.readdirSync(units).sort();
    expect(files).toEqual(['backplan-lab-Nightly.service', 'backplan-lab-Nightly.timer', 'backplan-lab-Sunday.service', 'backplan-lab-Sunday.timer']);
    const service = fs.readFileSync(path.join(units, 'backplan-lab-Sunday.service'), 'utf8');
    expect(service).toContain(`ExecStart=${process.execPath} ${BUNDLE} drill --policy Sunday --wait --state ${lab.state} ${lab.runbook}\n`);
    expect(service).toContain('Description=Backplan: drill Sunday of');
    expect(fs.readFileSync(path.join(units, 'backplan-lab-Sunday.timer'), 'utf8')).toContain('OnCalendar=Sun *-*-* 06:00:00\n');
    if (verifyUnits) {
        const verify = spawnSync(SYSTEMD_ANALYZE, ['verify', ...files.map(n => path.join(units, n))], { encoding: 'utf8' });
        expect(verify.stderr.split('\n').filter(l => l.includes('backplan-lab'))).toEqual([]);
        expect(verify.status).toBe(0);
    }
    const list = spawnSync(process.execPath, [BUNDLE, 'schedule', 'list', lab.runbook, '--systemd', '--unit-dir', units, '--count', '1'], { encoding: 'utf8' });
    expect(list.stdout).toContain('drill Sunday: 0 6 * * 0 — At 06:00, only on Sunday');
});

test('cron: a line per drill whose command runs the drill as written', async () => {
    const file = path.join(lab.root, 'cron.d', 'backplan-lab');
    const install = spawnSync(process.execPath, [BUNDLE, 'schedule', 'install', lab.runbook, '--cron', '--cron-file', file, '--state', lab.state], { encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    const line = fs.readFileSync(file, 'utf8').split('\n').find(l => l.startsWith('0 6 * * 0 '));
    expect(line).toBeDefined();
    const command = line!.replace(/^0 6 \* \* 0 \S+ /, '');
    expect(command).toBe(`${process.execPath} ${BUNDLE} drill --policy Sunday --wait --state ${lab.state} ${lab.runbook}`);

    expect((await lab.cli('backup')).code).toBe(0);
    const run = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(lab.drills().map(d => [d.drill, d.server, d.ok, d.test?.ok])).toEqual([['Sunday', 'Mail', true, true]]);
    expect(lab.scratch()).toEqual([]);
});
