/**
 * `backplan.validation.ignorePaths`: glob patterns of runbook files the language server does
 * not load from the workspace folders (generated runbooks, archives of old ones). A file
 * that a loaded runbook imports is still loaded, so names resolve.
 *
 * Patterns are matched against the path relative to each workspace folder (`/` separated)
 * and against the absolute path: `*` matches within one path segment, `**` any number of
 * segments, `?` one character; a pattern without `/` matches a file or folder name anywhere.
 */

/** Compiled ignore patterns. */
export class IgnorePaths {
    protected readonly patterns: RegExp[];

    constructor(globs: readonly string[] = []) {
        this.patterns = globs.filter(g => typeof g === 'string' && g.trim() !== '').map(globToRegExp);
    }

    /** Whether no pattern is set. */
    get empty(): boolean {
        return this.patterns.length === 0;
    }

    /** Whether a file's path (absolute, `/` separated) is ignored, given the workspace folder paths. */
    matches(file: string, roots: readonly string[]): boolean {
        if (this.patterns.length === 0) return false;
        const candidates = [file];
        for (const root of roots) {
            const prefix = root.endsWith('/') ? root : root + '/';
            if (file.startsWith(prefix)) candidates.push(file.slice(prefix.length));
        }
        return this.patterns.some(p => candidates.some(c => p.test(c)));
    }
}

/** Converts a glob to a regular expression over `/` separated paths. */
export function globToRegExp(glob: string): RegExp {
    let pattern = glob.trim().replace(/\\/g, '/');
    const anchored = pattern.includes('/') && !pattern.startsWith('**/');
    pattern = pattern.replace(/^\.\//, '').replace(/^\//, anchored && glob.startsWith('/') ? '/' : '');
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === '*' && pattern[i + 1] === '*') {
            const slash = pattern[i + 2] === '/';
            source += slash ? '(?:.*/)?' : '.*';
            i += slash ? 2 : 1;
        } else if (c === '*') {
            source += '[^/]*';
        } else if (c === '?') {
            source += '[^/]';
        } else {
            source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
        }
    }
    // A name pattern (no `/`) matches that name anywhere; a folder pattern also covers what is below it.
    const prefix = anchored ? '^' : '^(?:.*/)?';
    return new RegExp(`${prefix}${source}(?:/.*)?$`);
}
