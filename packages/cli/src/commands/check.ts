/**
 * `backplan check [PATH…] [--format text|json|sarif|github] [--strict]`: the same
 * validation as the editor, for CI. Exit 0: no errors (with --strict, no warnings either);
 * 1: findings; 2: bad usage or a path that cannot be read.
 */
import type { Command } from 'commander';
import { collectRunbookFiles, loadWorkspace } from '@backplan/language/node';
import { checkResult, type CheckResult } from '../check/check-result.js';
import { formatGithub } from '../check/github-format.js';
import { formatJson } from '../check/json-format.js';
import { formatSarif } from '../check/sarif-format.js';
import { formatText } from '../check/text-format.js';
import { UsageError } from '../cli-error.js';
import { painter } from '../terminal.js';
import { choice, type CommandContext } from './command-support.js';

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = typeof FORMATS[number];

interface CheckOptions { format: Format; strict?: boolean }

function render(result: CheckResult, format: Format, version: string): string {
    switch (format) {
        case 'json': return formatJson(result);
        case 'sarif': return formatSarif(result, version);
        case 'github': return formatGithub(result);
        default: return formatText(result, painter(process.stdout));
    }
}

/** Registers `check`. */
export function registerCheck(program: Command, context: CommandContext): void {
    program.command('check')
        .description('check runbooks: every folder has a second copy, every backup is safe')
        .argument('[paths...]', 'files and folders to check (folders: every *.backplan below)', ['.'])
        .option('--format <format>', `output format: ${FORMATS.join(', ')}`, choice(FORMATS), 'text')
        .option('--strict', 'fail on warnings too')
        .action(context.action(async (paths: string[], options: CheckOptions) => {
            const files = await collectRunbookFiles(paths);
            if (files.length === 0) {
                throw new UsageError(`no .backplan file found in ${paths.join(', ')}: give a runbook file or a folder that holds one`);
            }
            const result = checkResult(await loadWorkspace(files));
            process.stdout.write(render(result, options.format, context.version));
            const failed = result.errors > 0 || (options.strict === true && result.warnings > 0);
            return failed ? 1 : 0;
        }));
}
