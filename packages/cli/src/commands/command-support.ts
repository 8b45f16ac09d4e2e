/**
 * What every command shares: turning errors into one line and an exit code, and option
 * parsing helpers.
 */
import { InvalidArgumentError } from 'commander';
import { ShapeError, UntrustedFileError } from '@backplan/engine';
import { InputError } from '@backplan/language/node';
import { FailedError, UsageError } from '../cli-error.js';

/** Passed to every command's register function. */
export interface CommandContext {
    readonly version: string;
    /** The running CLI's entry file (the bundle), for commands that write how to run it again. */
    readonly entry: string;
    /** Wraps an action: its resolved number is the exit code; errors become one line. */
    action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
}

/** A commander argument parser accepting one of the given values. */
export function choice<T extends string>(values: readonly T[]): (value: string) => T {
    return value => {
        if (!(values as readonly string[]).includes(value)) {
            throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
        }
        return value as T;
    };
}

/** A commander option parser for a repeatable option (`--server A --server B`). */
export function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}

/** The exit code and stderr line for an error thrown by a command. */
export function describeFailure(err: unknown): { code: number; line?: string } {
    if (err instanceof UsageError || err instanceof InputError) return { code: 2, line: err.message };
    if (err instanceof FailedError) return { code: 1, line: err.message || undefined };
    // A file on a tape or in the state folder that is not what Backplan wrote there.
    if (err instanceof UntrustedFileError || err instanceof ShapeError) return { code: 1, line: `${err.message}; move it aside and run again` };
    const message = err instanceof Error ? err.message : String(err);
    const debug = process.env.BACKPLAN_DEBUG && err instanceof Error ? `\n${err.stack}` : '';
    return { code: 1, line: `internal error: ${message} (set BACKPLAN_DEBUG=1 for details)${debug}` };
}

/** The context for commands run from `main`. */
export function createCommandContext(version: string, entry: string): CommandContext {
    return {
        version,
        entry,
        action: fn => async (...args) => {
            try {
                process.exitCode = await fn(...args);
            } catch (err) {
                const { code, line } = describeFailure(err);
                if (line) process.stderr.write(`backplan: ${line}\n`);
                process.exitCode = code;
            }
        }
    };
}
