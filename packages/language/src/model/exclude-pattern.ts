/**
 * A server's `exclude` patterns (DESIGN §10): GNU tar's anchored exclude patterns, relative
 * to the server's data folder, read as tar reads them with `--anchored --wildcards` (its
 * default `--wildcards-match-slash`, and a match on a leading folder excludes everything
 * below it):
 *
 *   *       any run of characters, `/` included      ?  one character
 *   [a-z]   one of a set ([!…] or [^…]: not in it)   \x the character x itself
 *
 * Whether a pattern reaches into a folder at path P (P itself or anything below it):
 *
 *   simulate the pattern as a set of positions over the text P + "/"
 *     the pattern ends right before a "/" of the text → it matches P or a folder above
 *     P: reached (tar leaves out that folder and everything in it)
 *   text consumed, positions left → some name P/… matches: reached
 *   no position left → never
 *
 * Linear in |pattern| × |P|; no regex is built from user text.
 */

/** Why an `exclude` pattern is unusable (absolute, `..`, empty), or undefined when it is fine. */
export function excludeProblem(pattern: string): string | undefined {
    if (pattern.startsWith('/')) return 'is absolute';
    const segments = pattern.split('/');
    if (segments.includes('..')) return 'contains a ".." segment';
    if (segments.every(s => s === '' || s === '.')) return pattern === '' ? 'is empty' : 'names the data folder itself';
    return undefined;
}

/** One element of a pattern: a literal character, `?`, `*`, or a bracket set. */
type Token =
    | { kind: 'char'; char: string }
    | { kind: 'any' }
    | { kind: 'star' }
    | { kind: 'set'; negated: boolean; test: (c: string) => boolean };

/** Whether `pattern` excludes the folder at relative `folderPath` or something inside it. */
export function excludeReaches(pattern: string, folderPath: string): boolean {
    const tokens = tokenize(pattern);
    const text = `${normalizeRelative(folderPath)}/`;
    let positions = closure(tokens, new Set([0]));
    for (const char of text) {
        if (char === '/' && positions.has(tokens.length)) return true;
        positions = closure(tokens, step(tokens, positions, char));
        if (positions.size === 0) return false;
    }
    return positions.size > 0;
}

/** A relative path without empty and `.` segments (`./a//b/` → `a/b`). */
export function normalizeRelative(path: string): string {
    return path.split('/').filter(s => s !== '' && s !== '.').join('/');
}

/** Positions reachable from `from` without reading a character (a `*` may match nothing). */
function closure(tokens: readonly Token[], from: Set<number>): Set<number> {
    const result = new Set(from);
    for (const p of result) {
        if (p < tokens.length && tokens[p].kind === 'star') result.add(p + 1);
    }
    return result;
}

/** Positions after reading `char` from each of `positions`. */
function step(tokens: readonly Token[], positions: Set<number>, char: string): Set<number> {
    const next = new Set<number>();
    for (const p of positions) {
        const token = tokens[p];
        if (!token) continue;
        if (token.kind === 'star') next.add(p);
        else if (token.kind === 'any' || (token.kind === 'char' && token.char === char) || (token.kind === 'set' && token.test(char) !== token.negated)) next.add(p + 1);
    }
    return next;
}

/** The tokens of a pattern; an unclosed `[` is a literal `[`, as in fnmatch. */
function tokenize(pattern: string): Token[] {
    const chars = [...pattern];
    const tokens: Token[] = [];
    for (let i = 0; i < chars.length; i++) {
        const c = chars[i];
        if (c === '*') {
            if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
        } else if (c === '?') {
            tokens.push({ kind: 'any' });
        } else if (c === '\\' && i + 1 < chars.length) {
            tokens.push({ kind: 'char', char: chars[++i] });
        } else if (c === '[') {
            const set = bracket(chars, i);
            if (set) {
                tokens.push(set.token);
                i = set.end;
            } else {
                tokens.push({ kind: 'char', char: c });
            }
        } else {
            tokens.push({ kind: 'char', char: c });
        }
    }
    return tokens;
}

/** The bracket set starting at `chars[start]` (`[`) and the index of its `]`, or undefined when unclosed. */
function bracket(chars: readonly string[], start: number): { token: Token; end: number } | undefined {
    let i = start + 1;
    const negated = chars[i] === '!' || chars[i] === '^';
    if (negated) i++;
    const ranges: Array<[string, string]> = [];
    let first = true;
    for (; i < chars.length; i++) {
        let c = chars[i];
        if (c === ']' && !first) {
            return { token: { kind: 'set', negated, test: ch => ranges.some(([lo, hi]) => lo <= ch && ch <= hi) }, end: i };
        }
        first = false;
        if (c === '\\' && i + 1 < chars.length) c = chars[++i];
        if (chars[i + 1] === '-' && i + 2 < chars.length && chars[i + 2] !== ']') {
            let hi = chars[i + 2];
            i += 2;
            if (hi === '\\' && i + 1 < chars.length) hi = chars[++i];
            ranges.push([c, hi]);
        } else {
            ranges.push([c, c]);
        }
    }
    return undefined;
}
