import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { parseRestoreProbe, RESTORE_TOOLS_PROBE } from '../src/hosts/tar-options.js';

const probe = (env: NodeJS.ProcessEnv = {}): string[] => parseRestoreProbe(execFileSync('sh', ['-c', RESTORE_TOOLS_PROBE], { env: { ...process.env, ...env }, encoding: 'utf8' }));

it('the restore tools probe finds GNU find, stat, mv and sha256sum here, and names what a host lacks', () => {
    expect(probe()).toEqual([]);
    const stubs = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-stubs-'));
    try {
        // A BusyBox-like host: find without -printf, stat without -c, mv without -T.
        for (const tool of ['find', 'stat', 'mv']) fs.writeFileSync(path.join(stubs, tool), '#!/bin/sh\necho "usage: limited" >&2\nexit 1\n', { mode: 0o755 });
        expect(probe({ PATH: `${stubs}:${process.env.PATH}` })).toEqual(['find-printf', 'stat-c', 'mv-T']);
    } finally {
        fs.rmSync(stubs, { recursive: true, force: true });
    }
});
