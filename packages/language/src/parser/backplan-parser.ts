/**
 * Langium's parser with one fix for large runbooks: Langium 4.1.3 calls
 * `CstNodeBuilder.addHiddenNodes` before every token, also when there is no comment to add,
 * and for the first token of each declaration that call searches the document's list of
 * top-level nodes (`indexOf`, then `splice`). Parsing a file of N declarations therefore costs
 * O(N²): about 170 ms of every re-parse of the 10,000-folder runbook. Skipping the call when
 * there are no hidden tokens changes nothing else (with none it adds nothing).
 *
 * A second fix: Langium inserts the hidden nodes with one `push(...nodes)` / `splice(...)`,
 * which overflows the call stack when a file holds some 100,000 comments in a row. Passing
 * them in slices keeps their order: after the first slice each next one lands right after
 * the one before (appended, or inserted before the same following node).
 */
import { CstNodeBuilder, createLangiumParser, type LangiumCoreServices, type LangiumParser } from 'langium';

/** Hidden tokens passed to Langium at once: far below the engine's limit on call arguments. */
export const HIDDEN_SLICE = 10_000;

/** A CST builder that does no work when there are no comments to place. */
export class EarlyExitCstNodeBuilder extends CstNodeBuilder {
    override addHiddenNodes(tokens: Parameters<CstNodeBuilder['addHiddenNodes']>[0]): void {
        for (let start = 0; start < tokens.length; start += HIDDEN_SLICE) {
            super.addHiddenNodes(tokens.slice(start, start + HIDDEN_SLICE));
        }
    }
}

/** Creates Langium's parser for the language, with the {@link EarlyExitCstNodeBuilder}. */
export function createBackplanParser(services: LangiumCoreServices): LangiumParser {
    const parser = createLangiumParser(services);
    (parser as unknown as { nodeBuilder: CstNodeBuilder }).nodeBuilder = new EarlyExitCstNodeBuilder();
    return parser;
}
