/**
 * Errors that end a command with a one-line message instead of a stack trace.
 */

/** Bad usage or input: exit code 2. */
export class UsageError extends Error {}

/** A run or check that failed: exit code 1 (its output has already said why). */
export class FailedError extends Error {}
