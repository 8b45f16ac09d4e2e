import { execFileSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { localTools } from '../src/hosts/local-host.js';
import { TOOLS_SCRIPT, parseTools } from '../src/hosts/ssh/remote-scripts.js';

// A malformed TAR_OPTIONS turns `tar --version` into an error message; the probes must
// still see tar and its xattr/ACL support, or archives would silently lose them.
const saved = process.env.TAR_OPTIONS;
afterEach(() => {
    if (saved === undefined) delete process.env.TAR_OPTIONS;
    else process.env.TAR_OPTIONS = saved;
});

it('the local tool probe ignores TAR_OPTIONS', async () => {
    process.env.TAR_OPTIONS = '--no-such-option';
    const tools = await localTools();
    expect(tools.tar).toMatch(/^tar \(GNU tar\) /);
    expect(tools.tarXattrs).toBe(true);
});

it('the remote tool probe ignores TAR_OPTIONS', () => {
    const out = execFileSync('sh', ['-c', TOOLS_SCRIPT], { env: { ...process.env, TAR_OPTIONS: '--no-such-option' } });
    const tools = parseTools(out);
    expect(tools.tar).toMatch(/^tar \(GNU tar\) /);
    expect(tools.tarXattrs).toBe(true);
});
