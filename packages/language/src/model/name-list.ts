/**
 * Names in a sentence, the way a sysadmin lists them: "A", "A and B", "A, B and C".
 */

/** "A", "A and B", "A, B and C" (or "A, B or C"). */
export function listNames(names: readonly string[], conjunction = 'and'): string {
    if (names.length <= 1) return names.join('');
    return `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}
