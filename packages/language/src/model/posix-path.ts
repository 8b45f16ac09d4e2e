/**
 * Comparing absolute POSIX paths as written in a runbook, without touching the disk:
 * `server.data-overlap`, `server.data-root` and `tape.inside-data` all nest paths this way.
 */

/** The path without empty, `.` and `..` segments or a trailing slash (`/srv/./x/` → `/srv/x`). */
export function normalizePath(path: string): string {
    const parts: string[] = [];
    for (const part of path.split('/')) {
        if (part === '' || part === '.') continue;
        if (part === '..') parts.pop(); else parts.push(part);
    }
    return '/' + parts.join('/');
}

/** Whether normalized `inner` is `outer` or lies below it. */
export function pathContains(outer: string, inner: string): boolean {
    return outer === inner || inner.startsWith(outer === '/' ? '/' : outer + '/');
}
