/**
 * Compressors and decompressors (run locally, on the machine that holds the tape):
 * `zstd -1 -T0` when this machine has zstd, else `gzip -1` — the fallback is recorded in
 * the manifest with its reason. Decompression follows the manifest.
 */
import type { ToolVersions } from '../hosts/host.js';
import type { Compression } from '../archive/manifest.js';

/** A compressor command line. */
export interface Compressor {
    readonly kind: Compression;
    readonly command: string;
    readonly args: readonly string[];
    readonly version?: string;
    readonly fallbackReason?: string;
}

/** Thrown when neither zstd nor gzip is available. */
export class NoCompressorError extends Error {}

/** Picks zstd, else gzip. */
export function chooseCompressor(tools: ToolVersions): Compressor {
    if (tools.zstd) return { kind: 'zstd', command: 'zstd', args: ['-1', '-T0', '-q', '-c'], version: tools.zstd };
    if (tools.gzip) {
        return { kind: 'gzip', command: 'gzip', args: ['-1', '-c'], version: tools.gzip, fallbackReason: 'zstd was not found on this machine (PATH); gzip used instead' };
    }
    throw new NoCompressorError('neither zstd nor gzip was found on this machine: install zstd');
}

/** The command that decompresses an archive of the given kind to stdout. */
export function decompressorFor(kind: Compression, tools: ToolVersions): { command: string; args: string[] } {
    if (kind === 'zstd') {
        if (!tools.zstd) throw new NoCompressorError('this archive is zstd-compressed and zstd was not found on this machine: install zstd');
        return { command: 'zstd', args: ['-d', '-c', '-q'] };
    }
    if (!tools.gzip) throw new NoCompressorError('this archive is gzip-compressed and gzip was not found on this machine');
    return { command: 'gzip', args: ['-d', '-c'] };
}
