/**
 * The exact command lines Backplan runs on a remote host (docs/hosts.md lists them), and
 * the parsers of their output. Every path and value is quoted with shQuote; outputs that
 * carry names are NUL-separated, so a name with a newline is still one name.
 */
import { mtimeFromNs, type EntryType, type ManifestEntry } from '../../archive/manifest.js';
import type { ToolVersions } from '../host.js';
import { parseRestoreProbe, parseTarProbe, RESTORE_TOOLS_PROBE } from '../tar-options.js';
import { shCommand, shQuote, withEnv } from './remote-quote.js';

/**
 * Runs a runbook command (`/bin/sh -c CMD`, env vars as quoted `env` words) so that:
 * - its output goes to a remote temp file, printed when it exits (a daemon it starts may
 *   keep stdout open forever; that must not keep the ssh session open),
 * - it runs in its own process group (setsid, when present), killed (TERM, then KILL)
 *   when the ssh session ends early: Backplan's timeout or Ctrl-C, or a lost connection.
 *   ssh gives a remote command no SIGHUP without a terminal; the watcher reads the
 *   session's stdin, which only ends when the session does.
 */
/** Last stderr line of runScript: the command's exit code reached us (the session did not drop). */
export const RUN_TRAILER = 'backplan-exit';

/** Splits the trailer off ssh's stderr: the exit code the wrapper reported, if it did. */
export function splitRunTrailer(stderr: string): { stderr: string; reported?: number } {
    const m = new RegExp(`(?:^|\\n)${RUN_TRAILER} (\\d+)\\n?$`).exec(stderr);
    if (!m) return { stderr };
    return { stderr: stderr.slice(0, m.index), reported: Number(m[1]) };
}

export function runScript(command: string, env?: Readonly<Record<string, string>>): string {
    const launch = (setsid: boolean): string =>
        withEnv(env, [...(setsid ? ['setsid'] : []), '/bin/sh', '-c', command]);
    return [
        'exec 3<&0 </dev/null',
        // A full or read-only temporary folder must not keep a start from running (a full
        // disk is a likely reason for a restore): the command then runs without its output.
        'o=$(mktemp "${TMPDIR:-/tmp}/backplan-run.XXXXXX" 2>/dev/null) || o=',
        // An empty file needs no data block: on a full disk mktemp works and writes fail.
        'if [ -n "$o" ] && ! { printf x >"$o" && : >"$o"; } 2>/dev/null; then rm -f "$o"; o=; fi',
        `if command -v setsid >/dev/null 2>&1; then ${launch(true)} >"\${o:-/dev/null}" 2>&1 3<&- & else ${launch(false)} >"\${o:-/dev/null}" 2>&1 3<&- & fi`,
        'c=$!',
        '( while read -r _ <&3; do :; done; kill -TERM -$c 2>/dev/null || kill -TERM $c 2>/dev/null; sleep 5; kill -KILL -$c 2>/dev/null; [ -z "$o" ] || rm -f "$o" ) >/dev/null 2>&1 &',
        'w=$!',
        'exec 3<&-',
        'wait $c; r=$?',
        'kill $w 2>/dev/null',
        'if [ -n "$o" ]; then tail -c 65536 "$o"; rm -f "$o"; else echo "(output not kept: no temporary file could be made in ${TMPDIR:-/tmp})"; fi',
        `printf '${RUN_TRAILER} %s\\n' "$r" >&2`,
        'exit $r'
    ].join('\n');
}

/** `tar ARGS` (args from tar-options.ts, each quoted). */
export function tarScript(args: readonly string[]): string {
    // TAR_OPTIONS (the login's environment) would change what an archive holds or which
    // names an extraction matches: Backplan's tar takes only the options it gives.
    return `TAR_OPTIONS= ${shCommand(['tar', ...args])}`;
}

/**
 * `tar ARGS | COMPRESSOR ARGS`, exiting with tar's status when tar failed (unless it was
 * killed by the broken pipe of a compressor that failed first), else the compressor's (POSIX sh has no pipefail: tar's status comes back on fd 3 through a
 * command substitution while the compressed bytes go to the session's stdout on fd 4).
 * Neither tool keeps the status pipe open, so the substitution ends with tar's echo.
 */
export function tarCompressScript(tarArgs: readonly string[], compressor: { command: string; args: readonly string[] }): string {
    return [
        'exec 4>&1',
        `t=$( { { ${tarScript(tarArgs)} 3>&- 4>&-; echo "$?" >&3; } | ${shCommand([compressor.command, ...compressor.args])} 3>&- >&4 4>&-; } 3>&1 )`,
        'z=$?',
        'exec 4>&-',
        // The compressor died first and tar got SIGPIPE: the compressor's status tells why.
        'if [ "$z" != 0 ] && [ "${t:-1}" -gt 128 ]; then exit "$z"; fi',
        '[ "${t:-1}" = 0 ] || exit "${t:-1}"',
        'exit "$z"'
    ].join('\n');
}

/**
 * `tar --extract …`, then drain stdin. tar stops reading at the end-of-archive blocks and
 * exits; the session would then end while the sender is still finishing its stream (the
 * last record, or waiting for its own tar's exit status), and the sender's pipeline would
 * see its destination close early. Draining keeps the session open until the whole stream
 * was taken. On failure tar's exit ends the session at once.
 */
export function tarExtractScript(args: readonly string[]): string {
    return `${tarScript(args)}; r=$?; [ $r -ne 0 ] || cat >/dev/null; exit $r`;
}

/**
 * Marks where a probe's output begins: a login shell's startup files may print to stdout
 * before the command runs (they must not, for scp and rsync as for tar streams, but a
 * probe can be lenient).
 */
export const OUTPUT_MARK = '\0backplan-output\0';
const MARK_SCRIPT = "printf '\\0backplan-output\\0'";

/** The output after OUTPUT_MARK (all of it when the mark is missing). */
export function afterMark(out: Buffer): Buffer {
    const i = out.indexOf(OUTPUT_MARK);
    return i < 0 ? out : out.subarray(i + OUTPUT_MARK.length);
}

/** Probe of tar, zstd, gzip, the user id and restore tools: six NUL-terminated sections (empty: missing). */
export const TOOLS_SCRIPT = [
    MARK_SCRIPT,
    // As tarScript: a malformed TAR_OPTIONS would turn the probe into an error message.
    'TAR_OPTIONS=; export TAR_OPTIONS',
    'if command -v tar >/dev/null 2>&1; then tar --version 2>&1; printf \'\\0\'; tar --help 2>&1; printf \'\\0\'; else printf \'\\0\\0\'; fi',
    'if command -v zstd >/dev/null 2>&1; then zstd --version 2>&1; fi; printf \'\\0\'',
    'if command -v gzip >/dev/null 2>&1; then gzip --version 2>&1; fi; printf \'\\0\'',
    'id -u 2>/dev/null; printf \'\\0\'',
    `${RESTORE_TOOLS_PROBE}; printf '\\0'`
].join('\n');

export function parseTools(out: Buffer): ToolVersions {
    const [tarVersion, tarHelp, zstd, gzip, uid, restore] = afterMark(out).toString('utf8').split('\0').map(s => (s.trim() === '' ? undefined : s));
    return {
        ...parseTarProbe(tarVersion, tarHelp),
        zstd: zstd?.trim().split('\n')[0].replace(/^\*+\s*|\s*\*+$/g, ''),
        gzip: gzip?.split('\n')[0].trim(),
        uid: uid !== undefined && /^\d+$/.test(uid.trim()) ? Number(uid.trim()) : undefined,
        restoreMissing: parseRestoreProbe(restore)
    };
}

/** `d` folder, `f` something else, `n` nothing (follows symlinks, as fs.stat). */
export function statScript(p: string): string {
    const q = shQuote(p);
    return `if [ -d ${q} ]; then echo d; elif [ -e ${q} ]; then echo f; else echo n; fi`;
}

/**
 * Lists a folder for a manifest comparison: one `find -printf` record per entry
 * (`TYPE MODE UID GID SIZE MTIME\0PATH\0LINK\0`), a `=\0` separator, then
 * `sha256sum -z` records (`HASH  ./PATH\0`) for regular files. GNU find and coreutils.
 */
export function listScript(folder: string, hash = true): string {
    return [
        `cd ${shQuote(folder)} || exit 1`,
        MARK_SCRIPT,
        'find . -printf \'%y %m %U %G %s %T@\\0%P\\0%l\\0\' || exit 1',
        // Metadata only (`hash: false`): the separator, no hashes (no file is read).
        ...(hash ? [
            // sha256sum -z (coreutils 8.31+?) keeps names raw; older ones escape them in lines.
            'if sha256sum -z /dev/null >/dev/null 2>&1; then printf \'=\\0\'; find . -type f -exec sha256sum -z -- {} + || exit 1;',
            'else printf \'=L\\0\'; find . -type f -exec sha256sum -- {} + || exit 1; fi'
        ] : ['printf \'=N\\0\''])
    ].join('\n');
}

const TYPES: Record<string, EntryType> = {
    f: 'file', d: 'dir', l: 'symlink', p: 'fifo', s: 'socket', c: 'chardev', b: 'blockdev'
};

/**
 * find's `%T@` as the manifest's canonical mtime string. find writes floored seconds and
 * a positive fraction (-1.5 s is `-2.5000000000`); the manifest, as tar, sign and magnitude.
 */
export function parseFindTime(t: string): string {
    const [whole, frac = ''] = t.trim().split('.');
    return mtimeFromNs(BigInt(whole) * 1_000_000_000n + BigInt(frac.slice(0, 9).padEnd(9, '0')));
}

/** Parses listScript output into manifest-shaped entries, in LocalHost's walk order. */
export function parseListing(out: Buffer): ManifestEntry[] {
    const fields = afterMark(out).toString('utf8').split('\0');
    // Records are 3 fields; the separator stands where a record's header would (a file
    // named "=" is a path field, never a header).
    let sep = 0;
    while (sep < fields.length && fields[sep] !== '=' && fields[sep] !== '=L' && fields[sep] !== '=N') sep += 3;
    if (sep >= fields.length) throw new Error('unexpected output from the remote file listing');
    const hashed = fields[sep] !== '=N';
    const lines = fields[sep] === '=L';
    const hashes = new Map<string, string>();
    const records = lines ? fields.slice(sep + 1).join('\0').split('\n') : fields.slice(sep + 1);
    for (const rec of records) {
        if (rec === '') continue;
        const m = /^(\\?)([0-9a-f]{64}) [ *]\.\/(.*)$/s.exec(rec);
        if (!m) throw new Error(`unexpected sha256sum output: ${JSON.stringify(rec.slice(0, 80))}`);
        // Line mode: a leading backslash means the name is escaped (\\ \n \r).
        const name = lines && m[1] ? m[3].replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\')) : m[3];
        hashes.set(name, m[2]);
    }
    const entries: ManifestEntry[] = [];
    for (let i = 0; i < sep; i += 3) {
        const [y, mode, uid, gid, size, mtime] = fields[i].split(' ');
        const rel = fields[i + 1] === '' ? '.' : fields[i + 1];
        const type = TYPES[y];
        if (type === undefined) throw new Error(`unexpected file type "${y}" for ${rel}`);
        const e: ManifestEntry = {
            path: rel, type, size: type === 'file' ? Number(size) : 0, mode: parseInt(mode, 8),
            uid: Number(uid), gid: Number(gid), mtime: parseFindTime(mtime)
        };
        if (type === 'symlink') e.linkTarget = fields[i + 2];
        if (type === 'file' && hashed) {
            const h = hashes.get(rel);
            if (h === undefined) throw new Error(`no SHA-256 for ${rel} (file changed during the listing?)`);
            e.sha256 = h;
        }
        entries.push(e);
    }
    return sortAsWalk(entries);
}

/** Orders entries as LocalHost's walk does: depth first, names sorted within a folder. */
export function sortAsWalk(entries: ManifestEntry[]): ManifestEntry[] {
    const children = new Map<string, ManifestEntry[]>();
    let root: ManifestEntry | undefined;
    for (const e of entries) {
        if (e.path === '.') { root = e; continue; }
        const slash = e.path.lastIndexOf('/');
        const parent = slash < 0 ? '.' : e.path.slice(0, slash);
        const list = children.get(parent) ?? [];
        list.push(e);
        children.set(parent, list);
    }
    const out: ManifestEntry[] = [];
    const name = (e: ManifestEntry): string => e.path.slice(e.path.lastIndexOf('/') + 1);
    const visit = (p: string): void => {
        const list = children.get(p);
        if (!list) return;
        list.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
        for (const e of list) {
            out.push(e);
            if (e.type === 'dir') visit(e.path);
        }
    };
    if (root) out.push(root);
    visit('.');
    return out;
}
