/**
 * Comparing and combining the edits of code actions:
 *
 *   mergeSameEdits(actions):  actions whose edits are equal become one entry, in the place of
 *                             the first; it lists every diagnostic they fix, is preferred
 *                             when one was, and takes the preferred one's title (between
 *                             equals, the longer one: it says more, `(off-site tape Vault)`)
 *   nonOverlapping(changes):  one WorkspaceEdit `changes` of every given set whose edits touch
 *                             nothing an earlier set touches (an edit equal to an earlier one
 *                             is the same edit, kept once); a set that would conflict is left
 *                             out whole
 */
import type { CodeAction, Position, Range, TextEdit } from 'vscode-languageserver';

type Changes = Record<string, TextEdit[]>;

/** The edits of an action as one comparable string (files and edits in a fixed order). */
function editKey(action: CodeAction): string {
    const changes = action.edit?.changes ?? {};
    return JSON.stringify(Object.keys(changes).sort().map(uri => [uri, changes[uri].map(edit => [
        edit.range.start.line, edit.range.start.character, edit.range.end.line, edit.range.end.character, edit.newText
    ]).sort()]));
}

/** The actions with equal edits merged, in order of first appearance. */
export function mergeSameEdits(actions: readonly CodeAction[]): CodeAction[] {
    const byEdit = new Map<string, CodeAction>();
    for (const action of actions) {
        const key = editKey(action);
        const kept = byEdit.get(key);
        if (!kept) {
            byEdit.set(key, { ...action, diagnostics: [...action.diagnostics ?? []] });
            continue;
        }
        for (const d of action.diagnostics ?? []) if (!kept.diagnostics!.includes(d)) kept.diagnostics!.push(d);
        const better = Boolean(action.isPreferred) === Boolean(kept.isPreferred) ? action.title.length > kept.title.length : Boolean(action.isPreferred);
        if (better) {
            kept.title = action.title;
            kept.isPreferred = action.isPreferred;
        }
    }
    return [...byEdit.values()];
}

function before(a: Position, b: Position): boolean {
    return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function same(a: Position, b: Position): boolean {
    return a.line === b.line && a.character === b.character;
}

/** Whether two edits touch the same text (two inserts at one point do: their order would be a guess). */
function overlaps(a: Range, b: Range): boolean {
    if (same(a.start, b.start)) return true;
    return before(a.start, b.end) && before(b.start, a.end);
}

/** The union of the sets of changes that do not conflict with an earlier set. */
export function nonOverlapping(sets: readonly Changes[]): Changes {
    const result: Changes = {};
    for (const set of sets) {
        const added: Changes = {};
        let conflict = false;
        for (const [uri, edits] of Object.entries(set)) {
            const taken = result[uri] ?? [];
            for (const edit of edits) {
                if (taken.some(t => same(t.range.start, edit.range.start) && same(t.range.end, edit.range.end) && t.newText === edit.newText)) continue;
                if (taken.some(t => overlaps(t.range, edit.range)) || (added[uri] ?? []).some(t => overlaps(t.range, edit.range))) conflict = true;
                (added[uri] ??= []).push(edit);
            }
        }
        if (conflict) continue;
        for (const [uri, edits] of Object.entries(added)) (result[uri] ??= []).push(...edits);
    }
    return result;
}
