/**
 * `backplan/coverage` and `backplan/coverageChanged`, as the language server defines them
 * (packages/language/src/lsp/coverage-request.ts): types are shared, names repeated here
 * so that the client bundle does not pull in the server's code.
 */
export type {
    BackupInfo, CoverageItemInfo, CoverageParams, CoverageResult, DeclarationLocation, DrillInfo,
    RunbookCoverageInfo, ScheduleInfo, ServerInfo, TapeCopyInfo, TapeInfo
} from '../../../language/src/lsp/coverage-request.js';

export const CoverageRequest = 'backplan/coverage';
export const CoverageChangedNotification = 'backplan/coverageChanged';
