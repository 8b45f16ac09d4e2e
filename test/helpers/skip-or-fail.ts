/**
 * Tests that need something a machine may lack (root mounts, a Debian server package)
 * skip with a note there; CI sets the matching BACKPLAN_REQUIRE_* variable to 1, which
 * makes the same lack a failure, so nothing is skipped where the suite is the gate.
 */

/** Skips the test with `note`, unless the environment variable `flag` is 1: then it fails. */
export function skipOrFail(flag: string, skip: (note: string) => void, note: string): void {
    if (process.env[flag] === '1') throw new Error(`${note} (${flag}=1)`);
    skip(note);
}
