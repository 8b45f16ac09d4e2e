/**
 * Pre-flight of a server's commands (DESIGN §10, issue 12): before anything is stopped,
 * the first word of every command the run will use there (stop, start, ready, dump,
 * load, snapshot) must resolve on that host with `command -v`, in the environment the
 * command will run in — else the run refuses that server, with the host's PATH.
 *
 *   words = first word of each command (after VAR=value prefixes), when it is a plain word
 *   one `sh -c` on the host: `command -v WORD` for each → the missing ones, and $PATH
 *
 * A first word that is an expansion or a shell keyword (`$X`, `if`, `(`…) cannot be looked
 * up; such a command is left to fail at run time, as before. Leaves nothing behind.
 */
import type { ServerModel } from '@backplan/language/model';
import type { Host } from '../hosts/host.js';

/** Which of a server's commands a verb will run. */
export type CommandUse = 'backup' | 'restore' | 'replica-source';

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'in', '!', '{', '}', '[[', ']]', 'function', 'select', 'time']);

/** The first word of a shell command, when it is a plain word that can be looked up. */
export function commandWord(command: string): string | undefined {
    const words = command.trim().split(/\s+/);
    let i = 0;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) i++;
    let word = words[i];
    if (!word) return undefined;
    const quoted = /^'([^']*)'$/.exec(word) ?? /^"([^"$`\\]*)"$/.exec(word);
    if (quoted) word = quoted[1];
    if (!word || KEYWORDS.has(word) || /[$`(){}<>|&;*?[\]"'\\~]/.test(word)) return undefined;
    return word;
}

/** The commands of a server a verb will run, named for messages. */
export function commandsFor(server: ServerModel, use: CommandUse): Array<{ what: string; command: string }> {
    const list: Array<{ what: string; command: string | undefined }> = [];
    // A dump server is backed up, and gives replicas, by its dump alone: it is never stopped for them.
    const quiesces = use === 'restore' || !server.dump;
    if (quiesces) list.push({ what: 'stop', command: server.stop }, { what: 'start', command: server.start }, { what: 'ready', command: server.ready });
    if (use !== 'restore') list.push({ what: 'dump', command: server.dump });
    if (use === 'backup') {
        if (server.snapshot?.kind === 'command') list.push({ what: 'snapshot create', command: server.snapshot.create }, { what: 'snapshot delete', command: server.snapshot.delete });
        if (server.snapshot?.kind === 'btrfs') list.push({ what: 'snapshot btrfs', command: 'btrfs' });
    }
    if (use === 'restore') list.push({ what: 'load', command: server.load });
    return list.filter((c): c is { what: string; command: string } => c.command !== undefined);
}

/**
 * The commands whose first word is not found on the host, as one line (undefined: all
 * found). Throws when the host cannot be reached (the caller reports that its own way).
 */
export async function missingCommands(server: ServerModel, host: Host, use: CommandUse): Promise<string | undefined> {
    const cmds = commandsFor(server, use).map(c => ({ ...c, word: commandWord(c.command) })).filter(c => c.word !== undefined);
    if (cmds.length === 0) return undefined;
    const words = [...new Set(cmds.map(c => c.word!))];
    const env: Record<string, string> = {};
    const lines = words.map((w, i) => {
        env[`BP_W${i}`] = w;
        return `command -v -- "$BP_W${i}" >/dev/null 2>&1 || echo "missing:$BP_W${i}"`;
    });
    lines.push('echo "path:$PATH"');
    const r = await host.run(lines.join('\n'), { env, timeoutMs: 60_000 });
    if (!r.ok) throw new Error(`checking the commands of ${server.name} failed on ${host.label}: ${r.output.trim().split('\n').slice(-2).join(' | ') || `exit ${r.code}`}`);
    const out = r.output.split('\n');
    const missing = new Set(out.filter(l => l.startsWith('missing:')).map(l => l.slice(8)));
    if (missing.size === 0) return undefined;
    const hostPath = out.find(l => l.startsWith('path:'))?.slice(5) ?? '';
    const named = cmds.filter(c => missing.has(c.word!)).map(c => `${c.what} command \`${c.command}\`: ${c.word} was not found`);
    return `${named.join('; ')} on ${host.label} (PATH=${hostPath}): use an absolute path, or install it`;
}
