/**
 * `--command-timeout` and `BACKPLAN_COMMAND_TIMEOUT` accept whole seconds from 1 to 2147483:
 * Node's timers hold at most 2^31-1 ms and fire at once above it, so 30 days became 1 ms
 * and the stop was killed at once, leaving the application down. Anything else is a
 * one-line usage error (exit 2) before any stop command runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

function markedLab(): { l: Lab; stopped: string } {
    const l = Lab.create();
    lab = l;
    const stopped = path.join(l.root, 'stopped');
    l.writeRunbook([{ name: 'Mail1', stop: `touch ${stopped}`, start: 'true' }]);
    return { l, stopped };
}

describe('command timeout bounds', () => {
    for (const value of ['2592000', '2147484', '0', '-5', '1.5', 'ten', '']) {
        it(`BACKPLAN_COMMAND_TIMEOUT="${value}": exit 2, one line naming it, nothing stopped`, async () => {
            const { l, stopped } = markedLab();
            const r = await l.cli('backup', [], { BACKPLAN_COMMAND_TIMEOUT: value });
            expect(r.code).toBe(2);
            expect(r.stderr.trim().split('\n')).toHaveLength(1);
            expect(r.stderr).toMatch(/BACKPLAN_COMMAND_TIMEOUT must be a whole number of seconds from 1 to 2147483/);
            expect(fs.existsSync(stopped)).toBe(false);
        });
    }

    it('--command-timeout out of range: exit 2 naming the flag, nothing stopped', async () => {
        const { l, stopped } = markedLab();
        for (const value of ['2592000', '0', '1.5']) {
            const r = await l.cli('backup', ['--command-timeout', value]);
            expect(r.code).toBe(2);
            expect(r.stderr).toMatch(/^backplan: --command-timeout must be a whole number of seconds from 1 to 2147483/);
        }
        expect(fs.existsSync(stopped)).toBe(false);
    });

    it('the largest allowed timeout runs the backup normally', async () => {
        const { l, stopped } = markedLab();
        const r = await l.cli('backup', ['--command-timeout', '2147483']);
        expect(r.code, r.stderr).toBe(0);
        expect(fs.existsSync(stopped)).toBe(true);
    });

    it('a runbook `timeout 1s` kills that server\'s hanging stop after 1 s, over a 600 s run default, and starts it again', async () => {
        const l = Lab.create();
        lab = l;
        const started = path.join(l.root, 'started');
        l.writeRunbook([{ name: 'Mail1', stop: 'sleep 600', start: `touch ${started}` }]);
        fs.writeFileSync(l.runbook, fs.readFileSync(l.runbook, 'utf8').replace('start "', 'timeout 1s start "'));
        const r = await l.cli('backup', ['--command-timeout', '600']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/stop command `sleep 600` did not finish within 1 s and was killed; archive skipped/);
        expect(fs.existsSync(started)).toBe(true);
    });

    it('a runbook `timeout 25d` is duration.invalid and refuses the run: nothing stopped', async () => {
        const { l, stopped } = markedLab();
        fs.writeFileSync(l.runbook, fs.readFileSync(l.runbook, 'utf8').replace('start "', 'timeout 25d start "'));
        const r = await l.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/duration\.invalid/);
        expect(fs.existsSync(stopped)).toBe(false);
    });
});
