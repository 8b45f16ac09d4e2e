/**
 * CodeLens on every `schedule "…"` line of a backup or drill block (DESIGN §12): the next
 * run and the last result, "next: Thu 02:00 · last: ok 3h ago".
 *
 *   next  from the language server (`backplan/coverage`, ScheduleInfo: the functions of
 *         `backplan schedule list`); when the first time has passed, or a minute went by
 *         (the "ago" grows), the lenses are asked for again
 *   last  from RunStatusService (`backplan status --format json`), never waited for:
 *         before it is read the lens shows the next run alone
 *   click `backplan.showStatus` for the runbook; in Restricted Mode that command says why
 *         it does not run and offers to manage trust, as every run command does
 */
import * as vscode from 'vscode';
import type { BackupInfo, DrillInfo, RunbookCoverageInfo } from '../coverage/coverage-protocol';
import type { CoverageService } from '../coverage/coverage-service';
import type { RunStatusService } from '../status/run-status-service';
import { lastResultOf } from '../status/status-document';
import { lastRunLine, scheduleLensTitle, type LastKnown } from './schedule-lens-text';

/** The command the lens runs. */
export const SHOW_STATUS_COMMAND = 'backplan.showStatus';
/** The lenses are drawn again at least this often, so that "3h ago" stays true. */
const REDRAW_MS = 60_000;

export class ScheduleCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeCodeLenses = this.changed.event;
    private readonly disposables: vscode.Disposable[];
    private redraw: NodeJS.Timeout | undefined;

    constructor(private readonly coverage: CoverageService, private readonly status: RunStatusService) {
        this.disposables = [
            coverage.onDidChange(() => this.changed.fire()),
            status.onDidChange(() => this.changed.fire()),
            vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire())
        ];
    }

    async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
        const runbook = (await this.coverage.of(document.uri))[0];
        if (!runbook) return [];
        const here = document.uri.toString();
        const now = new Date();
        const blocks = [
            ...runbook.backups.map(b => ({ kind: 'backup' as const, block: b as BackupInfo | DrillInfo })),
            ...(runbook.drills ?? []).map(d => ({ kind: 'drill' as const, block: d as BackupInfo | DrillInfo }))
        ].filter(({ block }) => block.uri === here && block.scheduled && block.scheduled.next.length > 0);
        if (blocks.length === 0) return [];
        const root = vscode.Uri.parse(runbook.root);
        const read = this.status.get(root);
        const lenses = blocks.map(({ kind, block }) => {
            const known: LastKnown = read.state === 'known' ? { state: 'known', result: lastResultOf(read.status, kind, block.name) } : read;
            return this.lens(runbook, root, kind, block, known, now);
        });
        this.redrawAt(Math.min(...blocks.map(({ block }) => Date.parse(block.scheduled!.next[0]))), now);
        return lenses;
    }

    private lens(runbook: RunbookCoverageInfo, root: vscode.Uri, kind: 'backup' | 'drill', block: BackupInfo | DrillInfo,
        known: LastKnown, now: Date): vscode.CodeLens {
        const scheduled = block.scheduled!;
        const line = scheduled.range.start.line;
        const times = scheduled.next.map(t => new Date(t).toLocaleString()).join(', ');
        const trust = known.state === 'untrusted' ? '\nRestricted Mode: the run status is not read. Click to manage trust.' : '';
        const unreadable = known.state === 'unreadable' ? `\nbackplan status: ${known.reason}` : '';
        return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
            title: scheduleLensTitle(new Date(scheduled.next[0]), known, now),
            command: SHOW_STATUS_COMMAND,
            arguments: [root, { policy: block.name }],
            tooltip: `${kind} ${block.name}: ${scheduled.description} (${scheduled.expression}); next runs ${times}.${lastRunLine(known)}${unreadable}${trust}\n` +
                `Click for backplan status of ${runbook.title ?? root.fsPath}.`
        });
    }

    /** Asks for the lenses again when the first next run has passed, or in a minute. */
    private redrawAt(firstNext: number, now: Date): void {
        if (this.redraw) clearTimeout(this.redraw);
        const wait = Math.max(1_000, Math.min(REDRAW_MS, firstNext - now.getTime() + 1_000));
        this.redraw = setTimeout(() => { this.redraw = undefined; this.changed.fire(); }, wait);
    }

    dispose(): void {
        if (this.redraw) clearTimeout(this.redraw);
        this.changed.dispose();
        this.disposables.forEach(d => d.dispose());
    }
}
