/**
 * Where restic runs for a restic tape (DESIGN §9: "restic runs where the data is").
 *
 *   a server's backup or restore   → that server's host, the tape's repository string
 *   a verb on the whole tape        → one place per repository it names:
 *     (archives, verify, prune,       a local folder (`/srv/restic`, `local:…`) is a folder
 *      unlock)                        on EACH host that backs up there → every such host;
 *                                     any other backend is the same repository wherever
 *                                     restic runs → the host of the tape's first server
 *   the servers of a tape            = the servers of every `backup … to TAPE`, file order
 *
 * Nothing here runs restic: it only says where and with what (restic-target.ts).
 */
import type { RunbookModel, ServerModel, TapeModel } from '@backplan/language/model';
import { parseResticRepository } from '@backplan/language/model';
import type { Host } from '../hosts/host.js';
import { LocalHost } from '../hosts/local-host.js';
import { resticShellFor } from './host-restic-shell.js';
import { ResticRepository } from './restic-repo.js';
import { resticTarget } from './restic-target.js';

/** What a run adds to every restic command: the run's ssh config, more environment. */
export interface ResticRunPlace {
    /** `--ssh-config FILE` / BACKPLAN_SSH_CONFIG (for sftp repositories reached from this machine). */
    readonly sshConfig?: string;
    readonly env?: Readonly<Record<string, string>>;
}

/** The repository of a restic tape as restic reaches it from `host`. */
export function repositoryOn(tape: TapeModel, host: Host, run: ResticRunPlace = {}): ResticRepository {
    const target = resticTarget(tape, { local: host instanceof LocalHost, sshConfig: run.sshConfig, env: run.env });
    return new ResticRepository(resticShellFor(host), target, tape.name);
}

/** One place a tape-wide verb reads a restic tape from. */
export interface TapePlace {
    readonly host: Host;
    /** The tape's servers on that host (every server of the tape for a shared backend). */
    readonly servers: readonly ServerModel[];
    readonly repo: ResticRepository;
}

/** Whether a repository string names a folder on the host that runs restic. */
export function isLocalRepository(repository: string): boolean {
    const parsed = parseResticRepository(repository);
    return parsed.ok && parsed.spec.backend === 'local';
}

/** The servers that back up to a tape, in file order, each once. */
export function serversOfTape(model: RunbookModel, tape: TapeModel): ServerModel[] {
    const out: ServerModel[] = [];
    for (const b of model.backups) {
        if (b.tape !== tape) continue;
        for (const s of b.servers) if (!out.includes(s)) out.push(s);
    }
    return out;
}

/** The places a tape-wide verb reads a restic tape from (see the header); servers whose host cannot be opened are left out. */
export function tapePlaces(model: RunbookModel, tape: TapeModel, hostFor: (server: ServerModel) => Host, run: ResticRunPlace = {}): TapePlace[] {
    const byHost = new Map<string, { host: Host; servers: ServerModel[] }>();
    for (const server of serversOfTape(model, tape)) {
        let host: Host;
        try {
            host = hostFor(server);
        } catch {
            continue;
        }
        const group = byHost.get(host.label) ?? { host, servers: [] };
        group.servers.push(server);
        byHost.set(host.label, group);
    }
    const groups = [...byHost.values()];
    if (groups.length === 0) return [];
    if (!isLocalRepository(tape.restic!)) {
        return [{ host: groups[0].host, servers: groups.flatMap(g => g.servers), repo: repositoryOn(tape, groups[0].host, run) }];
    }
    return groups.map(g => ({ host: g.host, servers: g.servers, repo: repositoryOn(tape, g.host, run) }));
}
