/**
 * Where a keyword is written, for its hover and completion: the declaration it belongs to
 * (whose section of docs/language.md documents it), and which single attribute of that
 * declaration it starts (so that completion does not offer `data` twice). Read from the
 * grammar, so a keyword added to it needs nothing here.
 *
 *   sectionOf(node):  the node's top-level ancestor (a child of the Document) → its first keyword
 *   attributeOf(keyword, declaration rule):
 *     the keyword heads a group of the declaration's rule with one assignment → that property
 *     (`'at' at+=STRING`, `offsite+='offsite'`)
 *     the keyword heads a rule called from the declaration's rule → the property the call is
 *     assigned to (`'keep' …` in Keep → `keep+=Keep`; `'rolling'` in Concurrency → `mode`)
 */
import { AstUtils, CstUtils, GrammarAST, type AstNode } from 'langium';

/** The keyword that starts the top-level declaration holding `node` (`tape`, `server`, `runbook`, …). */
export function sectionOf(node: AstNode | undefined): string | undefined {
    const top = declarationOf(node);
    if (!top?.$cstNode) return undefined;
    for (const leaf of CstUtils.flattenCst(top.$cstNode)) {
        if (!leaf.hidden && GrammarAST.isKeyword(leaf.grammarSource)) return leaf.text;
    }
    return undefined;
}

/** The top-level declaration holding `node`, or undefined at the top level. */
export function declarationOf(node: AstNode | undefined): AstNode | undefined {
    let top = node;
    while (top?.$container?.$container) top = top.$container;
    return top?.$container ? top : undefined;
}

/** The property of `rule` that an attribute starting with `keyword` fills, if it starts one. */
export function attributeOf(keyword: GrammarAST.Keyword, rule: GrammarAST.ParserRule): string | undefined {
    const own = AstUtils.getContainerOfType(keyword, GrammarAST.isParserRule);
    if (!own || !headsRule(keyword, own)) return undefined;
    if (own === rule) return headedAssignment(keyword, rule);
    for (const assignment of AstUtils.streamAllContents(rule).filter(GrammarAST.isAssignment)) {
        const call = assignment.terminal;
        if (GrammarAST.isRuleCall(call) && call.rule.ref === own) return assignment.feature;
    }
    return undefined;
}

/** `'at' at+=STRING` → at; `offsite+='offsite'` → offsite: the one property of the group the keyword heads. */
function headedAssignment(keyword: GrammarAST.Keyword, rule: GrammarAST.ParserRule): string | undefined {
    const group: AstNode | undefined = keyword.$container;
    if (GrammarAST.isAssignment(group)) return group.feature;
    // The rule's own first keyword (`tape`) starts the declaration, not an attribute.
    if (!GrammarAST.isGroup(group) || group === rule.definition || group.elements[0] !== keyword) return undefined;
    const features = new Set(group.elements.filter(GrammarAST.isAssignment).map(a => a.feature));
    return features.size === 1 ? [...features][0] : undefined;
}

/**
 * Whether the keyword can be the first token of its rule's text, or of one of the repeated
 * attribute groups of a declaration rule (walking up, each group on the way starts with it).
 */
function headsRule(keyword: GrammarAST.Keyword, rule: GrammarAST.ParserRule): boolean {
    let child: AstNode = keyword;
    for (let parent: AstNode | undefined = keyword.$container; parent && parent !== rule; child = parent, parent = parent.$container) {
        // A declaration's attributes sit after its name, in a loop: `'tape' name=ID '{' (…)* '}'`.
        if (GrammarAST.isGroup(parent) && parent.elements[0] !== child) return isAttributeLoop(child);
    }
    return true;
}

/** `( … | … )*` of a declaration rule: the loop its attributes are written in. */
function isAttributeLoop(node: AstNode): boolean {
    return (GrammarAST.isAlternatives(node) || GrammarAST.isGroup(node)) && (node as GrammarAST.AbstractElement).cardinality === '*';
}
