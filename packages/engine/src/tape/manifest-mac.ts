/**
 * Authenticated manifests (`tape … { key-file "…" }`, DESIGN §13): an HMAC-SHA256 over the
 * exact bytes of each manifest, under a key only the runner's machine holds.
 *
 *   write:  MAC(manifest bytes) → ID.manifest.hmac (durable) → ID.manifest.json (durable: the commit)
 *   read:   manifest bytes + ID.manifest.hmac → recompute, compare in constant time;
 *           missing, malformed or different → ManifestMacError naming the tape
 *
 * The manifest lists the archive's SHA-256 and every entry's, so a valid MAC vouches for
 * the archive too. Interruption: a MAC without its manifest is garbage (prune removes it).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readUntrustedBytes } from '../schema/untrusted-file.js';

/** Keys shorter than this are refused: an HMAC key should be at least as long as the hash. */
const MIN_KEY_BYTES = 16;

/** Thrown when a key file cannot be used, or a manifest's MAC is missing or wrong. */
export class ManifestMacError extends Error {}

/** Reads a tape's key file (a regular file of at least 16 bytes). */
export async function readKeyFile(tape: string, file: string): Promise<Buffer> {
    let key: Buffer;
    try {
        key = await readUntrustedBytes(file, 1 << 16);
    } catch (err) {
        throw new ManifestMacError(`tape ${tape}: key-file ${file} cannot be read: ${(err as Error).message}`);
    }
    if (key.length < MIN_KEY_BYTES) {
        throw new ManifestMacError(`tape ${tape}: key-file ${file} holds ${key.length} bytes; use at least ${MIN_KEY_BYTES} random bytes (head -c 32 /dev/urandom > ${file})`);
    }
    return key;
}

/** The MAC of a manifest's bytes, as the `.manifest.hmac` file holds it. */
export function manifestMac(key: Buffer, manifest: Buffer | string): string {
    return `hmac-sha256:${createHmac('sha256', key).update(manifest).digest('hex')}\n`;
}

/** Throws ManifestMacError unless `mac` (the file's text, or undefined when missing) is the manifest's. */
export function checkManifestMac(tape: string, id: string, key: Buffer, manifest: Buffer, mac: string | undefined): void {
    if (mac === undefined) throw new ManifestMacError(`the manifest of ${id} on tape ${tape} has no MAC (key-file is set): refused, it may be forged`);
    const want = Buffer.from(manifestMac(key, manifest));
    const got = Buffer.from(mac);
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
        throw new ManifestMacError(`the manifest of ${id} on tape ${tape} does not match its MAC: refused, it was changed or forged`);
    }
}
