/**
 * In-memory runbooks for the engine's pure tests: parse, link and validate with the
 * language's own services over an empty file system (no disk).
 */
import { EmptyFileSystem, URI } from 'langium';
import { createBackplanCoreServices, type Document, type RunbookModel } from '@backplan/language';
import type { PlainDiagnostic } from '../src/plan/refusal-codes.js';

/** The model and diagnostics of one in-memory runbook. */
export async function modelOf(text: string): Promise<{ model: RunbookModel; diagnostics: PlainDiagnostic[] }> {
    const { shared, Backplan } = createBackplanCoreServices(EmptyFileSystem);
    const uri = URI.parse('file:///ws/main.backplan');
    const doc = shared.workspace.LangiumDocumentFactory.fromString<Document>(text, uri);
    shared.workspace.LangiumDocuments.addDocument(doc);
    await shared.workspace.DocumentBuilder.build([doc], { validation: true });
    const model = Backplan.workspace.RunbookGraph.model(uri);
    const severities = ['error', 'error', 'warning', 'info', 'hint'] as const;
    const diagnostics = (doc.diagnostics ?? []).map(d => ({
        code: String(d.code ?? (d.data as { code?: string } | undefined)?.code),
        severity: severities[d.severity ?? 1],
        message: d.message,
        uri: uri.toString(),
        line: d.range.start.line,
        character: d.range.start.character
    }));
    return { model, diagnostics };
}

/** Three servers, two backups: the planner's playground. */
export const RUNBOOK = `
tape Vault { at "/mnt/vault" offsite keep last 3 }
tape Shelf { at "/mnt/shelf" keep daily 7 }
server Mail1 { role mail host local data "/srv/mail" stop "stop mail" start "start mail" }
server Cat1 { role catalog master host local data "/srv/cat1" stop "stop cat" start "start cat" }
server Cat2 { role catalog host local data "/srv/cat2" stop "stop cat" start "start cat" }
folder Engineering on Cat1, Cat2
folder Sales on Cat1, Cat2 { path "Sales Dept" }
backup Nightly { servers Mail1, Cat1 to Vault schedule "0 2 * * *" }
backup Weekly { servers Cat1, Cat2 to Shelf schedule "0 3 * * 0" parallel 2 }
`;
