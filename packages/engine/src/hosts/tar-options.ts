/**
 * The `tar` command lines every host uses, so local and SSH archives are identical:
 * POSIX pax (unlimited names, UTF-8, sub-second mtimes, xattrs), numeric owners, sparse
 * files, and no atime/ctime records (they change on every read). Created archives are
 * written in 64 KiB records (`--blocking-factor=128`) instead of tar's 10 KiB: the stream
 * passes through this process chunk by chunk, and one chunk per pipe-full instead of six
 * cost ≈ 0.4 s less system time per GB (bench/backup-throughput). Only the zero padding
 * after the end-of-archive marker grows (to a 64 KiB multiple); `tar -x` reads either.
 * Also the probes every host runs: what its tar supports, and what a restore needs there.
 */
import type { ToolVersions } from './host.js';

/**
 * Arguments that write `folder`'s content (as `.`, `./a`, …) to stdout, leaving out what
 * the `exclude` patterns match (relative to the folder, anchored: `cache` is `./cache`
 * and what is below it, never `./a/cache`).
 */
export function tarCreateArgs(folder: string, tools: ToolVersions, exclude: readonly string[] = []): string[] {
    const args = ['--create', '--file=-', '--blocking-factor=128', '--format=posix', '--pax-option=delete=atime,delete=ctime',
        '--numeric-owner', '--sparse'];
    if (tools.tarXattrs) args.push('--xattrs', '--xattrs-include=*');
    if (tools.tarAcls) args.push('--acls');
    if (exclude.length) args.push('--anchored', '--wildcards', ...exclude.map(p => `--exclude=./${p.replace(/^\.\//, '')}`));
    args.push(`--directory=${folder}`, '.');
    return args;
}

/**
 * Arguments that extract stdin into `folder` (which must exist); with `members`, only
 * those archive paths and what is below them, matched literally (`--no-wildcards` is
 * tar's default; hosts also clear TAR_OPTIONS). Parents of a member are created with
 * default modes.
 */
export function tarExtractArgs(folder: string, tools: ToolVersions, members?: readonly string[]): string[] {
    const args = ['--extract', '--file=-', '--numeric-owner', '--same-permissions', '--sparse', '--no-overwrite-dir'];
    if (tools.tarXattrs) args.push('--xattrs', '--xattrs-include=*');
    if (tools.tarAcls) args.push('--acls');
    args.push(`--directory=${folder}`);
    if (members?.length) args.push('--no-wildcards', '--', ...members);
    return args;
}

/**
 * A shell probe of what restores need on a host besides tar (restore/host-folders.ts and
 * the SSH listing): prints the missing ones, space-separated (nothing when all are there).
 */
export const RESTORE_TOOLS_PROBE = 'm=; find / -maxdepth 0 -printf "" >/dev/null 2>&1 || m="$m find-printf"; '
    + 'stat -c %d / >/dev/null 2>&1 || m="$m stat-c"; '
    + 'mv --help 2>&1 | grep -q -e --no-target-directory || m="$m mv-T"; '
    + 'command -v sha256sum >/dev/null 2>&1 || m="$m sha256sum"; echo $m';

/** The probe's output as a list. */
export function parseRestoreProbe(out: string | undefined): string[] {
    return (out ?? '').trim().split(/\s+/).filter(Boolean);
}

/** Parses `tar --version` / `--help` output into versions and capabilities. */
export function parseTarProbe(version: string | undefined, help: string | undefined): Pick<ToolVersions, 'tar' | 'tarXattrs' | 'tarAcls'> {
    if (version === undefined) return {};
    return {
        tar: version.split('\n')[0].trim(),
        tarXattrs: help?.includes('--xattrs') ?? false,
        tarAcls: help?.includes('--acls') ?? false
    };
}
