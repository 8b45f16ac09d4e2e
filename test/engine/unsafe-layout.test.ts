/**
 * The runner refuses an unsafe layout before it stops anything (DESIGN §13): a tape inside
 * a local server's data folder (`tape.inside-data`) and a data folder that is a system root
 * (`server.data-root`). Each stop command would leave a marker file; none may appear.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from './lab.js';

let lab: Lab | undefined;
afterEach(() => { lab?.dispose(); lab = undefined; });

/** A lab whose Mail1 touches `stopped` when stopped; `edit` rewrites the runbook. */
function unsafeLab(options: { tapeAt?: (l: Lab) => string; edit?: (text: string) => string }): { l: Lab; stopped: string } {
    const l = Lab.create();
    lab = l;
    const stopped = path.join(l.root, 'stopped');
    l.writeRunbook([{ name: 'Mail1', stop: `touch ${stopped}`, start: 'true' }], { tapeAt: options.tapeAt?.(l) });
    if (options.edit) fs.writeFileSync(l.runbook, options.edit(fs.readFileSync(l.runbook, 'utf8')));
    return { l, stopped };
}

describe('backup refuses an unsafe layout', () => {
    it('a tape inside the data folder: exit 1, tape.inside-data, nothing stopped or written', async () => {
        const { l, stopped } = unsafeLab({ tapeAt: lab => path.join(lab.data('Mail1'), 'tape') + '/' });
        const r = await l.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/error: .*\[tape\.inside-data\]/);
        expect(r.stderr).toMatch(/refused/);
        expect(fs.existsSync(stopped)).toBe(false);
        expect(fs.readdirSync(l.data('Mail1'))).toEqual([]);
    });

    it('a data folder that is a system root: exit 1, server.data-root, nothing stopped', async () => {
        const { l, stopped } = unsafeLab({ edit: text => text.replace(/data "[^"]*"/, 'data "/var/"') });
        const r = await l.cli('backup');
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/error: .*\[server\.data-root\]/);
        expect(fs.existsSync(stopped)).toBe(false);
        expect(fs.readdirSync(l.tape)).toEqual([]);
    });
});
