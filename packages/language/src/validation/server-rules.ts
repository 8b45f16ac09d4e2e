/**
 * Server rules: `server.incomplete`, `server.data-relative`, `server.data-root`, `host.invalid`,
 * `master.not-catalog`, `duration.invalid` (`timeout`). Each looks at one server declaration only.
 */
import type { ValidationAcceptor, ValidationChecks } from 'langium';
import type { BackplanAstType, Host, Server } from '../generated/ast.js';
import { first } from '../model/declarations.js';
import { durationMs, MAX_TIMER_MS } from '../model/duration.js';
import { parseSshUrl } from '../model/host-spec.js';
import { normalizePath } from '../model/posix-path.js';
import { Code } from './rule-codes.js';
import { listNames } from './runbook-rule.js';

function checkComplete(server: Server, accept: ValidationAcceptor): void {
    const missing: string[] = [];
    const hints: string[] = [];
    if (server.role.length === 0) { missing.push('`role`'); hints.push('`role mail` or `role catalog`'); }
    if (server.host.length === 0) { missing.push('`host`'); hints.push('`host local` or `host "ssh://user@host"`'); }
    if (server.data.length === 0) { missing.push('`data`'); hints.push('`data "/absolute/path"`'); }
    if (missing.length > 0) {
        accept('error', `Server '${server.name}' has no ${listNames(missing, 'or')}: add ${hints.join(' and ')}.`,
            { node: server, property: 'name', code: Code.ServerIncomplete });
    }
}

function checkDataAbsolute(server: Server, accept: ValidationAcceptor): void {
    const data = first(server.data);
    if (data !== undefined && !data.startsWith('/')) {
        accept('error', `Data folder "${data}" of server '${server.name}' is not absolute: write the full path from /, e.g. "/${data.replace(/^(\.\/)+/, '')}".`,
            { node: server, property: 'data', index: 0, code: Code.ServerDataRelative });
    }
}

/** Folders a restore must never wipe and a backup must never stop for: the system itself. */
const SYSTEM_ROOTS = new Set(['/', '/etc', '/usr', '/bin', '/boot', '/dev', '/proc', '/sys', '/var', '/home', '/root']);

function checkDataRoot(server: Server, accept: ValidationAcceptor): void {
    const data = first(server.data);
    if (data === undefined || !data.startsWith('/') || !SYSTEM_ROOTS.has(normalizePath(data))) return;
    accept('error', `Data folder "${data}" of server '${server.name}' is ${normalizePath(data) === '/' ? 'the root of the file system' : 'a system folder'}: a restore would replace it whole; give the server's own folder, e.g. "/srv/${server.name.toLowerCase()}".`,
        { node: server, property: 'data', index: 0, code: Code.ServerDataRoot });
}

function checkHost(host: Host, accept: ValidationAcceptor): void {
    if (host.local || host.url === undefined) return;
    const parsed = parseSshUrl(host.url);
    if (!parsed.ok) {
        accept('error', `Host "${host.url}" is not valid: ${parsed.reason}. Write \`host local\` or \`host "ssh://user@host[:port]"\`.`,
            { node: host, property: 'url', code: Code.HostInvalid });
    }
}

function checkMasterRole(server: Server, accept: ValidationAcceptor): void {
    server.role.forEach(role => {
        if (role.master && role.kind !== 'catalog') {
            accept('error', `Server '${server.name}' is a ${role.kind} server and cannot be a master: only a catalog server holds folders; remove \`master\` or write \`role catalog master\`.`,
                { node: role, keyword: 'master', code: Code.MasterNotCatalog });
        }
    });
}

/** Checks on single server declarations. */
function checkTimeout(server: Server, accept: ValidationAcceptor): void {
    const text = server.timeout[0];
    const ms = durationMs(text);
    if (text === undefined || ms === undefined) return;
    if (ms === 0) {
        accept('error', `\`timeout ${text}\` of server '${server.name}' would kill its stop and start at once: give at least \`1s\` (the default is 10m).`,
            { node: server, property: 'timeout', index: 0, code: Code.DurationInvalid });
    } else if (ms > MAX_TIMER_MS) {
        accept('error', `\`timeout ${text}\` of server '${server.name}' is longer than a timer can wait (24 days, \`24d\`): a stop would be killed at once. Use \`24d\` or less.`,
            { node: server, property: 'timeout', index: 0, code: Code.DurationInvalid });
    }
}

export const serverChecks: ValidationChecks<BackplanAstType> = {
    Server: [checkComplete, checkDataAbsolute, checkDataRoot, checkMasterRole, checkTimeout],
    Host: checkHost
};
