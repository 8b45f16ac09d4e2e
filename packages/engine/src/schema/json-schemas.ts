/**
 * The shapes of the JSON files Backplan reads back: manifests (folder and restic tapes),
 * verification records, lock files, journal lines and stale-episode files. Each is
 * checked with ajv before any field is used, so a file crafted on a tape (or damaged in
 * the state folder) is refused with a one-line reason instead of failing later as
 * "Cannot read properties of null".
 *
 * Fields a later Backplan may add are allowed (additionalProperties); the fields this
 * version reads must be there with their types. A new journal record kind gets a branch in
 * JOURNAL_RECORD (keyed on `type`): a line of an unknown kind is reported and skipped.
 * Compiled once, on first use (CLI start-up does not pay for it).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { shownName } from '../schema/shown-name.js';

/** Thrown when a JSON document does not have the shape its kind needs. */
export class ShapeError extends Error {
    constructor(readonly what: string, readonly reason: string) {
        super(`${what} is not valid: ${reason}`);
    }
}

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const strMap = { type: 'object', additionalProperties: str } as const;

const ENTRY = {
    type: 'object',
    required: ['path', 'type', 'size', 'mode', 'uid', 'gid', 'mtime'],
    properties: {
        path: str, type: { enum: ['file', 'dir', 'symlink', 'hardlink', 'chardev', 'blockdev', 'fifo', 'socket'] },
        size: { type: 'integer', minimum: 0 }, mode: { type: 'integer', minimum: 0, maximum: 0o7777 }, uid: int, gid: int,
        mtime: { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' }, linkTarget: str, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' }, sparse: bool
    }
} as const;

const MANIFEST = {
    type: 'object',
    required: ['format', 'version', 'id', 'server', 'policy', 'runId', 'runbook', 'tape', 'host', 'data', 'folders', 'archive', 'times', 'tools', 'files', 'entries'],
    properties: {
        format: { const: 'backplan-manifest' }, version: { const: 1 },
        id: str, server: str, role: str, policy: str, runId: str, runbook: str, tape: str, host: str, data: str,
        folders: { type: 'array', items: { type: 'object', required: ['name', 'path'], properties: { name: str, path: str } } },
        archive: {
            type: 'object', required: ['file', 'compression', 'size', 'sha256', 'tarSize'],
            properties: { file: str, compression: { enum: ['zstd', 'gzip'] }, fallbackReason: str, size: { type: 'integer', minimum: 0 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' }, tarSize: { type: 'integer', minimum: 0 } }
        },
        times: { type: 'object', required: ['archiveStarted', 'archiveFinished'], properties: { stopStarted: str, stopped: str, archiveStarted: str, archiveFinished: str } },
        tools: { type: 'object', properties: { tar: str, compressor: str, backplan: str } },
        content: { enum: ['dump'] },
        files: { type: 'integer', minimum: 0 },
        entries: { type: 'array', items: ENTRY }
    }
} as const;

/** A restic tape's manifest (restic/restic-manifest.ts): a manifest snapshot's one file. */
const RESTIC_MANIFEST = {
    type: 'object',
    required: ['format', 'version', 'snapshot', 'server', 'policy', 'runId', 'runbook', 'tape', 'host', 'data', 'folders', 'times', 'tools', 'files', 'entries'],
    properties: {
        format: { const: 'backplan-restic-manifest' }, version: { const: 1 },
        snapshot: { type: 'string', pattern: '^[0-9a-f]{8,64}$' }, server: str, role: str, policy: str, runId: str, runbook: str, tape: str, host: str, data: str, source: str,
        folders: MANIFEST.properties.folders,
        times: { type: 'object', required: ['backupStarted', 'backupFinished'], properties: { stopStarted: str, stopped: str, backupStarted: str, backupFinished: str } },
        tools: { type: 'object', properties: { restic: str, backplan: str } },
        summary: { type: 'object', additionalProperties: int },
        files: { type: 'integer', minimum: 0 },
        entries: { type: 'array', items: ENTRY }
    }
} as const;

const VERIFICATION = {
    type: 'object', required: ['id', 'time', 'ok', 'kind'],
    properties: { id: str, time: str, ok: bool, kind: { enum: ['full', 'archive-hash', 'restic-read-data'] }, error: str }
} as const;

const LOCK = {
    type: 'object', required: ['pid', 'host', 'command', 'started', 'token'],
    properties: { pid: { type: 'integer', minimum: 0 }, host: str, command: str, started: str, token: str }
} as const;

/** A journal line: the envelope every kind has, then the fields of its kind. */
const JOURNAL_RECORD = {
    type: 'object', required: ['type', 'run', 'time'],
    properties: { type: { enum: ['run', 'step', 'recover', 'swap', 'leftover', 'notify', 'drill'] }, run: str, time: str },
    allOf: [
        {
            if: { properties: { type: { const: 'run' } } },
            then: {
                required: ['event'], properties: {
                    event: { enum: ['begin', 'end'] }, verb: str, command: str, pid: int, host: str, runbook: str, ok: bool, error: str, interrupted: bool,
                    guardian: int, by: str
                }
            }
        },
        {
            if: { properties: { type: { const: 'step' } } },
            then: {
                required: ['event', 'step'], properties: {
                    event: { enum: ['begin', 'end'] }, step: str, server: str, tape: str, policy: str, ok: bool, error: str, output: str, archive: str,
                    restart: { type: 'object', required: ['command', 'host', 'env'], properties: { command: str, host: str, data: str, env: strMap, prelude: { type: 'array', items: str } } },
                    stopped: bool, window: { type: 'number', minimum: 0 }, bytes: { type: 'integer', minimum: 0 }, n: { type: 'integer', minimum: 1 },
                    cleanup: { type: 'object', required: ['host', 'path'], properties: { host: str, path: str, command: str, env: strMap } },
                    removed: { type: 'array', items: str }
                }
            }
        },
        {
            if: { properties: { type: { const: 'recover' } } },
            then: { required: ['server', 'ok', 'by'], properties: { server: str, ok: bool, by: str, output: str, error: str } }
        },
        {
            if: { properties: { type: { const: 'swap' } } },
            then: {
                required: ['server', 'event'], properties: {
                    server: str, event: str, host: str, aside: str, keepOld: bool, part: int, by: str, ok: bool, error: str,
                    parts: { type: 'array', items: { type: 'object', required: ['data', 'aside', 'staged'], properties: { data: str, aside: str, staged: str } } }
                }
            }
        },
        {
            if: { properties: { type: { const: 'leftover' } } },
            then: { required: ['server', 'host', 'path', 'state', 'by'], properties: { server: str, host: str, path: str, state: { enum: ['open', 'removed'] }, by: str, error: str } }
        },
        {
            if: { properties: { type: { const: 'notify' } } },
            then: {
                required: ['notify', 'target', 'event', 'policy', 'ok', 'attempts'], properties: {
                    notify: str, target: { enum: ['webhook', 'healthchecks', 'command'] }, event: { enum: ['start', 'success', 'failure', 'stale'] },
                    policy: str, ok: bool, attempts: { type: 'integer', minimum: 1 }, error: str
                }
            }
        },
        {
            if: { properties: { type: { const: 'drill' } } },
            then: {
                required: ['drill', 'server', 'tape', 'ok', 'pick', 'verified'], properties: {
                    drill: str, server: str, tape: str, ok: bool, archive: str, verified: bool, error: str, scratch: str, kept: bool,
                    pick: { type: 'object', required: ['order', 'index', 'of'], properties: { order: { enum: ['newest', 'oldest', 'random', 'given'] }, index: int, of: int, seed: str } },
                    recoverySeconds: { type: 'number', minimum: 0 }, files: int, bytes: int,
                    test: { type: 'object', required: ['ok', 'seconds', 'output'], properties: { ok: bool, code: int, signal: str, seconds: { type: 'number', minimum: 0 }, output: str } }
                }
            }
        }
    ]
} as const;

/** The stale episodes `status` has told the notify blocks about (notify/stale-episodes.ts). */
const STALE_STATE = {
    type: 'object', required: ['version', 'episodes'],
    properties: {
        version: { const: 1 }, runbook: str,
        episodes: { type: 'object', additionalProperties: { type: 'object', required: ['since', 'told'], properties: { since: str, told: { type: 'array', items: str } } } }
    }
} as const;

const SCHEMAS = {
    manifest: MANIFEST, 'restic-manifest': RESTIC_MANIFEST, verification: VERIFICATION, lock: LOCK, 'journal-record': JOURNAL_RECORD, 'stale-state': STALE_STATE
} as const;

/** The kinds of JSON document that have a schema. */
export type ShapeKind = keyof typeof SCHEMAS;

let ajv: Ajv | undefined;
const compiled = new Map<ShapeKind, ValidateFunction>();

function validator(kind: ShapeKind): ValidateFunction {
    let v = compiled.get(kind);
    if (!v) {
        ajv ??= new Ajv({ allErrors: false, strict: false });
        v = ajv.compile(SCHEMAS[kind]);
        compiled.set(kind, v);
    }
    return v;
}

/** Compiles the schema of `kind` now, while the caller waits on something else (first use would). */
export function prepareShape(kind: ShapeKind): void {
    validator(kind);
}

/** The first schema error, in one short line. */
function describe(error: ErrorObject | undefined): string {
    if (!error) return 'unknown shape';
    const at = error.instancePath ? error.instancePath.split('/').slice(1).join('.') : 'the document';
    return `${shownName(at).slice(1, -1)} ${error.message ?? 'is invalid'}`;
}

/** Checks `value` against the schema of `kind`; throws ShapeError naming `what` (a file, a line). */
export function checkShape<T>(kind: ShapeKind, value: unknown, what: string): T {
    const v = validator(kind);
    if (!v(value)) throw new ShapeError(what, describe(v.errors?.[0]));
    return value as T;
}
