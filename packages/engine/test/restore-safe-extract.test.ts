import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../src/archive/manifest.js';
import { SafeEntryChecker, splitEntryPath, unsafeEntries } from '../src/restore/safe-extract.js';
import { compareTree, entriesBelow } from '../src/restore/verify-restored.js';

const e = (path: string, type: ManifestEntry['type'] = 'file', linkTarget?: string): ManifestEntry => ({ path, type, size: 0, mode: 0o644, uid: 0, gid: 0, mtime: '1', linkTarget });
const root = e('.', 'dir');

describe('safe extraction', () => {
    it('accepts what real data holds: nested folders, relative symlinks inside, chains, hardlinks to earlier files', () => {
        expect(unsafeEntries([root, e('lib', 'dir'), e('lib/libx.so.1.2'), e('lib/libx.so.1', 'symlink', 'libx.so.1.2'), e('lib/libx.so', 'symlink', 'libx.so.1'),
            e('current', 'symlink', 'lib/../lib/libx.so'), e('up', 'symlink', 'lib/..'), e('copy', 'hardlink', 'lib/libx.so.1.2'), e('fifo', 'fifo'),
            e('name with "quotes" $(touch x)')])).toEqual([]);
    });

    it.each([
        ['/etc/passwd', 'file', undefined, /absolute path/],
        ['../x', 'file', undefined, /climbs out/],
        ['a/../../x', 'file', undefined, /climbs out/],
        ['a//b', 'file', undefined, /empty or "\." component/],
        ['dev', 'chardev', undefined, /device files/],
        ['disk', 'blockdev', undefined, /device files/],
        ['l', 'symlink', '/etc', /absolute/],
        ['l', 'symlink', '../..', /outside the restored folder/],
        ['d/l', 'symlink', '../../x', /outside/],
        ['l', 'symlink', '', /empty/],
        ['h', 'hardlink', '/etc/shadow', /absolute path/],
        ['h', 'hardlink', '../x', /climbs out/],
        ['h', 'hardlink', 'never-seen', /not an earlier entry/]
    ] as const)('refuses %s (%s → %s)', (path, type, link, why) => {
        const problems = unsafeEntries([root, e('d', 'dir'), e(path, type, link)]);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(why);
    });

    it('refuses a file written through a symlink of the archive, even one pointing inside', () => {
        expect(unsafeEntries([root, e('etc', 'symlink', 'inside'), e('etc/passwd')])[0]).toMatch(/written through the symlink etc/);
    });

    it('follows the archive\'s own symlinks: an inside-looking target that escapes through another is refused', () => {
        expect(unsafeEntries([root, e('x', 'dir'), e('x/y', 'dir'), e('x/y/z', 'dir'), e('x/y/z/up', 'symlink', '../../..'), e('b', 'symlink', 'x/y/z/up/..')])[0])
            .toMatch(/symlink to "x\/y\/z\/up\/\.\." points outside/);
        expect(unsafeEntries([root, e('d', 'dir'), e('a', 'symlink', 'd/..'), e('d', 'symlink', '.')])[0]).toMatch(/through a later symlink/);
        expect(unsafeEntries([root, e('a', 'symlink', 'b'), e('b', 'symlink', 'a'), e('c', 'symlink', 'a/x')])[0]).toMatch(/loop/);
    });

    it('the top of an archive must be a folder', () => {
        expect(() => new SafeEntryChecker().check(e('.', 'file'))).toThrow(/top of the archive/);
        expect(splitEntryPath('./a/b')).toEqual(['a', 'b']);
    });
});

describe('restored-tree comparison', () => {
    it('re-roots a folder, checks hardlinks as their target file, reports missing, extra and changed entries', () => {
        const want = entriesBelow([root, e('Sales', 'dir'), { ...e('Sales/a'), sha256: 'A', size: 1 }, e('Sales/h', 'hardlink', 'Sales/a'), e('Other')], 'Sales');
        expect(want.map(w => `${w.path} ${w.linkTarget ?? ''}`.trim())).toEqual(['.', 'a', 'h a']);
        const got = [e('.', 'dir'), { ...e('a'), sha256: 'A', size: 1 }, { ...e('h'), sha256: 'A', size: 1 }];
        expect(compareTree(want, got, true)).toEqual([]);
        expect(compareTree(want, [got[0], { ...got[1], sha256: 'B' }, e('extra')], false)).toEqual([
            'a: sha256 is "B", the manifest says "A"', 'extra: present but not in the manifest', 'h: missing'
        ]);
        expect(compareTree(want, [{ ...got[0], uid: 5 }, got[1], got[2]], true)).toEqual(['.: uid is 5, the manifest says 0']);
        expect(compareTree(want, [{ ...got[0], uid: 5 }, got[1], got[2]], false)).toEqual([]);
    });
});
