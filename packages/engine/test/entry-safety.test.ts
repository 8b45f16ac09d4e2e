import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../src/archive/manifest.js';
import { escapingSymlinks, SafeEntryChecker, splitEntryPath, unsafeEntries } from '../src/archive/entry-safety.js';
import { compareTree, entriesBelow } from '../src/archiver/verify-restored.js';

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

    const deep = ['a', 'a/b', 'a/b/c', 'a/b/c/d'].map(p => e(p, 'dir'));
    it('a hard link to a symlink is that symlink at the link\'s own path (issue 13.1)', () => {
        // a/b/c/d/l → ../../../.. stays inside at its depth; linked as `etc` it is 4 folders out.
        expect(unsafeEntries([root, ...deep, e('a/b/c/d/l', 'symlink', '../../../..'), e('etc', 'hardlink', 'a/b/c/d/l')])[0])
            .toMatch(/refused entry "etc": hardlink to the symlink a\/b\/c\/d\/l, whose target "\.\.\/\.\.\/\.\.\/\.\." points outside/);
        // Chains: a hard link to that hard link, each checked at its own path.
        expect(unsafeEntries([root, ...deep, e('a/b/c/d/l', 'symlink', '../../..'), e('a/h', 'hardlink', 'a/b/c/d/l'), e('h2', 'hardlink', 'a/h')])[0])
            .toMatch(/refused entry "a\/h": .*points outside/);
        expect(unsafeEntries([root, ...deep, e('a/b/c/d/l', 'symlink', '../..'), e('a/b/h', 'hardlink', 'a/b/c/d/l'), e('h2', 'hardlink', 'a/b/h')])[0])
            .toMatch(/refused entry "h2": hardlink to the symlink a\/b\/h/);
        // One that stays inside at its own path is accepted, then written through like any symlink.
        const inside = [root, ...deep, e('a/b/c/d/l', 'symlink', '../..'), e('a/b/c/h', 'hardlink', 'a/b/c/d/l')];
        expect(unsafeEntries(inside)).toEqual([]);
        expect(unsafeEntries([...inside, e('a/b/c/h/x')])[0]).toMatch(/written through the symlink a\/b\/c\/h/);
        // The write-through variant: the link at the top, a file below it.
        expect(unsafeEntries([root, ...deep, e('a/b/c/d/l', 'symlink', '../../../../x'), e('x', 'dir'), e('up', 'hardlink', 'a/b/c/d/l'), e('up/pwned')]))
            .toEqual(['refused entry "up": hardlink to the symlink a/b/c/d/l, whose target "../../../../x" points outside the restored folder']);
    });

    it('a hard link to a symlink counts for earlier resolutions that walked its path', () => {
        // `s` resolved through the folder `d` (d/..); d becomes a symlink by a hard link.
        expect(unsafeEntries([root, ...deep, e('a/b/c/d/l', 'symlink', '..'), e('s', 'symlink', 'x/..'), e('x', 'hardlink', 'a/b/c/d/l')])[0])
            .toMatch(/"x": hardlink to the symlink a\/b\/c\/d\/l, whose target "\.\." points outside/);
        // s → a/b/x/../.. is the top while a/b/x is a folder; a/b/x → .. (inside) makes it one out.
        expect(unsafeEntries([root, ...deep, e('a/b/c/d/l', 'symlink', '..'), e('s', 'symlink', 'a/b/x/../..'), e('a/b/x', 'hardlink', 'a/b/c/d/l')])[0])
            .toMatch(/refused entry "s": symlink to "a\/b\/x\/\.\.\/\.\." points outside the restored folder \(through a later symlink\)/);
    });

    it('refuses an entry that replaces a symlink: earlier links were resolved through it', () => {
        // l → p/q, m → l/../../.. resolves to the top; with l a real folder it would be one out.
        const before = [root, e('p', 'dir'), e('p/q', 'dir'), e('l', 'symlink', 'p/q'), e('d', 'dir'), e('d/m', 'symlink', '../l/../..')];
        expect(unsafeEntries(before)).toEqual([]);
        for (const type of ['dir', 'file', 'symlink', 'hardlink'] as const) {
            expect(unsafeEntries([...before, e('l', type, type === 'symlink' ? 'p' : type === 'hardlink' ? 'd' : undefined)])[0])
                .toMatch(/refused entry "l": it would replace the symlink l \(→ p\/q\)/);
        }
        // A folder replaced by a symlink: later entries below it are written through it.
        expect(unsafeEntries([root, e('p', 'dir'), e('d', 'dir'), e('d/f'), e('d', 'symlink', 'p'), e('d/g')])[0]).toMatch(/written through the symlink d/);
    });

    it('a folder restore: a hard link whose first name is in another folder is checked at its own path', () => {
        // People/etc links Other/a/b/l (→ ../..: the top of the data folder): from People it is one out.
        expect(unsafeEntries([root, e('Other', 'dir'), e('Other/a', 'dir'), e('Other/a/b', 'dir'), e('Other/a/b/l', 'symlink', '../../..'),
            e('People', 'dir'), e('People/etc', 'hardlink', 'Other/a/b/l')])[0]).toMatch(/refused entry "People\/etc"/);
    });

    it('a restored tree\'s symlinks are resolved against the tree, lexically', () => {
        const tree = [e('.', 'dir'), e('a', 'dir'), e('a/in', 'symlink', '../a'), e('etc', 'symlink', 'a/b/../../..'), e('abs', 'symlink', '/etc'),
            e('via', 'symlink', 'in/../..')];
        expect(escapingSymlinks(tree)).toEqual([
            'etc → a/b/../../..: points outside the restored folder',
            'abs → /etc: is absolute (outside the restored folder)',
            'via → in/../..: points outside the restored folder'
        ]);
        expect(escapingSymlinks([e('.', 'dir'), e('x', 'symlink', '../Other/y')], 'People')).toEqual([]);
        expect(escapingSymlinks([e('.', 'dir'), e('x', 'symlink', '../../y')], 'People')).toEqual(['People/x → ../../y: points outside the restored folder']);
        expect(escapingSymlinks([e('.', 'dir'), e('x', 'symlink', '../Other/y')])).toEqual(['x → ../Other/y: points outside the restored folder']);
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
