/**
 * `import.unresolved`: an import whose file does not exist or cannot be read. The loaders
 * (workspace start-up, CLI) load every import target they can read, so an import whose
 * target is not loaded is one that cannot be read, or a file whose name does not end in
 * `.backplan` (which they never load).
 */
import type { ValidationChecks } from 'langium';
import type { BackplanAstType } from '../generated/ast.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import { isRunbookPath, RUNBOOK_EXTENSION } from '../workspace/runbook-files.js';
import { Code } from './rule-codes.js';

/** Checks on `import` lines. */
export function createImportChecks(graph: RunbookGraph): ValidationChecks<BackplanAstType> {
    return {
        Import: (node, accept) => {
            // An import without a path (`import` cut short) is a parse error, reported as such.
            if (typeof node.path !== 'string') return;
            if (graph.importedDocument(node)) return;
            const target = graph.resolveImport(node);
            const message = isRunbookPath(target.path)
                ? `Cannot read imported file "${node.path}" (${target.fsPath}): check the path, which is relative to this file.`
                : `Cannot import "${node.path}": only runbook files, whose names end in ${RUNBOOK_EXTENSION}, can be imported.`;
            accept('error', message, { node, property: 'path', code: Code.ImportUnresolved });
        }
    };
}
