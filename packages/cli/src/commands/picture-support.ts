/**
 * What the picture verbs (graph, timeline) share: a runbook with errors is still drawn,
 * with one line on stderr saying so (the picture shows the coverage problems itself).
 */
import type { LoadedWorkspace } from '@backplan/language/node';

/** Says on stderr how many errors the runbook has, when it has any. */
export function noteErrors(workspace: LoadedWorkspace): void {
    const errors = workspace.documents.reduce((n, doc) => n + workspace.diagnostics(doc).filter(d => d.severity === 1).length, 0);
    if (errors > 0) {
        process.stderr.write(`backplan: the runbook has ${errors} error${errors === 1 ? '' : 's'} (see \`backplan check\`); drawn as far as it is declared\n`);
    }
}
