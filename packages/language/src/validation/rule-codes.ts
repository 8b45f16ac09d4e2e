/**
 * Diagnostic codes (stable API, DESIGN.md §2) with their severity and a one-line summary.
 * Rules, quick fixes, SARIF output and docs/rules.md all use these constants.
 */

/** Every diagnostic code Backplan reports. */
export const Code = {
    SingleCopy: 'coverage.single-copy',
    NoOffsite: 'coverage.no-offsite',
    CoveragePartial: 'coverage.partial',
    NoStop: 'backup.no-stop',
    RestoreNoStop: 'restore.no-stop',
    NoTape: 'backup.no-tape',
    ParallelInvalid: 'backup.parallel-invalid',
    AllCopiesDown: 'backup.all-copies-down',
    AllCatalogsDown: 'backup.all-catalogs-down',
    MasterIncomplete: 'master.incomplete',
    MasterMultiple: 'master.multiple',
    MasterNotCatalog: 'master.not-catalog',
    FolderDuplicateServer: 'folder.duplicate-server',
    FolderOnMailServer: 'folder.on-mail-server',
    FolderPathInvalid: 'folder.path-invalid',
    ServerIncomplete: 'server.incomplete',
    ServerDataRelative: 'server.data-relative',
    ServerDataOverlap: 'server.data-overlap',
    ServerDataRoot: 'server.data-root',
    DumpIncomplete: 'server.dump-incomplete',
    QuiesceConflict: 'quiesce.conflict',
    ExcludeInvalid: 'exclude.invalid',
    HostInvalid: 'host.invalid',
    ScheduleInvalid: 'schedule.invalid',
    RetentionInvalid: 'retention.invalid',
    TapeUnused: 'tape.unused',
    TapeLocationInvalid: 'tape.location-invalid',
    TapeKeyInvalid: 'tape.key-invalid',
    TapeResticPassword: 'tape.restic-password',
    DurationInvalid: 'duration.invalid',
    NotifyInvalid: 'notify.invalid',
    DrillInvalid: 'drill.invalid',
    TapeInsideData: 'tape.inside-data',
    NameDuplicate: 'name.duplicate',
    ImportUnresolved: 'import.unresolved',
    AttributeDuplicate: 'attribute.duplicate',
    HeaderDuplicate: 'runbook.header-duplicate',
    LinkingError: 'linking-error',
    ParsingError: 'parsing-error',
    LexingError: 'lexing-error'
} as const;

/** A diagnostic code. */
export type RuleCode = typeof Code[keyof typeof Code];

/** What the docs and SARIF say about a rule. */
export interface RuleInfo {
    readonly code: RuleCode;
    readonly severity: 'error' | 'warning';
    readonly summary: string;
}

/** Every rule, in the order of DESIGN.md §2. */
export const RULES: readonly RuleInfo[] = [
    { code: Code.SingleCopy, severity: 'error', summary: 'A folder, or a mail server\'s data, has fewer than two copies.' },
    { code: Code.NoOffsite, severity: 'error', summary: '`require offsite` is set and a folder or mail data reaches no off-site tape.' },
    { code: Code.CoveragePartial, severity: 'warning', summary: 'An `exclude` of a holder reaches into a folder: its tape copy leaves something out.' },
    { code: Code.NoStop, severity: 'error', summary: 'A server in a backup lacks `stop` or `start`.' },
    { code: Code.RestoreNoStop, severity: 'error', summary: 'A server with `dump` lacks `stop` or `start`: it backs up, but cannot be restored.' },
    { code: Code.NoTape, severity: 'error', summary: 'A backup without `to`.' },
    { code: Code.ParallelInvalid, severity: 'error', summary: '`parallel 0`: a backup that may run no server at a time.' },
    { code: Code.AllCopiesDown, severity: 'warning', summary: '`parallel N` may stop every server that holds some folder at once.' },
    { code: Code.AllCatalogsDown, severity: 'warning', summary: '`parallel N` may stop every catalog server of the runbook at once.' },
    { code: Code.MasterIncomplete, severity: 'error', summary: 'A master server does not hold every folder.' },
    { code: Code.MasterMultiple, severity: 'error', summary: 'More than one master.' },
    { code: Code.MasterNotCatalog, severity: 'error', summary: '`master` on a server whose role is not `catalog`.' },
    { code: Code.FolderDuplicateServer, severity: 'error', summary: 'A folder lists the same server twice.' },
    { code: Code.FolderOnMailServer, severity: 'error', summary: 'A folder placed on a mail server.' },
    { code: Code.FolderPathInvalid, severity: 'error', summary: 'A folder `path` that is absolute or contains `..`.' },
    { code: Code.ServerIncomplete, severity: 'error', summary: 'A server without `role`, `host` or `data`.' },
    { code: Code.ServerDataRelative, severity: 'error', summary: 'A `data` path that is not absolute.' },
    { code: Code.ServerDataOverlap, severity: 'error', summary: 'Two servers on the same host whose data folders are equal or nested.' },
    { code: Code.ServerDataRoot, severity: 'error', summary: 'A `data` folder that is `/` or a system root such as `/etc` or `/var`.' },
    { code: Code.DumpIncomplete, severity: 'error', summary: '`dump` without `load`, or `load` without `dump`.' },
    { code: Code.QuiesceConflict, severity: 'error', summary: '`dump` and `snapshot` on one server.' },
    { code: Code.ExcludeInvalid, severity: 'error', summary: 'An `exclude` pattern that is absolute, contains `..`, or is empty.' },
    { code: Code.HostInvalid, severity: 'error', summary: '`host` is neither `local` nor a valid `ssh://` URL.' },
    { code: Code.ScheduleInvalid, severity: 'error', summary: '`schedule` is not a valid 5-field cron expression or nickname.' },
    { code: Code.RetentionInvalid, severity: 'error', summary: 'A `keep` count of 0, or the same period twice.' },
    { code: Code.TapeUnused, severity: 'warning', summary: 'A tape that no backup sends to.' },
    { code: Code.TapeLocationInvalid, severity: 'error', summary: 'A tape with neither or both of `at` and `restic`, an `at` that is not an absolute path, or a restic repository that is not one.' },
    { code: Code.TapeKeyInvalid, severity: 'error', summary: '`key-file` is not an absolute path, or is set on a restic tape.' },
    { code: Code.TapeResticPassword, severity: 'error', summary: 'A restic tape without an absolute `password-file`, or a `password-file` on a folder tape.' },
    { code: Code.DurationInvalid, severity: 'error', summary: 'A duration of 0, or a `timeout` longer than a timer can wait (24 days).' },
    { code: Code.NotifyInvalid, severity: 'error', summary: 'A `notify` block with no target or more than one, a URL that is not http or https, or an unknown `for` name.' },
    { code: Code.DrillInvalid, severity: 'error', summary: 'A `drill` with no or an unknown `from` tape, a server that no backup sends there, or a `pick` other than newest, oldest or random.' },
    { code: Code.TapeInsideData, severity: 'error', summary: 'A tape folder equal to or inside a local server\'s data folder, or holding one.' },
    { code: Code.NameDuplicate, severity: 'error', summary: 'Two declarations of one kind share a name.' },
    { code: Code.ImportUnresolved, severity: 'error', summary: 'An `import` whose file does not exist or cannot be read.' },
    { code: Code.AttributeDuplicate, severity: 'error', summary: 'An attribute given twice in one declaration.' },
    { code: Code.HeaderDuplicate, severity: 'error', summary: 'More than one `runbook` header in one runbook.' },
    { code: Code.LinkingError, severity: 'error', summary: 'A name that is not declared in this file or the files it imports.' },
    { code: Code.ParsingError, severity: 'error', summary: 'A syntax error.' },
    { code: Code.LexingError, severity: 'error', summary: 'A character that cannot start any token.' }
];
