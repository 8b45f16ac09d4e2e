import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { Journal } from '../src/journal/journal.js';

it('the journal makes its folder once, and again if it was removed while a command runs', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-journal-'));
    try {
        const journal = new Journal(path.join(root, 'state', 'journals', 'r.jsonl'));
        await journal.append({ type: 'run', event: 'begin', run: 'r1', time: 't', verb: 'backup', command: 'c', pid: 1, host: 'h', runbook: '/r' });
        fs.rmSync(path.join(root, 'state'), { recursive: true });
        await journal.append({ type: 'run', event: 'end', run: 'r1', time: 't', ok: true });
        expect((await journal.read()).map(r => r.type === 'run' && r.event)).toEqual(['end']);
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
});
