/**
 * Runs the steps a planner made, in the planner's order: what `--dry-run` prints is what
 * runs. Some steps open something that must be closed whatever happens after them
 * (`stop` → `start`, `snapshot` → `drop-snapshot`): the brackets.
 *
 *   for each step in plan order:
 *     after a failure or an interruption: run it only if it closes something owed
 *     an opening step owes its closing step (unless it says nothing was opened)
 *     a closing step's failure is kept but does not skip later steps (an archive
 *       written before a failed start is still committed)
 *
 * Interruption: what the steps journal; a killed process leaves owed closings to
 * recovery (journal/recovery.ts) — the journal says what was opened.
 */

/** A planned step. */
export interface ExecutableStep {
    readonly n: number;
    readonly action: string;
}

/** Thrown by an opening step that failed without opening anything (a stop that never ran). */
export class NothingOpenedError extends Error {
    override readonly name = 'NothingOpenedError';
}

/** A verify or record step that failed and said why (journalled): its message is final. */
export class CommitFailure extends Error {
    override readonly name = 'CommitFailure';
}

/** What running the steps gave. */
export interface ExecutionResult<S> {
    /** The first failure of a step that is not a closing step (later ones were skipped). */
    failure?: Error;
    /** Failures of closing steps. */
    closeFailures: Error[];
    /** Every failure, in the order they happened. */
    errors: Error[];
    /** Steps not run because of a failure or an interruption. */
    skipped: S[];
}

/**
 * Runs `steps` with `run`; `brackets` maps each opening action to its closing action.
 * Never throws: failures are in the result.
 */
export async function executeSteps<S extends ExecutableStep>(
    steps: readonly S[], brackets: Readonly<Record<string, string>>, run: (step: S) => Promise<void>, interrupted: () => Error | undefined
): Promise<ExecutionResult<S>> {
    const closing = new Set(Object.values(brackets));
    const owed = new Set<string>();
    const result: ExecutionResult<S> = { closeFailures: [], errors: [], skipped: [] };
    for (const step of steps) {
        result.failure ??= interrupted();
        const isClosing = closing.has(step.action);
        if (result.failure && !(isClosing && owed.has(step.action))) {
            result.skipped.push(step);
            continue;
        }
        const opens = brackets[step.action];
        if (opens) owed.add(opens);
        try {
            await run(step);
        } catch (err) {
            if (err instanceof NothingOpenedError && opens) owed.delete(opens);
            result.errors.push(err as Error);
            if (isClosing) result.closeFailures.push(err as Error);
            else result.failure ??= err as Error;
        }
        if (isClosing) owed.delete(step.action);
    }
    return result;
}
