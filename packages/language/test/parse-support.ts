/**
 * Parsing helpers for the grammar tests: parse without building, project an AST to plain
 * data (no `$` properties; references as their text), and list permutations.
 */
import type { AstNode, ParseResult } from 'langium';
import type { BackplanServices, Document } from '@backplan/language';
import { createServices } from './helpers.js';

let shared: BackplanServices | undefined;

/** Parses a text with Backplan's parser (no linking, no validation). */
export function parse(text: string, services: BackplanServices = shared ??= createServices()): ParseResult<Document> {
    return services.parser.LangiumParser.parse<Document>(text);
}

/** Plain data of an AST: properties without `$`, references as `@name`. */
export function project(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(project);
    if (node === null || typeof node !== 'object') return node;
    if ('$refText' in node) return `@${(node as { $refText: string }).$refText}`;
    const result: Record<string, unknown> = { type: (node as AstNode).$type };
    for (const [key, value] of Object.entries(node)) {
        if (!key.startsWith('$')) result[key] = project(value);
    }
    return result;
}

/** Every order of the given items. */
export function permutations<T>(items: readonly T[]): T[][] {
    if (items.length <= 1) return [[...items]];
    return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map(rest => [item, ...rest]));
}
