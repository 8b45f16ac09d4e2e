/**
 * `backplan timeline RUNBOOK [--policy NAME] [--run ID] [--format svg|json]`: the backup
 * window — one lane per server of the backup with its stop windows (run ID, else the last
 * backup run in the journal, else the planner's estimate, labelled so), one lane per folder
 * held on 2+ servers with how many holders were up; a moment with none up is drawn and
 * said. Like every verb but `check`, it first starts what a killed run left stopped.
 * Exit 0 whenever it could read what it shows; 2 bad usage or unreadable runbook.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadRunbook } from '@backplan/language/node';
import { buildTimeline, renderTimelineSvg } from '@backplan/engine';
import { choice, type CommandContext } from './command-support.js';
import { noteErrors } from './picture-support.js';
import { planOrFail, withRun, writeJson } from './run-support.js';

const FORMATS = ['svg', 'json'] as const;

interface TimelineFlags { format: typeof FORMATS[number]; policy?: string; run?: string; state?: string; sshConfig?: string }

/** Registers `timeline`. */
export function registerTimeline(program: Command, context: CommandContext): void {
    program.command('timeline')
        .description('draw a backup window: each server\'s stop windows, and how many holders of each replicated folder were up')
        .argument('<runbook>', 'the runbook\'s root .backplan file')
        .option('--policy <name>', 'this backup block only (default: every backup block)')
        .option('--run <id>', 'this run from the journal (default: the last backup run, else an estimate)')
        .option('--format <format>', `output format: ${FORMATS.join(', ')}`, choice(FORMATS), 'svg')
        .option('--ssh-config <file>', 'ssh config file for starting what a killed run left stopped (or BACKPLAN_SSH_CONFIG)')
        .option('--state <dir>', 'state folder (default $XDG_STATE_HOME/backplan, else ~/.local/state/backplan)')
        .action(context.action(async (file: string, flags: TimelineFlags) => {
            const { model, workspace } = await loadRunbook(file);
            noteErrors(workspace);
            const records = await withRun(file, { ...flags, format: 'text' }, ({ journal }) => journal.read(), { interrupts: false });
            const timeline = planOrFail(() => buildTimeline(model, records, { policy: flags.policy, run: flags.run }));
            if (flags.format === 'json') writeJson(timeline);
            else process.stdout.write(renderTimelineSvg(timeline, path.basename(file)));
            return 0;
        }));
}
