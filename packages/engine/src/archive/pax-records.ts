/**
 * pax extended headers (`x`, one entry) and global headers (`g`, every later entry), read
 * strictly and applied as GNU tar 1.34 applies them (xheader.c):
 *
 *   records: "LEN key=value\n", LEN decimal and exactly the record's bytes, filling the
 *            header's data exactly; each key once
 *   keys:    path linkpath size uid gid uname gname mtime atime ctime and GNU sparse 1.0
 *            (GNU.sparse.major/minor/name/realsize) are decoded and checked; comment,
 *            charset, xattrs and ACLs are known and change no name; any other key refuses
 *   global:  each `g` header REPLACES the previous global set; an entry sees the global
 *            set overridden by its own `x` records (GNU.sparse.name wins over path)
 * Anything else is refused (TarFormatError): GNU tar would read past it with an error and
 * go on with the header's own fields, which this reader must not second-guess.
 * Interruption: none (pure).
 */
import { TarFormatError } from './tar-header.js';

export type PaxRecords = Record<string, string>;

const DECIMAL = /^[0-9]+$/;
const TIME = /^-?[0-9]+(\.[0-9]+)?$/;
const UID_MAX = 2 ** 32 - 1;
/** Keys a global header may set (the others describe one file's data). */
const GLOBAL_KEYS = new Set(['path', 'linkpath', 'uid', 'gid', 'uname', 'gname', 'mtime', 'atime', 'ctime', 'comment', 'charset']);
const CHECKED: Record<string, (v: string) => boolean> = {
    path: v => v !== '' && !v.includes('\0'),
    linkpath: v => v !== '' && !v.includes('\0'),
    uname: v => !v.includes('\0'),
    gname: v => !v.includes('\0'),
    size: v => DECIMAL.test(v) && Number.isSafeInteger(Number(v)),
    uid: v => DECIMAL.test(v) && Number(v) <= UID_MAX,
    gid: v => DECIMAL.test(v) && Number(v) <= UID_MAX,
    mtime: v => TIME.test(v) && Number.isSafeInteger(Math.trunc(Number(v))),
    atime: v => TIME.test(v),
    ctime: v => TIME.test(v),
    comment: () => true,
    charset: () => true,
    'GNU.sparse.major': v => v === '1',
    'GNU.sparse.minor': v => v === '0',
    'GNU.sparse.name': v => v !== '' && !v.includes('\0'),
    'GNU.sparse.realsize': v => DECIMAL.test(v) && Number.isSafeInteger(Number(v))
};
/** Keys GNU tar applies to the file's extended attributes or ACLs, never to its name. */
const ATTRIBUTE_PREFIXES = ['SCHILY.xattr.', 'LIBARCHIVE.xattr.', 'SCHILY.acl.'];
const SPARSE_KEYS = ['GNU.sparse.major', 'GNU.sparse.minor', 'GNU.sparse.name', 'GNU.sparse.realsize'];

/** Parses the data of a pax header that started at stream offset `at`; throws TarFormatError. */
export function parsePax(b: Buffer, at: number, global: boolean): PaxRecords {
    const fail = (why: string): never => { throw new TarFormatError(at, `malformed pax ${global ? 'global ' : ''}header: ${why}`); };
    const out: PaxRecords = Object.create(null) as PaxRecords;
    let pos = 0;
    while (pos < b.length) {
        const space = b.indexOf(0x20, pos);
        const lenText = b.toString('latin1', pos, space === -1 ? b.length : space);
        if (space === -1 || !DECIMAL.test(lenText)) fail(`a record does not start with its length (${JSON.stringify(lenText.slice(0, 20))})`);
        const len = Number(lenText);
        if (len > b.length - pos) fail(`a record length ${lenText} runs past the header's data`);
        if (b[pos + len - 1] !== 0x0a) fail('a record does not end with a newline where its length says');
        const eq = b.indexOf(0x3d, space + 1);
        if (eq === -1 || eq >= pos + len - 1) fail('a record has no "="');
        const key = b.toString('latin1', space + 1, eq);
        if (key === '' || key.includes('\0')) fail(`a record has a malformed key ${JSON.stringify(key.slice(0, 60))}`);
        if (key in out) fail(`the key ${key} appears twice`);
        out[key] = checkValue(key, b.subarray(eq + 1, pos + len - 1), global, fail);
        pos += len;
    }
    if (('GNU.sparse.major' in out) && !SPARSE_KEYS.every(k => k in out)) fail('GNU sparse 1.0 needs GNU.sparse.major, minor, name and realsize');
    if (!('GNU.sparse.major' in out) && SPARSE_KEYS.some(k => k in out)) fail('GNU sparse records without GNU.sparse.major=1');
    return out;
}

function checkValue(key: string, raw: Buffer, global: boolean, fail: (why: string) => never): string {
    if (ATTRIBUTE_PREFIXES.some(p => key.startsWith(p) && key.length > p.length)) {
        if (global) fail(`${key} in a global header`);
        return raw.toString('latin1');
    }
    const check = CHECKED[key];
    if (!check) fail(`unknown key ${JSON.stringify(key.slice(0, 60))}`);
    if (global && !GLOBAL_KEYS.has(key)) fail(`${key} in a global header`);
    const value = raw.toString('utf8');
    if (!check(value)) fail(`${key}=${JSON.stringify(value.slice(0, 60))} is not valid`);
    return value;
}

/** What an entry sees: the global set, overridden by its own `x` records (GNU's order). */
export function effectivePax(global: PaxRecords, own: PaxRecords | undefined): PaxRecords {
    return own ? { ...global, ...own } : global;
}
