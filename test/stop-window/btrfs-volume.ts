/**
 * A real btrfs file system for tests: an image file made with `truncate`, formatted with
 * mkfs.btrfs (Debian's btrfs-progs), loop-mounted, with subvolumes made by
 * `btrfs subvolume create`. Needs root; `mountBtrfs` says why it could not (the caller
 * skips, or fails under BACKPLAN_REQUIRE_MOUNT=1).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A mounted btrfs image. */
export class BtrfsVolume {
    private constructor(readonly image: string, readonly mount: string) {}

    /**
     * Makes and mounts an image of `size` (truncate's units) at DIR/mnt; returns the
     * volume, or why this machine cannot (not root, no btrfs-progs, no loop device).
     */
    static create(dir: string, size = '2G'): BtrfsVolume | { problem: string } {
        const image = path.join(dir, 'btrfs.img');
        const mount = path.join(dir, 'mnt');
        fs.mkdirSync(mount, { recursive: true });
        try {
            execFileSync('truncate', ['-s', size, image]);
            execFileSync('mkfs.btrfs', ['-q', image], { stdio: 'pipe' });
            execFileSync('mount', ['-o', 'loop', image, mount], { stdio: 'pipe' });
        } catch (err) {
            fs.rmSync(image, { force: true });
            const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
            return { problem: `cannot mount a btrfs image here (needs root, btrfs-progs and a loop device): ${why.split('\n')[0]}` };
        }
        return new BtrfsVolume(image, mount);
    }

    /** Creates a subvolume at MOUNT/name; returns its path. */
    subvolume(name: string): string {
        const p = path.join(this.mount, name);
        execFileSync('btrfs', ['subvolume', 'create', p], { stdio: 'pipe' });
        return p;
    }

    /** The paths of every subvolume (snapshots included), relative to the mount. */
    subvolumes(): string[] {
        const out = execFileSync('btrfs', ['subvolume', 'list', '-o', this.mount]).toString();
        return out.split('\n').filter(Boolean).map(l => l.slice(l.indexOf(' path ') + 6)).sort();
    }

    /** Unmounts (lazily if busy) and removes the image. */
    dispose(): void {
        try {
            execFileSync('umount', [this.mount], { stdio: 'ignore' });
        } catch {
            try { execFileSync('umount', ['-l', this.mount], { stdio: 'ignore' }); } catch { /* already gone */ }
        }
        fs.rmSync(this.image, { force: true });
    }
}
