/**
 * A keyword's documentation, for hover and completion: the `/** … *\/` comment right before
 * the keyword in the grammar (backplan.langium), the one source of it. Langium keeps such a
 * comment on the grammar's Keyword node (`$comment`), so it costs nothing at run time.
 */
import { GrammarAST, isJSDoc, parseJSDoc } from 'langium';

/** Markdown documentation of a grammar keyword, or undefined when it has none. */
export function keywordDocumentation(keyword: GrammarAST.Keyword): string | undefined {
    const comment = (keyword as { $comment?: string }).$comment;
    if (!comment || !isJSDoc(comment)) return undefined;
    return parseJSDoc(comment).toMarkdown() || undefined;
}
