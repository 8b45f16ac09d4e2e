/**
 * Start-up: every runbook of the workspace folders is loaded and validated (not only the
 * open files), files they import from outside the folders are loaded too, and files matching
 * `backplan.validation.ignorePaths` are skipped.
 */
import { performance } from 'node:perf_hooks';
import { DefaultWorkspaceManager, type FileSystemNode, type LangiumDocument, type URI } from 'langium';
import type { ConfigurationProvider } from 'langium';
import type { WorkspaceFolder } from 'vscode-languageserver';
import type { BackplanSharedLspServices } from './backplan-lsp-module.js';
import { IgnorePaths } from './ignore-paths.js';
import type { ImportLoader } from './import-loader.js';

/** Settings section of the language (`backplan.validation`). */
export interface BackplanValidationSettings {
    /** Glob patterns of files not to load from the workspace folders. */
    ignorePaths?: string[];
}

/** Loads the workspace with validation, follows imports, honours `ignorePaths`. */
export class BackplanWorkspaceManager extends DefaultWorkspaceManager {
    protected readonly configuration: ConfigurationProvider;
    protected readonly shared: BackplanSharedLspServices;
    protected ignore = new IgnorePaths();
    protected rootPaths: string[] = [];
    /** When the start-up files were read (ms since the process started, and of CPU time) and how many (startup-timeline.ts). */
    readonly startup = { readAt: 0, cpuAt: 0, files: 0 };

    constructor(shared: BackplanSharedLspServices) {
        super(shared);
        this.shared = shared;
        this.configuration = shared.workspace.ConfigurationProvider;
        // Validate everything at start-up: diagnostics for files nobody has opened yet.
        this.initialBuildOptions = { validation: true };
        this.configuration.onConfigurationSectionUpdate(update => {
            if (update.section === 'backplan') this.setIgnorePaths(readIgnorePaths(update.configuration));
        });
    }

    protected get importLoader(): ImportLoader {
        return this.shared.workspace.ImportLoader;
    }

    protected override async performStartup(folders: WorkspaceFolder[]): Promise<LangiumDocument[]> {
        this.rootPaths = folders.map(f => this.getRootFolder(f).path);
        const validation = await this.configuration.getConfiguration('backplan', 'validation') as BackplanValidationSettings | undefined;
        this.setIgnorePaths(validation?.ignorePaths ?? this.ignore);
        const documents = await super.performStartup(folders);
        const outside = await this.importLoader.loadImports(documents);
        const cpu = process.cpuUsage();
        this.startup.readAt = Math.round(performance.now());
        this.startup.cpuAt = Math.round((cpu.user + cpu.system) / 1000);
        this.startup.files = documents.length + outside.length;
        return [...documents, ...outside];
    }

    protected setIgnorePaths(globs: readonly string[] | IgnorePaths): void {
        this.ignore = globs instanceof IgnorePaths ? globs : new IgnorePaths(globs);
    }

    /** Whether a file is excluded by `ignorePaths`. */
    isIgnored(uri: URI): boolean {
        return this.ignore.matches(uri.path, this.rootPaths);
    }

    override shouldIncludeEntry(entry: FileSystemNode): boolean {
        return super.shouldIncludeEntry(entry) && !this.isIgnored(entry.uri);
    }
}

function readIgnorePaths(section: unknown): string[] {
    const paths = (section as { validation?: BackplanValidationSettings } | undefined)?.validation?.ignorePaths;
    return Array.isArray(paths) ? paths.filter((p): p is string => typeof p === 'string') : [];
}
