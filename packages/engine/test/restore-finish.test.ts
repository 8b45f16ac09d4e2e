/**
 * After a restore's swap and start, the set-aside copy of the previous data is deleted
 * only when nothing failed: an error after the swap (a failed fsync of the renames, say)
 * keeps it and names it, whether or not the application started.
 */
import { describe, expect, it } from 'vitest';
import type { CommandResult, Host } from '../src/hosts/host.js';
import type { Journal } from '../src/journal/journal.js';
import { silentReporter } from '../src/progress/progress-reporter.js';
import type { OpOutcome, RestoreRunContext } from '../src/restore/restore-context.js';
import { finish } from '../src/restore/swap-in.js';

/** A host that records the commands it is asked to run, and runs none. */
function recordingHost(): Host & { commands: string[] } {
    const commands: string[] = [];
    const ok: CommandResult = { code: 0, output: '', timedOut: false, ok: true, durationMs: 0 };
    return {
        label: 'fake', commands,
        run: async (command, options) => { commands.push(`${command} ${JSON.stringify(options?.env ?? {})}`); return ok; },
        tarOut: () => { throw new Error('unused'); }, tarIn: () => { throw new Error('unused'); },
        listFiles: async () => [], checkTools: async () => ({}), stat: async () => ({ exists: true, isDirectory: true })
    };
}

const ctx = (keepOld = false): RestoreRunContext => ({
    runId: 'R1', runbookPath: '/rb', journal: { append: async () => undefined } as unknown as Journal, reporter: silentReporter,
    signal: new AbortController().signal, timeoutMs: 1000, localTools: {}, hostFor: () => { throw new Error('unused'); }, keepOld
});

const outcome = (extra: Partial<OpOutcome>): OpOutcome => ({ server: 'Cat1', kind: 'tape', ok: false, swapped: true, started: true, kept: [], ...extra });
const ASIDE = '/srv/.cat1.backplan-old-R1';

describe('finish', () => {
    it('swapped, started, no error: the set-aside copy is removed and the restore is ok', async () => {
        const host = recordingHost();
        const o = outcome({});
        await finish([{ moved: true, aside: ASIDE }], host, ctx(), o, ASIDE);
        expect(o.ok).toBe(true);
        expect(o.kept).toEqual([]);
        expect(host.commands.some(c => c.includes(ASIDE))).toBe(true);
    });

    it('an error after the swap keeps the set-aside copy, though the application started', async () => {
        const host = recordingHost();
        const o = outcome({ error: 'fsync of /srv failed: EIO' });
        await finish([{ moved: true, aside: ASIDE }], host, ctx(), o, ASIDE);
        expect(o.ok).toBe(false);
        expect(o.kept).toEqual([ASIDE]);
        expect(host.commands).toEqual([]);
        expect(o.error).toMatch(/the previous data is kept at \/srv\/\.cat1\.backplan-old-R1/);
    });

    it('a failed start keeps it too; --keep-old keeps it on success', async () => {
        const failed = outcome({ started: false, error: 'start exited with code 1' });
        await finish([{ moved: true, aside: ASIDE }], recordingHost(), ctx(), failed, ASIDE);
        expect(failed.kept).toEqual([ASIDE]);
        const kept = outcome({});
        const host = recordingHost();
        await finish([{ moved: true, aside: ASIDE }], host, ctx(true), kept, ASIDE);
        expect(kept).toMatchObject({ ok: true, kept: [ASIDE] });
        expect(host.commands).toEqual([]);
    });
});
