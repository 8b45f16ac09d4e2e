/**
 * `import.unresolved`: an import whose file does not exist or cannot be read. The loaders
 * (workspace start-up, CLI) load every import target they can read, so an import whose
 * target is not loaded is one that cannot be read.
 */
import type { ValidationChecks } from 'langium';
import type { BackplanAstType } from '../generated/ast.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import { Code } from './rule-codes.js';

/** Checks on `import` lines. */
export function createImportChecks(graph: RunbookGraph): ValidationChecks<BackplanAstType> {
    return {
        Import: (node, accept) => {
            // An import without a path (`import` cut short) is a parse error, reported as such.
            if (typeof node.path !== 'string') return;
            if (!graph.importedDocument(node)) {
                accept('error', `Cannot read imported file "${node.path}" (${graph.resolveImport(node).fsPath}): check the path, which is relative to this file.`,
                    { node, property: 'path', code: Code.ImportUnresolved });
            }
        }
    };
}
