/**
 * Quoting for the remote shell. `ssh host CMD` hands CMD, as one string, to the remote
 * user's login shell (`$SHELL -c CMD`), so every path, name and value that goes into it is
 * wrapped in POSIX single quotes: inside them nothing is special but the quote itself,
 * which becomes `'\''`. Spaces, `"`, `$(…)`, backticks, globs, newlines and non-ASCII are
 * data, never shell. (Assumes a POSIX login shell on the remote side: sh, dash, bash, ksh,
 * zsh. See docs/hosts.md.)
 */

/** One word for a POSIX shell, quoted so the shell reads it back byte for byte. */
export function shQuote(word: string): string {
    if (word.includes('\0')) throw new Error('a NUL byte cannot be passed to a remote shell');
    if (/^[A-Za-z0-9_./=:@%+,-]+$/.test(word) && !word.startsWith('-') && !word.startsWith('=')) return word;
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line made of quoted words (the program first). */
export function shCommand(argv: readonly string[]): string {
    return argv.map(shQuote).join(' ');
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `name` can be an environment variable name in a POSIX shell. */
export function isEnvName(name: string): boolean {
    return ENV_NAME.test(name);
}

/**
 * `env 'K=V' … ARGV…`: runs ARGV with extra environment variables. ssh forwards no
 * environment by default (and sshd's AcceptEnv is rarely set), so values travel as quoted
 * words of the command line.
 */
export function withEnv(env: Readonly<Record<string, string>> | undefined, argv: readonly string[]): string {
    const pairs = Object.entries(env ?? {});
    if (pairs.length === 0) return shCommand(argv);
    for (const [name] of pairs) {
        if (!isEnvName(name)) throw new Error(`"${name}" is not a valid environment variable name`);
    }
    return shCommand(['env', ...pairs.map(([k, v]) => `${k}=${v}`), ...argv]);
}
