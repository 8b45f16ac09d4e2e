/**
 * Journal records: one JSON object per line, appended in the order things happen.
 *
 *   run begin → (step begin → step end)* → run end
 *   recover   (written by a later command, `repair` or the run's guardian for a run
 *              that never ended, `by` says which)
 *   notify    (one per notification of the run: start during it, success/failure after
 *              its run end, so they follow that record; notify/run-notifications.ts)
 *
 * A `stop` step's begin record carries what is needed to start the application again
 * (start command, host, data, environment) so that recovery does not depend on the
 * runbook still saying the same thing. A step's begin record with `cleanup` names what
 * the step is about to make beside a data folder — a `stage` step the staging folder a
 * restore or replication fills, a `snapshot` step the snapshot (and the command that
 * drops it), a `dump` step the dump folder — so that recovery of a killed run removes it
 * (a replication copies while its target runs, a snapshot is archived after the start:
 * no stop record covers those).
 */

export type StepName = 'preflight' | 'lock' | 'stop' | 'archive' | 'start' | 'verify' | 'record' | 'unlock' | 'prune' | 'recover'
    // restore and recover (restore/, replicate/)
    | 'check' | 'stage' | 'set-aside' | 'extract' | 'copy' | 'swap' | 'put-back' | 'cleanup'
    // drills (drill/): the admin's test of the restored copy
    | 'test'
    // stop windows (kernel/snapshot.ts, kernel/dump.ts)
    | 'snapshot' | 'drop-snapshot' | 'dump' | 'drop-dump' | 'load';

export interface RunBeginRecord {
    type: 'run'; event: 'begin'; run: string; time: string;
    verb: string; command: string; pid: number; host: string; runbook: string;
    /** The pid of the run's guardian (kernel/guardian.ts), when one was started. */
    guardian?: number;
}

export interface RunEndRecord {
    type: 'run'; event: 'end'; run: string; time: string; ok: boolean; error?: string;
    /** Set when a later command (or the run's guardian) closed a run that had been killed. */
    interrupted?: boolean;
    /** On a killed run's end: who closed it (a command line, or `guardian`). */
    by?: string;
}

export interface StepRecord {
    type: 'step'; event: 'begin' | 'end'; run: string; time: string; step: StepName;
    server?: string; tape?: string; policy?: string;
    ok?: boolean; error?: string; output?: string; archive?: string;
    /**
     * On stop begin: how to start the application again. `command` is the start command
     * of that run (recovery uses the runbook's current one when it has it); `prelude` are
     * shell lines run first (a restore puts set-aside folders back).
     */
    restart?: { command: string; host: string; data?: string; env: Record<string, string>; prelude?: string[] };
    /** On stop end: false when the stop never ran (exit 126/127): no start is owed. */
    stopped?: boolean;
    /** On start end: the stop window, stop begun → application up again, in seconds. */
    window?: number;
    /** On archive end: the archive's size in bytes. */
    bytes?: number;
    /** On a step of a planned run: the plan step's number (`--dry-run` shows the same numbers). */
    n?: number;
    /**
     * On stage, snapshot and dump begin: a sibling folder of ours (staging, snapshot, dump),
     * removed by recovery if the run is killed — by running `command` (with `env`) when
     * given (a snapshot is dropped by its delete command), else as a folder.
     */
    cleanup?: { host: string; path: string; command?: string; env?: Record<string, string> };
    /** On prune end: the archive IDs and garbage files it removed. */
    removed?: string[];
}

export interface RecoverRecord {
    type: 'recover'; run: string; time: string; server: string; ok: boolean; by: string; output?: string; error?: string;
}

/** One folder of a swap: its live place, where its current copy goes, where the new copy waits. */
export interface SwapPartPaths { data: string; aside: string; staged: string }

/**
 * The commit of a swap as a unit (restore/swap-in.ts): `plan` before the first rename
 * (the staged copies are verified by then), `renamed` after each part's staged → data
 * rename, `commit` when all are in place. A later command's recovery appends `finished`
 * or `rolled-back` for a swap whose run was killed before `commit`, after its decision
 * (`finishing`/`rolling-back`), so a recovery killed half-way keeps to it.
 */
export interface SwapRecord {
    type: 'swap'; run: string; time: string; server: string;
    event: 'plan' | 'renamed' | 'commit' | 'finishing' | 'rolling-back' | 'finished' | 'rolled-back';
    /** On plan: the host, every part in rename order, the operation's set-aside folder, --keep-old. */
    host?: string; parts?: SwapPartPaths[]; aside?: string; keepOld?: boolean;
    /** On renamed: the index of the part now in place. */
    part?: number;
    /** On finished/rolled-back: the command that did it, and what went wrong if anything. */
    by?: string; ok?: boolean; error?: string;
}

/**
 * A set-aside copy (`.NAME.backplan-old-RUN`) a killed run left after its swap: `open`
 * while it is on the host, `removed` once recovery removed it (the swapped-in data was
 * verified and the application started). `history` shows the open ones.
 */
export interface LeftoverRecord {
    type: 'leftover'; run: string; time: string; server: string; host: string; path: string;
    state: 'open' | 'removed'; by: string; error?: string;
}

/**
 * One notification of a run (DESIGN §8): which `notify` block, which event of which backup
 * block, and whether it was delivered. A failed one is also a warning in the run's output;
 * it never changes the run's result.
 */
export interface NotifyRecord {
    type: 'notify'; run: string; time: string;
    notify: string; target: 'webhook' | 'healthchecks' | 'command';
    event: 'start' | 'success' | 'failure' | 'stale'; policy: string;
    ok: boolean; attempts: number; error?: string;
}

/**
 * The result of one server's drill (DESIGN §11), one per server and drill of a `drill` run,
 * written when that server's drill is over: what `status`, metrics and `notify` read.
 * `recoverySeconds` is the recovery time, from the start of the server's drill (archive
 * chosen) to a verified copy in scratch; absent when no verified copy was made.
 */
export interface DrillRecord {
    type: 'drill'; run: string; time: string;
    /** The drill block and the server drilled. */
    drill: string; server: string; tape: string;
    /** Passed: a verified copy, and `test` (when given) exited 0. */
    ok: boolean;
    archive?: string;
    /** How the archive was chosen: `index` of `of` archives of the server (oldest first); random: from `seed`. */
    pick: { order: 'newest' | 'oldest' | 'random' | 'given'; index: number; of: number; seed?: string };
    /** Every file of the copy matched the manifest. */
    verified: boolean;
    recoverySeconds?: number;
    /** Files and bytes (of the tar stream) restored. */
    files?: number; bytes?: number;
    /** The `test` command's result (absent: no test, or never reached). */
    test?: { ok: boolean; code?: number; signal?: string; seconds: number; output: string };
    error?: string;
    /** The scratch folder, and whether it was kept (`--keep`, or it could not be removed). */
    scratch?: string; kept?: boolean;
}

export type JournalRecord = RunBeginRecord | RunEndRecord | StepRecord | RecoverRecord | SwapRecord | LeftoverRecord | NotifyRecord | DrillRecord;
