import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { listScript, parseListing } from '../src/hosts/ssh/remote-scripts.js';

// What SshHost.listFiles sends, run here by sh as an unprivileged login (setpriv: root only).
const asNobody = (script: string) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', script]);

it.skipIf(process.getuid?.() !== 0)('a metadata-only listing (hash: false) reads no file: an unreadable one is listed, not an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-list-'));
    try {
        fs.chmodSync(dir, 0o755);
        fs.writeFileSync(path.join(dir, 'secret'), 'x');
        fs.chmodSync(path.join(dir, 'secret'), 0o000);
        const hashed = asNobody(listScript(dir));
        expect(hashed.status).not.toBe(0);
        const meta = asNobody(listScript(dir, false));
        expect(meta.status, meta.stderr.toString()).toBe(0);
        const entries = parseListing(meta.stdout);
        expect(entries.map(e => [e.path, e.type, e.mode, e.sha256])).toEqual([['.', 'dir', 0o755, undefined], ['secret', 'file', 0, undefined]]);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
