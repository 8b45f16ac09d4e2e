/**
 * Notifications of real backup runs (DESIGN §8), through the CLI bundle, to a real HTTP
 * server on 127.0.0.1 and a real command: the webhook's JSON, healthchecks pings in order,
 * a command's environment, `for` filtering, a hanging server and one that answers 500
 * (warnings, the journal, exit codes unchanged), and a refused run. Every wait is for an
 * event: the run's end, or a request's arrival.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab, seedMail } from '../engine/lab.js';
import { HookServer } from './hook-server.js';

let lab: Lab;
let hooks: HookServer;
beforeEach(async () => { lab = Lab.create(); hooks = await HookServer.start(); });
afterEach(async () => { lab.dispose(); await hooks.close(); });

/** One server Mail1 (`stop`: true, or the given command), backup Nightly to tape T, and the notify blocks. */
function runbook(notify: string, stop = 'true'): void {
    lab.writeRunbook([{ name: 'Mail1', stop, start: 'true' }]);
    seedMail(lab.data('Mail1'), 5, 500);
    fs.appendFileSync(lab.runbook, notify + '\n');
}

/** `backup --format json`: the exit code, the parsed result, stderr. */
async function backup(args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; json: any; stderr: string }> {
    const r = await lab.cli('backup', ['--format', 'json', ...args], env);
    return { code: r.code, json: r.stdout.trim() ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

describe('webhook', () => {
    it('receives start and success of a real run as JSON with the exact fields', async () => {
        runbook(`notify Ops {\n  on start success failure\n  webhook "${hooks.url('/hook')}"\n}`);
        const r = await backup();
        expect(r.code, r.stderr).toBe(0);
        await hooks.next(2);
        const [start, success] = hooks.at('/hook');
        expect(start.method).toBe('POST');
        expect(start.headers['content-type']).toBe('application/json');
        const runId = r.json.runId as string;
        expect(JSON.parse(start.body)).toEqual({
            version: 1, event: 'start', runbook: lab.runbook, title: null, policy: 'Nightly', run: runId, host: os.hostname(),
            time: expect.any(String), ok: null, servers: [{ server: 'Mail1', tape: 'T' }], errors: [],
            summary: `backup Nightly started (run ${runId} on ${os.hostname()}): Mail1`
        });
        const outcome = r.json.servers[0];
        expect(JSON.parse(success.body)).toEqual({
            version: 1, event: 'success', runbook: lab.runbook, title: null, policy: 'Nightly', run: runId, host: os.hostname(),
            time: expect.any(String), ok: true, errors: [],
            servers: [{ server: 'Mail1', tape: 'T', ok: true, archive: outcome.archive, size: outcome.size, stopWindow: outcome.stopWindow }],
            summary: `backup Nightly succeeded (run ${runId}): 1 server backed up`
        });
        expect(outcome.size).toBeGreaterThan(0);
        expect(r.json.notifications).toMatchObject([
            { notify: 'Ops', target: 'webhook', event: 'start', ok: true, attempts: 1 },
            { notify: 'Ops', target: 'webhook', event: 'success', ok: true, attempts: 1 }
        ]);
        expect(lab.journal().filter(x => x.type === 'notify')).toMatchObject([
            { run: runId, notify: 'Ops', event: 'start', policy: 'Nightly', ok: true },
            { run: runId, notify: 'Ops', event: 'success', policy: 'Nightly', ok: true }
        ]);
    });

    it('sends the failure of a failed run with each server\'s error; the default `on` skips start and success', async () => {
        runbook(`notify Ops { webhook "${hooks.url('/hook')}" }`, 'exit 3');
        const r = await backup();
        expect(r.code).toBe(1);
        await hooks.next(1);
        expect(hooks.received).toHaveLength(1);
        const event = JSON.parse(hooks.received[0].body);
        expect(event).toMatchObject({ event: 'failure', ok: false, policy: 'Nightly', run: r.json.runId, servers: [{ server: 'Mail1', ok: false }] });
        expect(event.errors).toEqual([`Mail1: ${r.json.servers[0].error}`]);
        expect(event.summary).toMatch(/^backup Nightly FAILED/);
    });

    it('a server that never answers: the run goes on, a warning after the timeout, tried twice, the exit code unchanged', async () => {
        runbook(`notify Ops {\n  on start success\n  webhook "${hooks.url('/hang/hook')}"\n}`);
        const r = await lab.cli('backup', [], { BACKPLAN_NOTIFY_TIMEOUT_MS: '300' });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/every server backed up/);
        for (const event of ['start', 'success']) {
            expect(r.stderr).toContain(`backplan: warning: notify Ops (webhook): the ${event} of backup Nightly was not delivered: no answer within 300 ms (tried 2 times)`);
        }
        await hooks.next(4);
        expect(hooks.at('/hang').map(x => JSON.parse(x.body).event)).toEqual(['start', 'start', 'success', 'success']);
        expect(lab.journal().filter(x => x.type === 'notify')).toMatchObject([
            { notify: 'Ops', target: 'webhook', event: 'start', ok: false, attempts: 2, error: 'no answer within 300 ms (tried 2 times)' },
            { notify: 'Ops', target: 'webhook', event: 'success', ok: false, attempts: 2, error: 'no answer within 300 ms (tried 2 times)' }
        ]);
        const history = await lab.cli('history');
        expect(history.stdout).toContain('notify Ops (webhook): the success of backup Nightly was not delivered');
    });

    it('a server that answers 500: retried once, then a warning and a journal record; a failed run stays exit 1', async () => {
        runbook(`notify Ops { webhook "${hooks.url('/500/hook')}" }`, 'exit 3');
        const r = await lab.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/FAILED/);
        await hooks.next(2);
        expect(hooks.at('/500')).toHaveLength(2);
        expect(r.stderr).toContain('notify Ops (webhook): the failure of backup Nightly was not delivered: answered 500 Internal Server Error (tried 2 times)');
        expect(lab.journal().filter(x => x.type === 'notify')).toMatchObject([
            { notify: 'Ops', event: 'failure', ok: false, attempts: 2, error: 'answered 500 Internal Server Error (tried 2 times)' }
        ]);
    });
});

describe('healthchecks', () => {
    it('pings URL/start then URL for a run that succeeds, URL/start then URL/fail for one that fails', async () => {
        runbook(`notify Ping {\n  on start success failure\n  healthchecks "${hooks.url('/hc/check-1')}"\n}`);
        expect((await backup()).code).toBe(0);
        await hooks.next(2);
        expect(hooks.received.map(x => x.path)).toEqual(['/hc/check-1/start', '/hc/check-1']);
        expect(hooks.received[1].body).toMatch(/^backup Nightly succeeded/);
        runbook(`notify Ping {\n  on start success failure\n  healthchecks "${hooks.url('/hc/check-1')}"\n}`, 'exit 3');
        expect((await backup()).code).toBe(1);
        await hooks.next(4);
        expect(hooks.received.slice(2).map(x => x.path)).toEqual(['/hc/check-1/start', '/hc/check-1/fail']);
        expect(hooks.received[3].body).toMatch(/^backup Nightly FAILED .*Mail1: /);
    });
});

describe('command', () => {
    it('runs on the runner with BACKPLAN_EVENT, BACKPLAN_POLICY, BACKPLAN_RUN and BACKPLAN_SUMMARY', async () => {
        const out = path.join(lab.root, 'notified.env');
        fs.writeFileSync(path.join(lab.bin, 'page-ops'), '#!/bin/sh\nenv | grep ^BACKPLAN_ | grep -v -e ^BACKPLAN_EVENT_JSON -e ^BACKPLAN_REQUIRE_ >> "$NOTIFY_OUT"\n', { mode: 0o755 });
        runbook('notify Pager {\n  on success\n  command "page-ops"\n}');
        const r = await backup([], { NOTIFY_OUT: out });
        expect(r.code, r.stderr).toBe(0);
        const env = Object.fromEntries(fs.readFileSync(out, 'utf8').trim().split('\n').map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
        expect(env).toEqual({
            BACKPLAN_EVENT: 'success', BACKPLAN_POLICY: 'Nightly', BACKPLAN_RUN: r.json.runId, BACKPLAN_RUNBOOK: lab.runbook,
            BACKPLAN_SUMMARY: `backup Nightly succeeded (run ${r.json.runId}): 1 server backed up`
        });
    });

    it('a command that fails is a warning; the run still succeeds', async () => {
        runbook('notify Pager {\n  on success\n  command "echo pager down >&2; exit 4"\n}');
        const r = await lab.cli('backup');
        expect(r.code).toBe(0);
        expect(r.stderr).toContain('notify Pager (command): the success of backup Nightly was not delivered: the command exited with code 4: pager down');
    });
});

describe('for', () => {
    it('a block with `for` hears only those backup blocks; one without hears all', async () => {
        for (const name of ['Mail1', 'Mail2']) fs.mkdirSync(lab.data(name), { recursive: true });
        const server = (name: string): string => `server ${name} { role mail host local data "${lab.data(name)}" stop "true" start "true" }`;
        fs.writeFileSync(lab.runbook, [
            `tape T { at "${lab.tape}" }`, server('Mail1'), server('Mail2'),
            'backup Nightly { servers Mail1 to T }', 'backup Weekly { servers Mail2 to T }',
            `notify OnlyWeekly {\n  for Weekly\n  on success\n  webhook "${hooks.url('/weekly')}"\n}`,
            `notify All {\n  on success\n  webhook "${hooks.url('/all')}"\n}`
        ].join('\n') + '\n');
        const r = await backup();
        expect(r.code, r.stderr).toBe(0);
        await hooks.next(3);
        expect(hooks.at('/weekly').map(x => JSON.parse(x.body).policy)).toEqual(['Weekly']);
        expect(hooks.at('/all').map(x => JSON.parse(x.body).policy).sort()).toEqual(['Nightly', 'Weekly']);
        expect(hooks.received).toHaveLength(3);
    });
});

describe('a refused run', () => {
    it('sends failure with no run ID when the runbook refuses the backup', async () => {
        lab.writeRunbook([{ name: 'Mail1' }]);
        fs.writeFileSync(lab.runbook, fs.readFileSync(lab.runbook, 'utf8').replace(/ stop "[^"]*"/, ''));
        fs.appendFileSync(lab.runbook, `notify Ops { webhook "${hooks.url('/hook')}" }\n`);
        const r = await lab.cli('backup');
        expect(r.code).toBe(1);
        await hooks.next(1);
        const event = JSON.parse(hooks.received[0].body);
        expect(event).toMatchObject({ event: 'failure', policy: 'Nightly', run: null, ok: false, servers: [] });
        expect(event.errors[0]).toMatch(/^refused: /);
        // A dry run tells nobody.
        expect((await lab.cli('backup', ['--dry-run'])).code).toBe(1);
        expect(hooks.received).toHaveLength(1);
    });
});

describe('drills', () => {
    it('a drill block\'s notify blocks hear its success and its failure (DESIGN §11)', async () => {
        runbook(`drill Weekly {\n  from T\n  test "test -e \\"$BACKPLAN_DRILL_DIR/$BACKPLAN_EXPECT\\""\n}\nnotify Ops {\n  for Weekly\n  on success failure\n  webhook "${hooks.url('/drill')}"\n}`);
        expect((await backup()).code).toBe(0);
        let r = await lab.cli('drill', ['--format', 'json'], { BACKPLAN_EXPECT: '.' });
        expect(r.code, r.stderr).toBe(0);
        await hooks.next(1);
        const passed = JSON.parse(hooks.at('/drill')[0].body);
        expect(passed).toMatchObject({ event: 'success', policy: 'Weekly', ok: true, servers: [{ server: 'Mail1', tape: 'T', ok: true }] });
        expect(passed.summary).toMatch(/^drill Weekly passed \(run .*\): 1 server restored, checked and tested$/);
        r = await lab.cli('drill', ['--format', 'json'], { BACKPLAN_EXPECT: 'no-such-file' });
        expect(r.code).toBe(1);
        await hooks.next(2);
        const failed = JSON.parse(hooks.at('/drill')[1].body);
        expect(failed).toMatchObject({ event: 'failure', policy: 'Weekly', ok: false, servers: [{ server: 'Mail1', ok: false }] });
        expect(lab.journal().filter(x => x.type === 'notify').map(x => x.event)).toEqual(['success', 'failure']);
    });
});

describe('stale, from status', () => {
    it('`backplan status` sends `stale` once per stale episode, to the blocks that ask for it', async () => {
        runbook(`notify Ops {\n  on stale\n  webhook "${hooks.url('/stale')}"\n}`);
        // Never succeeded and `stale after` set: stale at once.
        fs.writeFileSync(lab.runbook, fs.readFileSync(lab.runbook, 'utf8').replace(/backup Nightly \{/, 'backup Nightly {\n  stale after 1h'));
        expect((await lab.cli('status')).code).toBe(1);
        await hooks.next(1);
        expect(JSON.parse(hooks.at('/stale')[0].body)).toMatchObject({ event: 'stale', policy: 'Nightly', ok: false, lastSuccess: null });
        // Still stale: the same episode, told already.
        expect((await lab.cli('status')).code).toBe(1);
        expect((await backup()).code).toBe(0);
        expect(hooks.at('/stale')).toHaveLength(1);
    });

    it('`status --no-notify` (the editor\'s read) says the block is stale and tells no one; the next plain `status` tells', async () => {
        runbook(`notify Ops {\n  on stale\n  webhook "${hooks.url('/stale')}"\n}`);
        fs.writeFileSync(lab.runbook, fs.readFileSync(lab.runbook, 'utf8').replace(/backup Nightly \{/, 'backup Nightly {\n  stale after 1h'));
        for (let i = 0; i < 2; i++) {
            const quiet = await lab.cli('status', ['--format', 'json', '--no-notify']);
            expect(quiet.code).toBe(1);
            expect(JSON.parse(quiet.stdout).blocks).toEqual([expect.objectContaining({ policy: 'Nightly', stale: true })]);
        }
        // The CLI waits for each delivery before it exits: none was sent, none is pending.
        expect(hooks.at('/stale')).toHaveLength(0);
        expect(lab.journal().filter(x => x.type === 'notify')).toEqual([]);
        expect((await lab.cli('status')).code).toBe(1);
        await hooks.next(1);
        expect(JSON.parse(hooks.at('/stale')[0].body)).toMatchObject({ event: 'stale', policy: 'Nightly' });
    });
});
