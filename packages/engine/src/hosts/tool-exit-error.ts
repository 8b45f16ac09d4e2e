/**
 * A tool (tar, zstd, gzip, restic, …) that exited unsuccessfully, as a typed error: the
 * archive writer picks the most telling of several failures by kind, not by the text.
 */

/** What a tool run ended with. */
export interface ToolExit {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
}

/** A tool exited ≠ 0 or was killed; the message is one line with the last lines of its stderr. */
export class ToolExitError extends Error {
    override readonly name = 'ToolExitError';
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    /** The last (at most 3) non-empty lines of its stderr, joined with " | ". */
    readonly stderrTail: string;

    /** `where`: prefixed to the message (an SSH host's label). */
    constructor(readonly tool: string, exit: ToolExit, stderr: string, where?: string) {
        const tail = stderr.trim().split('\n').filter(l => l.trim() !== '').slice(-3).join(' | ');
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        super(`${where ? `${where}: ` : ''}${tool} ${how}${tail ? `: ${tail}` : ''}`);
        this.code = exit.code;
        this.signal = exit.signal;
        this.stderrTail = tail;
    }

    /** Whether it only died of a pipe another failure broke (not the cause). */
    get brokenPipe(): boolean {
        return this.signal === 'SIGPIPE' || /EPIPE|Broken pipe/i.test(this.stderrTail);
    }
}
