/**
 * The read-back check of a backup (verifyArchive, `archive-hash` mode): small archives hash
 * on this thread, big ones (≥ 32 MiB) on a worker thread; both see a flipped byte, report
 * progress, and an abort ends them with "interrupted".
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../src/archiver/archive-verifier.js';
import type { Manifest } from '../src/archive/manifest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bp-readback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function archive(name: string, size: number): { item: Parameters<typeof verifyArchive>[0]; file: string } {
    const file = path.join(dir, name);
    const bytes = randomBytes(size);
    writeFileSync(file, bytes);
    const manifest = { archive: { size, sha256: createHash('sha256').update(bytes).digest('hex') } } as unknown as Manifest;
    return { item: { id: name, manifest, archivePath: file, archiveSize: size }, file };
}

function flipByte(file: string, at: number): void {
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([0x5a]), 0, 1, at);
    closeSync(fd);
}

describe.each([['here', 1 << 20], ['on a worker thread', 40 << 20]])('read-back hash %s', (_where, size) => {
    it('passes an intact archive, with progress up to its size', async () => {
        const { item } = archive(`ok-${size}`, size);
        let last = 0;
        const r = await verifyArchive(item, { mode: 'archive-hash', tools: {}, onProgress: n => { last = n; } });
        expect(r).toEqual({ ok: true, problems: [] });
        expect(last).toBe(size);
    });

    it('finds one changed byte near the end', async () => {
        const { item, file } = archive(`flip-${size}`, size);
        flipByte(file, size - 3);
        const r = await verifyArchive(item, { mode: 'archive-hash', tools: {} });
        expect(r.ok).toBe(false);
        expect(r.problems[0]).toMatch(/^archive SHA-256 [0-9a-f]{64} differs from the manifest's/);
    });

    it('an abort ends it with "interrupted"', async () => {
        const { item } = archive(`abort-${size}`, size);
        const abort = new AbortController();
        abort.abort();
        await expect(verifyArchive(item, { mode: 'archive-hash', tools: {}, signal: abort.signal })).rejects.toThrow(/interrupted/);
        const late = new AbortController();
        const p = verifyArchive(item, { mode: 'archive-hash', tools: {}, signal: late.signal, onProgress: () => late.abort() });
        await expect(p).rejects.toThrow(/interrupted/);
    });
});
