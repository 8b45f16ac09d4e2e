/**
 * `backplan/coverage`: the coverage of the runbooks a document belongs to (or of every
 * runbook of the workspace), for the VS Code coverage view, status bar and CodeLens.
 *
 * Data comes from the runbook model (`RunbookGraph.model`), the same coverage the
 * validators and the CLI use. After each build the server sends
 * `backplan/coverageChanged` so that views follow edits.
 */
import { AstUtils, DocumentState, GrammarUtils, URI, type AstNode } from 'langium';
import type { Range } from 'vscode-languageserver';
import type { BackplanSharedLspServices } from './backplan-lsp-module.js';
import { hostText } from './coverage-text.js';
import { describeBlockSchedule, type ScheduleInfo } from './schedule-info.js';
import { coverageRisks } from '../model/coverage-risk.js';
import type { RunbookModel, ServerModel, TapeModel } from '../model/runbook-model.js';

export type { ScheduleInfo };

/** Request name: params {@link CoverageParams}, result {@link CoverageResult}. */
export const CoverageRequest = 'backplan/coverage';
/** Notification sent (no params) whenever documents were re-validated. */
export const CoverageChangedNotification = 'backplan/coverageChanged';

export interface CoverageParams {
    /** A document URI: its runbooks only. Omitted: every runbook of the workspace. */
    uri?: string;
}

/** Where a declaration's name is. */
export interface DeclarationLocation {
    name: string;
    uri: string;
    range: Range;
}

export interface ServerInfo extends DeclarationLocation {
    role?: 'mail' | 'catalog';
    master: boolean;
    host?: string;
}

export interface TapeInfo extends DeclarationLocation {
    offsite: boolean;
}

export interface BackupInfo extends DeclarationLocation {
    servers: string[];
    tape?: string;
    /** Its `schedule`, with the next fire times (the schedule CodeLens). */
    scheduled?: ScheduleInfo;
}

/** A `drill` block: the servers whose archives it restores, from which tape, picked how. */
export interface DrillInfo extends DeclarationLocation {
    servers: string[];
    tape?: string;
    pick: 'newest' | 'oldest' | 'random';
    schedule?: string;
    /** Its `schedule`, with the next fire times (the schedule CodeLens). */
    scheduled?: ScheduleInfo;
}

/** A tape copy of a folder or mail data. */
export interface TapeCopyInfo extends DeclarationLocation {
    offsite: boolean;
    /** Backups that send a holder to the tape. */
    backups: string[];
}

/** The copies of one folder or one mail server's data. */
export interface CoverageItemInfo extends DeclarationLocation {
    kind: 'folder' | 'mail';
    servers: DeclarationLocation[];
    tapes: TapeCopyInfo[];
    copies: number;
    offsite: boolean;
    /** Fewer than two copies, or no off-site copy while the runbook requires one. */
    atRisk: boolean;
    /** Why it is at risk, in words. */
    risks: string[];
}

export interface RunbookCoverageInfo {
    /** URI of the runbook's root file. */
    root: string;
    title?: string;
    requireOffsite: boolean;
    files: string[];
    items: CoverageItemInfo[];
    servers: ServerInfo[];
    tapes: TapeInfo[];
    backups: BackupInfo[];
    drills: DrillInfo[];
}

export interface CoverageResult {
    runbooks: RunbookCoverageInfo[];
}

/** Registers the coverage request and the change notification on the language server. */
export function registerCoverageRequest(shared: BackplanSharedLspServices): void {
    const connection = shared.lsp.Connection;
    if (!connection) return;
    const graph = shared.workspace.RunbookGraph;

    connection.onRequest(CoverageRequest, async (params: CoverageParams | undefined): Promise<CoverageResult> => {
        await shared.workspace.WorkspaceManager.ready;
        if (params?.uri) {
            const uri = URI.parse(params.uri);
            // Not loaded (ignored, or in a folder the workspace scan skips and not open).
            if (!shared.workspace.LangiumDocuments.hasDocument(uri)) return { runbooks: [] };
            await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Linked, uri);
            return { runbooks: graph.modelsOf(uri).map(describeRunbook) };
        }
        await shared.workspace.DocumentBuilder.waitUntil(DocumentState.Linked);
        return { runbooks: graph.roots().map(root => describeRunbook(graph.model(root))) };
    });

    shared.workspace.DocumentBuilder.onBuildPhase(DocumentState.Validated, () => {
        void connection.sendNotification(CoverageChangedNotification);
    });
}

function describeRunbook(model: RunbookModel): RunbookCoverageInfo {
    const items: CoverageItemInfo[] = [];
    for (const coverage of model.coverage.values()) {
        const risks = coverageRisks(model, coverage).map(r => r.summary);
        items.push({
            kind: coverage.kind,
            ...locate(coverage.subject.name, coverage.subject.node),
            servers: coverage.servers.map(s => locate(s.name, s.node)),
            tapes: coverage.tapes.map(t => ({
                ...locate(t.tape.name, t.tape.node),
                offsite: t.tape.offsite,
                backups: t.backups.map(b => b.name)
            })),
            copies: coverage.copies,
            offsite: coverage.offsite,
            atRisk: risks.length > 0,
            risks
        });
    }
    return {
        root: model.root.toString(),
        title: model.title,
        requireOffsite: model.requireOffsite,
        files: [...model.uris],
        items,
        servers: model.servers.map(describeServer),
        tapes: model.tapes.map((t: TapeModel) => ({ ...locate(t.name, t.node), offsite: t.offsite })),
        backups: model.backups.map(b => ({
            ...locate(b.name, b.node),
            servers: b.servers.map(s => s.name),
            tape: b.tape?.name,
            scheduled: describeBlockSchedule(b.node, b.schedule)
        })),
        drills: model.drills.map(d => ({
            ...locate(d.name, d.node),
            servers: d.servers.map(s => s.name),
            tape: d.tape?.name,
            pick: d.pick,
            schedule: d.schedule,
            scheduled: describeBlockSchedule(d.node, d.schedule)
        }))
    };
}

function describeServer(server: ServerModel): ServerInfo {
    const host = server.host;
    return {
        ...locate(server.name, server.node),
        role: server.role,
        master: server.master,
        host: host === undefined ? undefined : hostText(host)
    };
}

/** Where a declaration's name is (the whole node when it has no name). */
export function locate(name: string, node: AstNode): DeclarationLocation {
    const cst = GrammarUtils.findNodeForProperty(node.$cstNode, 'name') ?? node.$cstNode;
    const range = cst?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { name, uri: AstUtils.getDocument(node).uri.toString(), range };
}
