/**
 * Langium keeps its own codes (`linking-error`, `parsing-error`, `lexing-error`) in
 * `diagnostic.data.code`; Backplan promises every code in `Diagnostic.code`, so the editor and
 * the CLI show the same codes. Messages quote what the admin wrote; a quoted run longer
 * than 200 characters (a 5 MB string) is cut, so no diagnostic is a megabyte long.
 *
 * An unknown name in a `notify` block's `for` list is a `notify.invalid` (DESIGN §8), not a
 * plain `linking-error`: the reference is still a cross-reference (rename, go to definition,
 * completion), only its diagnostic is filed under the rule that owns it. So is an unknown
 * `from` tape of a `drill` (`drill.invalid`, DESIGN §11).
 */
import { DefaultDocumentValidator, DocumentValidator, type LangiumDocument, type ValidationOptions } from 'langium';
import type { CancellationToken, Diagnostic } from 'vscode-languageserver';
import { Drill, NotifyFor } from '../generated/ast.js';
import { drillProblemData } from './drill-rules.js';
import { notifyProblemData } from './notify-rules.js';
import { Code } from './rule-codes.js';

/** Copies Langium's `data.code` into `code` where a diagnostic has none. */
export class BackplanDocumentValidator extends DefaultDocumentValidator {
    override async validateDocument(document: LangiumDocument, options?: ValidationOptions, cancelToken?: CancellationToken): Promise<Diagnostic[]> {
        const diagnostics = await super.validateDocument(document, options, cancelToken);
        for (const diagnostic of diagnostics) {
            const code = (diagnostic.data as { code?: string } | undefined)?.code;
            if (diagnostic.code === undefined && code !== undefined) {
                diagnostic.code = code;
            }
            if (code === 'lexing-error') {
                diagnostic.message = lexingMessage(diagnostic.message);
            }
            diagnostic.message = cutLongRuns(diagnostic.message);
        }
        return diagnostics;
    }

    protected override processLinkingErrors(document: LangiumDocument, diagnostics: Diagnostic[], options: ValidationOptions): void {
        const start = diagnostics.length;
        super.processLinkingErrors(document, diagnostics, options);
        for (const diagnostic of diagnostics.slice(start)) {
            const data = diagnostic.data as { code?: string; containerType?: string; property?: string } | undefined;
            if (data?.code !== DocumentValidator.LinkingError) continue;
            if (data.containerType === NotifyFor.$type) {
                diagnostic.code = Code.NotifyInvalid;
                diagnostic.data = { ...data, ...notifyProblemData('unknown-for') };
            } else if (data.containerType === Drill.$type && data.property === 'from') {
                diagnostic.code = Code.DrillInvalid;
                diagnostic.data = { ...data, ...drillProblemData('unknown-from') };
            }
        }
    }
}

const SHOWN = 200;

/** The message with every run of more than 200 characters without a space cut to 200 and counted. */
export function cutLongRuns(message: string): string {
    if (message.length <= SHOWN) return message;
    return message.replace(new RegExp(`[^\\s]{${SHOWN + 1},}`, 'g'), run => `${run.slice(0, SHOWN)}… (${run.length} characters)`);
}

/** Chevrotain's "unexpected character: ->#<- at offset: 131, …" in an admin's words. */
function lexingMessage(message: string): string {
    const m = /unexpected character: ->([\s\S])<-/.exec(message);
    if (!m) return message;
    return `Unexpected character '${m[1]}': delete it, or put it inside "quotes" or after // in a comment.`;
}
