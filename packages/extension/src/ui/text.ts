/** Words for people, shared by questions and notifications. */

/** "Mail1", "Mail1 and Cat1", "Mail1, Cat1 and Cat2". */
export function listNames(names: readonly string[]): string {
    return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The text with its first letter in upper case. */
export function capitalize(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
