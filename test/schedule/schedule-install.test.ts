/**
 * `backplan schedule install|remove|list` end to end, into temporary unit folders and cron
 * files (never /etc): the units pass `systemd-analyze verify`, installing twice gives the
 * same files, remove removes exactly what install wrote (a hand-written unit and another
 * runbook's stay), --dry-run writes nothing, and bad usage is one line with exit 2.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { hasStackTrace, REPO, runCli } from '../helpers/run-cli.js';
import { removeTree, tempTree } from '../helpers/temp-tree.js';
import { SYSTEMD_ANALYZE, verifyUnits } from './calendar-support.js';

const MAIL = 'server Mail { role mail host local data "/srv/mail" stop "systemctl stop postfix" start "systemctl start postfix" }';
const RUNBOOK = `tape Shelf { at "/var/backups/shelf" }
${MAIL}
backup Nightly { servers Mail to Shelf schedule "0 2 * * *" }
backup Quarter { servers Mail to Shelf schedule "*/15 9-17 * * 1-5" }
backup Either { servers Mail to Shelf schedule "0 0 1,15 * 5" }
backup Unscheduled { servers Mail to Shelf }
`;
const BUNDLE = path.join(REPO, 'packages/cli/dist/backplan.mjs');

let root: string;
let runbook: string;
let units: string;
let state: string;

beforeEach(() => {
    // A space in every path: the units must quote it.
    root = tempTree({ 'run books/rb.backplan': RUNBOOK, 'other/other.backplan': RUNBOOK }, 'backplan schedule-');
    runbook = path.join(root, 'run books/rb.backplan');
    units = path.join(root, 'unit dir');
    state = path.join(root, 'state dir');
});
afterEach(() => removeTree(root));

/** Every file of a folder with its text (a missing folder: none). */
function snapshot(dir: string): Record<string, string> {
    if (!fs.existsSync(dir)) return {};
    return Object.fromEntries(fs.readdirSync(dir).sort().map(n => [n, fs.readFileSync(path.join(dir, n), 'utf8')]));
}

function schedule(...args: string[]) {
    return runCli(['schedule', ...args]);
}

function systemd(verb: string, file = runbook, ...more: string[]) {
    return schedule(verb, file, '--systemd', '--unit-dir', units, '--state', state, ...more);
}

describe('systemd units', () => {
    test('one .service and .timer per scheduled block, as the contract says; systemd-analyze verify accepts them', async () => {
        const r = await systemd('install');
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const files = snapshot(units);
        expect(Object.keys(files)).toEqual(['Either', 'Nightly', 'Quarter'].flatMap(b => [`backplan-rb-${b}.service`, `backplan-rb-${b}.timer`]));
        const service = files['backplan-rb-Nightly.service'];
        expect(service).toContain('Type=oneshot\n');
        expect(service).toContain(`ExecStart=${process.execPath} ${BUNDLE} backup --policy Nightly --wait --state "${state}" "${runbook}"\n`);
        expect(service).toContain(`ExecStopPost=${process.execPath} ${BUNDLE} repair --state "${state}" "${runbook}"\n`);
        expect(files['backplan-rb-Nightly.timer']).toContain('OnCalendar=*-*-* 02:00:00\nPersistent=true\n');
        expect(files['backplan-rb-Quarter.timer']).toContain('OnCalendar=Mon..Fri *-*-* 09..17:00/15:00\n');
        expect(files['backplan-rb-Either.timer']).toContain('OnCalendar=*-*-01,15 00:00:00\nOnCalendar=Fri *-*-* 00:00:00\n');
        if (!fs.existsSync('/run/systemd/system')) expect(r.stdout).toMatch(/systemd is not running here .*systemctl daemon-reload && systemctl enable --now backplan-rb-Nightly.timer/);
        if (verifyUnits) {
            const verify = spawnSync(SYSTEMD_ANALYZE, ['verify', ...Object.keys(files).map(n => path.join(units, n))], { encoding: 'utf8' });
            expect(verify.stderr.split('\n').filter(l => l.includes('backplan-rb'))).toEqual([]);
            expect(verify.status).toBe(0);
        }
    });

    test('installing twice writes the same files; remove removes exactly them', async () => {
        expect((await systemd('install', path.join(root, 'other/other.backplan'))).code).toBe(0);
        fs.writeFileSync(path.join(units, 'backplan-rb-Manual.timer'), '[Timer]\nOnCalendar=daily\n');
        const before = snapshot(units);
        expect((await systemd('install')).code).toBe(0);
        const once = snapshot(units);
        const again = await systemd('install');
        expect(again.code).toBe(0);
        expect(snapshot(units)).toEqual(once);
        expect(again.stdout).toContain(`unchanged ${path.join(units, 'backplan-rb-Nightly.timer')}`);
        const removed = await systemd('remove');
        expect(removed.code).toBe(0);
        expect(removed.stdout).toContain('Removed backup Either, backup Nightly, backup Quarter of');
        expect(snapshot(units)).toEqual(before);
        expect((await systemd('remove')).stdout).toContain('Nothing was installed for');
    });

    test('--policy installs and removes one block; a block dropped from the runbook is removed by the next install', async () => {
        expect((await systemd('install', runbook, '--policy', 'Nightly')).code).toBe(0);
        expect(Object.keys(snapshot(units))).toEqual(['backplan-rb-Nightly.service', 'backplan-rb-Nightly.timer']);
        expect((await systemd('install')).code).toBe(0);
        expect((await systemd('remove', runbook, '--policy', 'Quarter')).code).toBe(0);
        expect(Object.keys(snapshot(units)).filter(n => n.includes('Quarter'))).toEqual([]);
        fs.writeFileSync(runbook, RUNBOOK.replace(' schedule "0 0 1,15 * 5"', ''));
        const r = await systemd('install');
        expect(r.stdout).toContain(`removed ${path.join(units, 'backplan-rb-Either.timer')}`);
        expect(Object.keys(snapshot(units))).toEqual(['backplan-rb-Nightly.service', 'backplan-rb-Nightly.timer', 'backplan-rb-Quarter.service', 'backplan-rb-Quarter.timer']);
    });

    test('--dry-run prints the files and the systemctl calls, and writes nothing', async () => {
        const dry = await systemd('install', runbook, '--dry-run');
        expect(dry.code).toBe(0);
        expect(dry.stdout).toContain(`would write ${path.join(units, 'backplan-rb-Either.timer')}:\n`);
        expect(dry.stdout).toContain('    OnCalendar=Fri *-*-* 00:00:00\n');
        expect(dry.stdout).toContain('would run: systemctl daemon-reload');
        expect(fs.existsSync(units)).toBe(false);
        await systemd('install');
        const installed = snapshot(units);
        expect((await systemd('remove', runbook, '--dry-run')).stdout).toContain(`would remove ${path.join(units, 'backplan-rb-Nightly.service')}`);
        expect(snapshot(units)).toEqual(installed);
    });

    test('a unit of that name that Backplan did not write is never overwritten (exit 1)', async () => {
        fs.mkdirSync(units);
        fs.writeFileSync(path.join(units, 'backplan-rb-Quarter.timer'), '# mine\n');
        const r = await systemd('install');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/backplan-rb-Quarter.timer exists and was not written by `backplan schedule install`/);
        expect(Object.keys(snapshot(units))).toEqual(['backplan-rb-Quarter.timer']);
    });

    test('--format json', async () => {
        const r = await systemd('install', runbook, '--format', 'json', '--policy', 'Either');
        const doc = JSON.parse(r.stdout);
        expect(doc).toMatchObject({ version: 1, action: 'install', dryRun: false, ok: true, target: { kind: 'systemd', unitDir: units, user: false } });
        expect(doc.changes.map((c: { path: string; action: string }) => [path.basename(c.path), c.action])).toEqual([['backplan-rb-Either.service', 'write'], ['backplan-rb-Either.timer', 'write']]);
    });
});

describe('cron file', () => {
    test('one marked file, a line per block with the user field; twice the same; --policy; remove deletes it', async () => {
        const file = path.join(root, 'cron.d/backplan-rb');
        const cron = (verb: string, ...more: string[]) => schedule(verb, runbook, '--cron', '--cron-file', file, '--state', state, ...more);
        expect((await cron('install', '--policy', 'Either')).code).toBe(0);
        expect(fs.readFileSync(file, 'utf8')).toContain(`0 0 1,15 * 5 root ${process.execPath} ${BUNDLE} backup --policy Either --wait --state '${state}' '${runbook}'\n`);
        expect((await cron('install', '--policy', 'Nightly')).code).toBe(0);
        const text = fs.readFileSync(file, 'utf8');
        expect(text.split('\n').filter(l => /^[0-9*@]/.test(l)).map(l => l.split(' root ')[0])).toEqual(['0 2 * * *', '0 0 1,15 * 5']);
        expect(text).toMatch(/^# backplan-runbook: .*rb\.backplan$/m);
        await cron('install', '--policy', 'Nightly');
        expect(fs.readFileSync(file, 'utf8')).toBe(text);
        expect((await cron('remove', '--policy', 'Nightly')).code).toBe(0);
        expect(fs.readFileSync(file, 'utf8')).not.toContain('--policy Nightly');
        expect((await cron('remove')).code).toBe(0);
        expect(fs.existsSync(file)).toBe(false);
    });

    test('the default file is /etc/cron.d/backplan-<runbook> (shown by a dry run, nothing written)', async () => {
        const r = await schedule('install', runbook, '--cron', '--dry-run', '--state', state);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('would write /etc/cron.d/backplan-rb:\n');
        expect(fs.existsSync('/etc/cron.d/backplan-rb')).toBe(false);
    });

    test('a day field starting with `*` is written as its range, so cron reads it as restricted, as the checker does', async () => {
        fs.writeFileSync(runbook, RUNBOOK.replace('"0 2 * * *"', '"0 2 */2 * 1"'));
        const r = await schedule('install', runbook, '--cron', '--cron-file', path.join(root, 'c'), '--dry-run', '--policy', 'Nightly');
        expect(r.stdout).toMatch(/^ {4}0 2 1-31\/2 \* 1 root /m);
    });
});

describe('schedule list', () => {
    test('expression, description, next fire times in local time and UTC, installed or not', async () => {
        const list = async () => JSON.parse((await systemd('list', runbook, '--count', '3', '--format', 'json')).stdout);
        const before = await list();
        expect(before.blocks.map((b: { name: string; installed: unknown[] }) => [b.name, b.installed.length])).toEqual([['Nightly', 0], ['Quarter', 0], ['Either', 0]]);
        expect(before.blocks[2]).toMatchObject({ schedule: '0 0 1,15 * 5', description: 'At 00:00, on day 1 and 15 of the month, and on Friday' });
        expect(before.blocks[0].next).toHaveLength(3);
        expect(before.blocks[0].next[0].utc).toMatch(/T02:00:00\.000Z$/);
        await systemd('install', runbook, '--policy', 'Nightly');
        const after = await list();
        expect(after.blocks[0].installed).toEqual([{ kind: 'systemd', path: path.join(units, 'backplan-rb-Nightly.timer') }]);
        const text = (await systemd('list', runbook)).stdout;
        expect(text).toContain('backup Quarter: */15 9-17 * * 1-5 — Every 15 minutes, between 09:00 and 17:59, Monday through Friday\n  not installed');
        expect(text.match(/^ {4}\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d {3}\d{4}-\d\d-\d\d \d\d:\d\d UTC$/gm)).toHaveLength(15);
    });
});

describe('bad usage: one line, exit 2', () => {
    test.each([
        ['both targets', ['install', 'RUNBOOK', '--systemd', '--cron'], /give --systemd or --cron, not both/],
        ['--user with cron', ['install', 'RUNBOOK', '--cron', '--user'], /--user is for systemd user units/],
        ['an unknown block', ['install', 'RUNBOOK', '--policy', 'Nope', '--unit-dir', 'UNITS'], /no backup or drill block named Nope in this runbook/],
        ['a block without schedule', ['install', 'RUNBOOK', '--policy', 'Unscheduled', '--unit-dir', 'UNITS'], /backup Unscheduled has no `schedule`/],
        ['a missing runbook', ['list', 'MISSING'], /MISSING|no such file|cannot read/i],
        ['a bad count', ['list', 'RUNBOOK', '--count', '0'], /--count/]
    ])('%s', async (_title, args, message) => {
        const r = await schedule(...args.map(a => a === 'RUNBOOK' ? runbook : a === 'UNITS' ? units : a === 'MISSING' ? path.join(root, 'missing.backplan') : a));
        expect(r.code).toBe(2);
        // commander's own usage errors add its "(run with --help for usage)" hint, as for every verb.
        expect(r.stderr.trim().split('\n').filter(l => l !== '(run with --help for usage)')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
        expect(hasStackTrace(r.stderr)).toBe(false);
        expect(fs.existsSync(units)).toBe(false);
    });

    test('a runbook with a syntax error is refused before anything is written', async () => {
        fs.writeFileSync(runbook, RUNBOOK.replace('backup Either {', 'backup Either {{'));
        const r = await systemd('install');
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/rb\.backplan:\d+:\d+: .*\[parsing-error\]\nbackplan: refused: the runbook has \d+ errors? that make schedule unsafe/);
        expect(fs.existsSync(units)).toBe(false);
    });

    test('a path with % cannot be written into a cron line', async () => {
        const odd = path.join(root, '100%');
        fs.mkdirSync(odd);
        fs.copyFileSync(runbook, path.join(odd, 'rb.backplan'));
        const r = await schedule('install', path.join(odd, 'rb.backplan'), '--cron-file', path.join(root, 'c'), '--state', state);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/holds a %, which cron turns into a line break/);
    });
});
