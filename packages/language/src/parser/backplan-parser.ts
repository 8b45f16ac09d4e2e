/**
 * Langium's parser with one fix for large runbooks: Langium 4.1.3 calls
 * `CstNodeBuilder.addHiddenNodes` before every token, also when there is no comment to add,
 * and for the first token of each declaration that call searches the document's list of
 * top-level nodes (`indexOf`, then `splice`). Parsing a file of N declarations therefore costs
 * O(N²): about 170 ms of every re-parse of the 10,000-folder runbook. Skipping the call when
 * there are no hidden tokens changes nothing else (with none it adds nothing).
 */
import { CstNodeBuilder, createLangiumParser, type LangiumCoreServices, type LangiumParser } from 'langium';

/** A CST builder that does no work when there are no comments to place. */
export class EarlyExitCstNodeBuilder extends CstNodeBuilder {
    override addHiddenNodes(tokens: Parameters<CstNodeBuilder['addHiddenNodes']>[0]): void {
        if (tokens.length > 0) super.addHiddenNodes(tokens);
    }
}

/** Creates Langium's parser for the language, with the {@link EarlyExitCstNodeBuilder}. */
export function createBackplanParser(services: LangiumCoreServices): LangiumParser {
    const parser = createLangiumParser(services);
    (parser as unknown as { nodeBuilder: CstNodeBuilder }).nodeBuilder = new EarlyExitCstNodeBuilder();
    return parser;
}
