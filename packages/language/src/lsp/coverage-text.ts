/**
 * Coverage in words, shared by the hover and the inlay hints: "3 copies · 1 off-site",
 * and where each copy lives.
 */
import type { Coverage } from '../model/coverage.js';
import { describeHost, type HostSpec } from '../model/host-spec.js';
import type { ServerModel } from '../model/runbook-model.js';

/** " at `/mnt/vault`", " restic `sftp:…`" or "": where a tape keeps its copies, for hovers and details. */
export function tapeWhere(tape: { at?: string; restic?: string }, code = true): string {
    const q = (text: string): string => code ? `\`${text}\`` : text;
    if (tape.at) return ` at ${q(tape.at)}`;
    return tape.restic ? ` restic ${q(tape.restic)}` : '';
}

/** "3 copies · 1 off-site" (the off-site part only when some tape is off-site or it is required). */
export function copiesSummary(coverage: Coverage, requireOffsite = false): string {
    const offsite = coverage.tapes.filter(t => t.tape.offsite).length;
    const copies = `${coverage.copies} ${coverage.copies === 1 ? 'copy' : 'copies'}`;
    return offsite > 0 || requireOffsite ? `${copies} · ${offsite} off-site` : copies;
}

/** `local` or the ssh URL of a host. */
export function hostText(host: HostSpec | undefined): string {
    return host ? describeHost(host) : 'no valid host';
}

/** Markdown list of the copies: servers with host and folder, tapes with off-site mark and backups. */
export function copiesMarkdown(coverage: Coverage, folderPath?: string): string {
    const lines: string[] = [];
    for (const server of coverage.servers) {
        lines.push(`- server **${server.name}** on \`${hostText(server.host)}\`${where(server, folderPath)}`);
    }
    for (const copy of coverage.tapes) {
        const via = copy.backups.map(b => b.name).join(', ');
        const from = copy.servers.map(s => s.name).join(', ');
        lines.push(`- tape **${copy.tape.name}**${copy.tape.offsite ? ' (off-site)' : ''}${tapeWhere(copy.tape)}, by backup ${via} of ${from}`);
    }
    return lines.length > 0 ? lines.join('\n') : '- no copy';
}

function where(server: ServerModel, folderPath?: string): string {
    if (!server.data) return '';
    const data = server.data.replace(/\/+$/, '');
    return folderPath === undefined ? `, \`${data}\`` : `, \`${data}/${folderPath}\``;
}
