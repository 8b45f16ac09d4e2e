/**
 * Names read from untrusted input (a tape, a journal, a tar stream), as messages show
 * them: JSON-quoted (control characters escaped) and cut to a sane length.
 */

const NAME_SHOWN = 200;

/** A name for a message: JSON-quoted, cut to a sane length. */
export function shownName(name: string): string {
    const q = JSON.stringify(name.length > NAME_SHOWN ? `${name.slice(0, NAME_SHOWN)}…` : name);
    return name.length > NAME_SHOWN ? `${q} (${name.length} characters)` : q;
}
