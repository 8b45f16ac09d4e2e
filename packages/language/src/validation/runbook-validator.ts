/**
 * Runs the runbook-wide rules once per runbook and hands each document the findings on its
 * own nodes. A file imported by two runbooks gets the findings of both, without repeats.
 */
import { AstUtils, WorkspaceCache, type AstNode, type LangiumDocument, type ValidationAcceptor } from 'langium';
import type { Document } from '../generated/ast.js';
import type { RunbookModel } from '../model/runbook-model.js';
import type { RunbookGraph } from '../workspace/runbook-graph.js';
import type { BackplanSharedCoreServices } from '../workspace/backplan-document-builder.js';
import { checkAllCatalogsDown, checkAllCopiesDown } from './concurrency-rules.js';
import { checkDrillServers } from './drill-rules.js';
import { checkOffsite, checkPartialCoverage, checkSingleCopy, checkTapeUsed } from './coverage-rules.js';
import { checkMasterComplete, checkSingleMaster } from './master-rules.js';
import type { Finding, RunbookRule } from './runbook-rule.js';
import { checkDataOverlap, checkSingleHeader, checkTapeInsideData, checkUniqueNames } from './runbook-rules.js';

/** Every runbook-wide rule. */
export const RUNBOOK_RULES: readonly RunbookRule[] = [
    checkSingleCopy, checkOffsite, checkTapeUsed, checkPartialCoverage,
    checkMasterComplete, checkSingleMaster,
    checkAllCopiesDown, checkAllCatalogsDown,
    checkUniqueNames, checkDataOverlap, checkTapeInsideData, checkSingleHeader,
    checkDrillServers
];

/** Runs every runbook-wide rule on a model. */
export function runRunbookRules(model: RunbookModel): Finding[] {
    const findings: Finding[] = [];
    for (const rule of RUNBOOK_RULES) rule(model, f => findings.push(f));
    return findings;
}

/** Runbook-wide validation, cached per runbook until the next workspace update. */
export class RunbookValidator {
    protected readonly graph: RunbookGraph;
    protected readonly findings: WorkspaceCache<string, Map<string, Finding[]>>;

    constructor(shared: BackplanSharedCoreServices) {
        this.graph = shared.workspace.RunbookGraph;
        this.findings = new WorkspaceCache(shared);
    }

    /** Reports, on `root`'s document, the runbook-wide findings that lie in that document. */
    checkDocument(root: Document, accept: ValidationAcceptor): void {
        const uri = AstUtils.getDocument(root).uri.toString();
        // A file in two runbooks gets the same finding from each: report it once. The key
        // holds the node, so equal messages on two different nodes are both reported.
        const seen = new Map<AstNode, Set<string>>();
        for (const runbook of this.graph.runbooksOf(uri)) {
            for (const finding of this.findingsOf(runbook).get(uri) ?? []) {
                const { node, code } = finding.info;
                const where = finding.info as { property?: string; index?: number; keyword?: string };
                const key = [code, finding.message, where.property, where.index, where.keyword].join('\u0000');
                let keys = seen.get(node);
                if (!keys) seen.set(node, keys = new Set());
                if (keys.has(key)) continue;
                keys.add(key);
                accept(finding.severity, finding.message, finding.info);
            }
        }
    }

    protected findingsOf(root: string): Map<string, Finding[]> {
        return this.findings.get(root, () => {
            const byDocument = new Map<string, Finding[]>();
            for (const finding of runRunbookRules(this.graph.model(root))) {
                const doc: LangiumDocument = AstUtils.getDocument(finding.info.node);
                const key = doc.uri.toString();
                if (!byDocument.has(key)) byDocument.set(key, []);
                byDocument.get(key)!.push(finding);
            }
            return byDocument;
        });
    }
}
